package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"
)

// tableOf returns the string table of a gzipped profile, as the
// trimmer reads it.
func tableOf(t *testing.T, gz []byte) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		switch tag & 7 {
		case 0:
			_, m := binary.Uvarint(msg[n:])
			msg = msg[n+m:]
		case 1:
			msg = msg[n+8:]
		case 5:
			msg = msg[n+4:]
		case 2:
			l, m := binary.Uvarint(msg[n:])
			if tag>>3 == stringTable {
				out = append(out, string(msg[n+m:n+m+int(l)]))
			}
			msg = msg[n+m+int(l):]
		default:
			t.Fatalf("wire type %d", tag&7)
		}
	}
	return out
}

// TestTrimRealProfile: a CPU profile of this test names the test binary
// by its absolute path; trimmed, it names no absolute path, keeps every
// other string in order, and trimming again changes nothing.
func TestTrimRealProfile(t *testing.T) {
	var b bytes.Buffer
	if err := pprof.StartCPUProfile(&b); err != nil {
		t.Skipf("no CPU profile: %v", err)
	}
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	pprof.StopCPUProfile()
	before := tableOf(t, b.Bytes())
	trimmed, err := trimProfile(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	after := tableOf(t, trimmed)
	if len(after) != len(before) {
		t.Fatalf("%d strings, want %d", len(after), len(before))
	}
	absolute := 0
	for i, s := range before {
		switch {
		case strings.HasPrefix(s, "/"):
			absolute++
			if strings.HasPrefix(after[i], "/") || !strings.HasSuffix(s, "/"+after[i]) {
				t.Errorf("%q trimmed to %q", s, after[i])
			}
		case after[i] != s:
			t.Errorf("%q changed to %q", s, after[i])
		}
	}
	if absolute == 0 {
		t.Fatal("the profile named no absolute path: nothing was tested")
	}
	again, err := trimProfile(trimmed)
	if err != nil || !slices.Equal(tableOf(t, again), after) {
		t.Errorf("trimming twice changed the profile: %v", err)
	}
}

// TestTruncated: a profile cut short is an error, not a panic.
func TestTruncated(t *testing.T) {
	for _, msg := range [][]byte{{0x32}, {0x32, 0x05, 'a'}, {0x08}, {0x09, 1, 2}, {0x0b}} {
		if _, err := trimStrings(msg); err == nil {
			t.Errorf("trimStrings(%x): no error", msg)
		}
	}
}
