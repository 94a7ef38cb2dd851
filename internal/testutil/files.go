package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CopyTree copies the folder src (a testdata tree) into a new temporary
// folder of t and returns that folder. In every file, each old string of
// the oldnew pairs is replaced by the new one that follows it (as
// strings.NewReplacer does), e.g. a placeholder for a server's URL.
func CopyTree(t testing.TB, src string, oldnew ...string) string {
	t.Helper()
	r := strings.NewReplacer(oldnew...)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, []byte(r.Replace(string(b))), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
