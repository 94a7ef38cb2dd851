package rewrite

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// staged is a file written next to its destination, waiting to be renamed
// into place.
type staged struct {
	tmp, dst string
}

// tempPattern names temporary files: hidden, and never taken for a page.
const tempPattern = ".fotoembed-*.tmp"

// stage writes what r yields to a new temporary file in dst's folder with
// mode perm, flushed to disk. The caller renames it (commit) or removes it
// (discard).
func stage(dst string, r io.Reader, perm fs.FileMode) (staged, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), tempPattern)
	if err != nil {
		return staged{}, err
	}
	s := staged{tmp: f.Name(), dst: dst}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.tmp)
		return staged{}, fmt.Errorf("writing %s: %w", dst, err)
	}
	return s, nil
}

// commit renames the temporary file into place.
func (s staged) commit() error {
	if err := os.Rename(s.tmp, s.dst); err != nil {
		os.Remove(s.tmp)
		return err
	}
	return nil
}

// discard removes the temporary file.
func (s staged) discard() { os.Remove(s.tmp) }

// writeFileAtomic replaces path with data: temporary file, fsync, rename.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	s, err := stage(path, bytes.NewReader(data), perm)
	if err != nil {
		return err
	}
	return s.commit()
}
