package rewrite_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestFailuresAllOrNothing checks that every failed placeholder is
// reported with its file, line and reason, and that no file is written
// when any failed (the good placeholders' pages included).
func TestFailuresAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			root := copySite(t, "broken", fake.URL)
			ageFiles(t, root)
			before := snapshot(t, root)
			rep, err := run(t, root, newDirect(t, fake), mode, nil)
			var ue *rewrite.UnresolvedError
			if !errors.As(err, &ue) || !errors.Is(err, rewrite.ErrUnresolved) {
				t.Fatalf("err = %v, want an UnresolvedError", err)
			}
			want := []string{
				"a.html:3: /fotoweb/archives/5001-Photos/Folder%2019/no-such-image.jpg.info: not found in FotoWeb",
				"a.html:5: harbour.jpg: bad asset reference",
				"a.html:7: /fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info: bad placeholder: unknown option data-fotoweb-bogus",
				`a.html:9: /fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info: bad placeholder: width="50%"`,
				"sub/b.html:1: /fotoweb/archives/5001-Photos/Landscapes/untitled-dunes.jpg.info: no alt text in FotoWeb",
				"sub/b.html:3: /fotoweb/archives/5002-Press/Press%20Kit%202023/press-release-2023.pdf.info: asset has no usable image",
				`sub/b.html:5: "": bad placeholder: data-fotoweb-* option on an <img> without`,
			}
			if len(rep.Failures) != len(want) {
				t.Errorf("%d failures, want %d:\n%s", len(rep.Failures), len(want), failureText(rep))
			}
			for i, f := range rep.Failures {
				line := strings.TrimPrefix(filepath.ToSlash(f.String()), filepath.ToSlash(root)+"/")
				if i < len(want) && !strings.HasPrefix(line, want[i]) {
					t.Errorf("failure %d:\n got  %s\n want %s...", i, line, want[i])
				}
			}
			after := snapshot(t, root)
			if !sameTree(before, after) { // the record included: a failed run writes nothing
				t.Error("files changed although placeholders failed")
			}
			if sum := rep.Summary(); !strings.Contains(sum, " 0 rewritten,") {
				t.Errorf("summary of a failed run: %s", sum)
			}
			if !strings.Contains(err.Error(), "7 placeholders in 2 files could not be resolved; no file was changed") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

// failureText lists the failures of rep.
func failureText(rep *rewrite.Report) string {
	var b strings.Builder
	for _, f := range rep.Failures {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// sameTree reports whether two snapshots hold the same files with the
// same bytes and modification times.
func sameTree(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for p, x := range a {
		y, ok := b[p]
		if !ok || !bytes.Equal(x.data, y.data) || !x.mod.Equal(y.mod) {
			return false
		}
	}
	return true
}
