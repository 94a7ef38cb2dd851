// Command pgotrim rewrites a CPU profile so that it names no folder of
// the machine it was taken on: every absolute path in the profile's
// string table (the profiled binary, the shared libraries, source files
// of a build without -trimpath) becomes its last element. Profile-guided
// optimisation matches functions by name, so the trimmed profile
// optimises the same. bench/pgo.sh runs it before writing
// cmd/fotoembed/default.pgo.
//
//	go run ./bench/cmd/pgotrim IN OUT
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pgotrim IN OUT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "pgotrim:", err)
		os.Exit(1)
	}
}

// run trims the profile in the file in and writes it to out, through a
// temporary file renamed into place.
func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	trimmed, err := trimProfile(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, trimmed, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// trimProfile returns the gzipped profile raw (a gzipped or plain
// profile.proto message) with its absolute paths trimmed.
func trimProfile(raw []byte) ([]byte, error) {
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	msg, err := trimStrings(raw)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(msg); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// stringTable is the field number of Profile.string_table.
const stringTable = 6

// errTruncated reports a profile that ends inside a field.
var errTruncated = errors.New("not a profile: truncated field")

// trimStrings copies the top-level fields of a Profile message,
// rewriting the entries of its string table with trim.
func trimStrings(msg []byte) ([]byte, error) {
	out := make([]byte, 0, len(msg))
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		if n <= 0 {
			return nil, errTruncated
		}
		field, wire := tag>>3, tag&7
		var size int
		switch wire {
		case 0: // varint
			_, m := binary.Uvarint(msg[n:])
			if m <= 0 {
				return nil, errTruncated
			}
			size = n + m
		case 1: // 64-bit
			size = n + 8
		case 5: // 32-bit
			size = n + 4
		case 2: // length-delimited
			l, m := binary.Uvarint(msg[n:])
			if m <= 0 || l > uint64(len(msg)-n-m) {
				return nil, errTruncated
			}
			if field == stringTable {
				s := trim(string(msg[n+m : n+m+int(l)]))
				out = binary.AppendUvarint(out, tag)
				out = binary.AppendUvarint(out, uint64(len(s)))
				out = append(out, s...)
				msg = msg[n+m+int(l):]
				continue
			}
			size = n + m + int(l)
		default:
			return nil, fmt.Errorf("not a profile: wire type %d", wire)
		}
		if size > len(msg) {
			return nil, errTruncated
		}
		out = append(out, msg[:size]...)
		msg = msg[size:]
	}
	return out, nil
}

// trim returns the last element of an absolute path, and any other
// string as it is.
func trim(s string) string {
	if !strings.HasPrefix(s, "/") {
		return s
	}
	return path.Base(s)
}
