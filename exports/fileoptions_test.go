package exports_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/exports"
)

// TestOpenFileOptions: a zero LockTimeout is the default, a negative one
// an error naming the field (it used to mean the default).
func TestOpenFileOptions(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		opts exports.FileOptions
		want string // "" for no error
	}{
		{"zero", exports.FileOptions{}, ""},
		{"negative lock timeout", exports.FileOptions{LockTimeout: -1}, "exports: FileOptions.LockTimeout is negative (-1ns)"},
	} {
		l, err := exports.OpenFile(filepath.Join(dir, tt.name+".db"), tt.opts)
		if l != nil {
			l.Close()
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v; want an error with %q", tt.name, err, tt.want)
		}
	}
}
