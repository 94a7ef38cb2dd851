package rewrite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestOut writes a complete copy of the site to Out and leaves the site
// alone; a second run touches nothing and asks FotoWeb nothing.
func TestOut(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	root := copySite(t, "site", fake.URL)
	ageFiles(t, root)
	before := snapshot(t, root)
	out := filepath.Join(t.TempDir(), "public")
	rep, err := run(t, root, newDirect(t, fake), rewrite.ModeSigned, func(c *rewrite.Config) { c.Out = out })
	must(t, err)
	if !sameTree(before, snapshot(t, root)) {
		t.Error("the site changed although Out was set")
	}
	first := snapshot(t, out)
	for p, b := range before {
		isPage := false
		for _, c := range changedPages {
			isPage = isPage || c == p
		}
		switch {
		case isPage:
			golden(t, "signed/"+p, first[p].data, fake.URL)
		case !bytes.Equal(first[p].data, b.data):
			t.Errorf("%s was not copied as it is", p)
		}
	}
	if _, ok := first[rewrite.DefaultCacheFile]; !ok || len(first) != len(before)+1 || rep.Written != len(before) {
		t.Errorf("output has %d files (%d written), want the %d of the site and the record", len(first), rep.Written, len(before))
	}
	ageFiles(t, out)
	first = snapshot(t, out)
	rep, err = run(t, root, newDirect(t, fake), rewrite.ModeSigned, func(c *rewrite.Config) { c.Out = out })
	must(t, err)
	if rep.Written != 0 || rep.Upstream != 0 || !sameTree(first, snapshot(t, out)) {
		t.Errorf("second run wrote %d files with %d upstream calls", rep.Written, rep.Upstream)
	}
}

// TestDryRun resolves and reports, and writes nothing at all.
func TestDryRun(t *testing.T) {
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		fake := newFake(t, fotowebtest.Options{})
		root := copySite(t, "site", fake.URL)
		before := snapshot(t, root)
		rep, err := run(t, root, newDirect(t, fake), mode, func(c *rewrite.Config) { c.DryRun = true })
		must(t, err)
		if rep.Pages != len(changedPages) || rep.Written != len(changedPages) || len(rep.Changed) != len(changedPages) || rep.Downloads != 0 {
			t.Errorf("%v: report %+v", mode, rep)
		}
		if !sameTree(before, snapshot(t, root)) {
			t.Errorf("%v: dry run wrote files", mode)
		}
	}
}

// TestRebuild runs over a fresh copy of the generated site, as after the
// generator ran again: the record answers everything, and the pages come
// out the same. In download mode previews that vanished with the output
// folder are fetched again, and only they.
func TestRebuild(t *testing.T) {
	t.Parallel()
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			cache := filepath.Join(t.TempDir(), "cache.json")
			withCache := func(c *rewrite.Config) { c.CacheFile = cache }
			first := copySite(t, "site", fake.URL)
			rep1, err := run(t, first, newDirect(t, fake), mode, withCache)
			must(t, err)
			assets := fake.CountPrefix("/fotoweb/archives/")
			if assets != rep1.Assets || rep1.Assets != 10 {
				t.Errorf("first run: %d asset requests for %d assets", assets, rep1.Assets)
			}
			second := copySite(t, "site", fake.URL)
			if mode == rewrite.ModeDownload { // a generator that keeps the output folder keeps _fotoweb
				must(t, os.CopyFS(filepath.Join(second, rewrite.DefaultAssetDir), os.DirFS(filepath.Join(first, rewrite.DefaultAssetDir))))
			}
			rep2, err := run(t, second, newDirect(t, fake), mode, withCache)
			must(t, err)
			if rep2.Upstream != 0 || fake.CountPrefix("/fotoweb/archives/") != assets {
				t.Errorf("rebuild made %d upstream calls", rep2.Upstream)
			}
			a, b := snapshot(t, first), snapshot(t, second)
			for _, p := range changedPages {
				if !bytes.Equal(a[p].data, b[p].data) {
					t.Errorf("%s differs after the rebuild", p)
				}
			}
			if mode != rewrite.ModeDownload {
				return
			}
			third := copySite(t, "site", fake.URL) // a generator that cleans its output folder
			rep3, err := run(t, third, newDirect(t, fake), mode, withCache)
			must(t, err)
			if rep3.Downloads != rep1.Downloads || rep3.Upstream != rep1.Downloads {
				t.Errorf("after a clean build: %d downloads and %d upstream calls, want %d and %[3]d", rep3.Downloads, rep3.Upstream, rep1.Downloads)
			}
		})
	}
}
