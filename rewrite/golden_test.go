package rewrite_test

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// changedPages are the fixture's pages that hold placeholders.
var changedPages = []string{
	"about.htm", "blog/2024/harbour/index.html", "blog/index.html", "docs/guide/deep/page.html", "index.html",
}

// TestGolden rewrites the fixture site against the fake FotoWeb in both
// link modes and compares every rewritten page with its golden file;
// every other file must be untouched (bytes and mtime).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			root := copySite(t, "site", fake.URL)
			must(t, os.Chmod(filepath.Join(root, "index.html"), 0o640)) // the mode is kept
			ageFiles(t, root)
			before := snapshot(t, root)
			rep, err := run(t, root, newDirect(t, fake), mode, nil)
			if err != nil {
				t.Fatalf("Run: %v\n%v", err, rep.Failures)
			}
			after := snapshot(t, root)
			checkPages(t, mode, before, after, fake.URL)
			if rep.Files != 6 || rep.Pages != len(changedPages) || rep.Images != 14 || rep.Assets != 10 {
				t.Errorf("report %+v: want 6 files, %d pages, 14 images, 10 assets", rep, len(changedPages))
			}
			if mode == rewrite.ModeDownload {
				checkDownloads(t, root, after)
			}
		})
	}
}

// checkPages compares the rewritten pages with the golden files and
// checks that nothing else changed.
func checkPages(t *testing.T, mode rewrite.Mode, before, after map[string]fileState, origin string) {
	t.Helper()
	changed := map[string]bool{}
	for _, p := range changedPages {
		changed[p] = true
		golden(t, mode.String()+"/"+p, after[p].data, origin)
		if after[p].mode != before[p].mode {
			t.Errorf("%s: mode %v, was %v", p, after[p].mode, before[p].mode)
		}
		checkSplice(t, p, before[p].data, after[p].data)
	}
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s was removed", p)
		case changed[p]:
		case !bytes.Equal(a.data, b.data) || !a.mod.Equal(b.mod):
			t.Errorf("%s was touched, but holds no placeholder", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && !strings.HasPrefix(p, rewrite.DefaultAssetDir+"/") && p != rewrite.DefaultCacheFile {
			t.Errorf("unexpected new file %s", p)
		}
	}
}

// urlAttr finds the URLs in src and srcset attributes.
var urlAttr = regexp.MustCompile(`(?:src|srcset)="([^"]*)"`)

// checkDownloads checks that every image a rewritten page links to is a
// JPEG file in the asset folder, reached by its relative path.
func checkDownloads(t *testing.T, root string, after map[string]fileState) {
	t.Helper()
	n := 0
	for _, p := range changedPages {
		for _, m := range urlAttr.FindAllStringSubmatch(string(after[p].data), -1) {
			for _, cand := range strings.Split(m[1], ", ") {
				u := strings.Fields(cand)[0]
				if strings.Contains(u, "://") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, "fotoweb:") {
					continue // the author's own URLs, placeholders left alone
				}
				target := path.Join(path.Dir(p), u)
				if !strings.HasPrefix(target, rewrite.DefaultAssetDir+"/") {
					t.Errorf("%s: %s resolves to %s, outside %s", p, u, target, rewrite.DefaultAssetDir)
					continue
				}
				b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(target)))
				if err != nil || len(b) < 3 || !bytes.Equal(b[:3], []byte{0xff, 0xd8, 0xff}) {
					t.Errorf("%s: %s is not a JPEG file (%v)", p, u, err)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no downloaded image linked")
	}
}
