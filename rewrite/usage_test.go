package rewrite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/usage"
)

// usageSite writes a small site: two pages use the landscape (one
// twice, one through a pasted FotoWeb URL), one the portrait, one none.
func usageSite(t *testing.T, origin string) string {
	t.Helper()
	dir := t.TempDir()
	img := func(ref string) string { return `<img src="fotoweb:` + ref + `" alt="x" width="600">` }
	files := map[string]string{
		"index.html":          img(fotowebtest.LandscapeAsset) + img(fotowebtest.PortraitAsset) + img(fotowebtest.LandscapeAsset),
		"blog/post one.html":  img(origin + fotowebtest.LandscapeAsset),
		"about/index.html":    "<p>no images</p>",
		"blog/not-a-page.txt": img(fotowebtest.SquareAsset),
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte("<!doctype html><title>t</title>"+body), 0o644))
	}
	return dir
}

// pagesOf lists the recorded pages of asset, sorted.
func pagesOf(t *testing.T, s usage.Store, asset string) []string {
	t.Helper()
	uses, err := s.Pages(context.Background(), asset)
	must(t, err)
	var out []string
	for _, u := range uses {
		out = append(out, u.Page)
	}
	slices.Sort(out)
	return out
}

// TestRewriteRecordsUsage: a run that rewrote the site records each
// (asset, page) once, named by the site URL when given, else by the path
// from the root; a dry run records nothing.
func TestRewriteRecordsUsage(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	for _, tt := range []struct {
		name, site string
		dry        bool
		landscape  []string
		portrait   []string
	}{
		{"site URL", "https://www.example.org/", false,
			[]string{"https://www.example.org/blog/post%20one.html", "https://www.example.org/index.html"},
			[]string{"https://www.example.org/index.html"}},
		{"paths", "", false, []string{"/blog/post%20one.html", "/index.html"}, []string{"/index.html"}},
		{"dry run", "", true, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := usage.NewMemory()
			rep, err := rewrite.Run(context.Background(), rewrite.Config{Root: usageSite(t, fake.URL), Source: newDirect(t, fake),
				SiteURL: tt.site, Usage: store, NoCache: true, DryRun: tt.dry})
			must(t, err)
			if len(rep.Warnings) > 0 {
				t.Errorf("warnings: %q", rep.Warnings)
			}
			if got := pagesOf(t, store, fotowebtest.LandscapeAsset); !slices.Equal(got, tt.landscape) {
				t.Errorf("landscape pages %q, want %q", got, tt.landscape)
			}
			if got := pagesOf(t, store, fotowebtest.PortraitAsset); !slices.Equal(got, tt.portrait) {
				t.Errorf("portrait pages %q, want %q", got, tt.portrait)
			}
			if got := pagesOf(t, store, fotowebtest.SquareAsset); len(got) != 0 {
				t.Errorf("a .txt file was recorded as a page: %q", got)
			}
		})
	}
}

// failingRecorder cannot record.
type failingRecorder struct{}

func (failingRecorder) Record(context.Context, string, string) error { return errors.New("store down") }

// TestRewriteUsageFailure: records that fail are one warning; the run
// and its pages stand.
func TestRewriteUsageFailure(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	root := usageSite(t, fake.URL)
	rep, err := rewrite.Run(context.Background(), rewrite.Config{Root: root, Source: newDirect(t, fake),
		Usage: failingRecorder{}, NoCache: true})
	must(t, err)
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "3 of 3 where-used records") || !strings.Contains(rep.Warnings[0], "store down") {
		t.Errorf("warnings %q", rep.Warnings)
	}
	b, err := os.ReadFile(filepath.Join(root, "index.html"))
	must(t, err)
	if strings.Contains(string(b), "fotoweb:") {
		t.Error("the page was not rewritten")
	}
}
