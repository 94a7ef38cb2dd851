package rewrite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// synthetic returns the hrefs of the fake's synthetic assets.
func synthetic(fake *fotowebtest.Server) []string {
	var out []string
	for _, h := range fake.Assets() {
		if strings.Contains(h, "/Synthetic/") {
			out = append(out, h)
		}
	}
	return out
}

// writeSite writes files pages of perPage placeholders each, spread
// evenly over assets, in a tree of folders, like a generated blog.
func writeSite(t testing.TB, dir string, files, perPage int, assets []string) {
	t.Helper()
	widths := []int{320, 640, 800}
	n := 0
	for f := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Post %d</title>\n"+
			"<link rel=\"stylesheet\" href=\"/css/site.css\"></head>\n<body>\n<header><nav><a href=\"/\">Home</a> <a href=\"/blog/\">Blog</a></nav></header>\n<main>\n<h1>Post %d</h1>\n", f, f)
		for k := range perPage {
			a := assets[n%len(assets)]
			fmt.Fprintf(&b, "<p>Paragraph %d of post %d. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n", k, f)
			switch k % 4 {
			case 0:
				fmt.Fprintf(&b, "<p><img src=\"fotoweb:%s\" alt=\"Image %d\" width=\"%d\"></p>\n", a, n, widths[n%3])
			case 1:
				fmt.Fprintf(&b, "<p><img data-fotoweb=\"%s\" data-fotoweb-figure width=\"%d\"></p>\n", a, widths[n%3])
			default:
				fmt.Fprintf(&b, "<img src=\"fotoweb:%s\" class=\"inline\" width=\"%d\">\n", a, widths[n%3])
			}
			n++
		}
		b.WriteString("<pre><code>&lt;img src=\"fotoweb:...\"&gt;</code></pre>\n</main>\n<footer>© Example</footer>\n</body></html>\n")
		p := filepath.Join(dir, fmt.Sprintf("blog/%04d/%02d/post-%d/index.html", 2000+f/120, f%12+1, f))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(b.String()), 0o644))
	}
}

// TestOneRequestPerAsset checks, from the fake's own counters, that each
// distinct asset is asked for once however often it is used, that each
// needed preview is downloaded once, and that an unchanged rebuild asks
// nothing. The fake counts HTTP requests, and the FotoWeb client may
// retry one (an attempt that timed out on a loaded machine): the
// invariant is on the distinct paths asked for, and the report's Upstream
// counts the run's own requests, one per asset and one per download,
// whatever their retries.
func TestOneRequestPerAsset(t *testing.T) {
	t.Parallel()
	const assetPaths = "/fotoweb/archives/5001-Photos/Synthetic/"
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			// Download mode fetches ~7 generated JPEGs per asset: fewer assets.
			nAssets, pages := 50, 20
			if mode == rewrite.ModeDownload {
				nAssets, pages = 6, 3
			}
			fake := newFake(t, fotowebtest.Options{ExtraAssets: 60})
			fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Latency: 5 * time.Millisecond})
			assets := synthetic(fake)[:nAssets]
			cache := filepath.Join(t.TempDir(), "cache.json")
			site := t.TempDir()
			writeSite(t, site, pages, 10, assets)
			rep, err := run(t, site, newDirect(t, fake), mode, func(c *rewrite.Config) { c.CacheFile, c.Concurrency = cache, 16 })
			if err != nil {
				t.Fatalf("%v\n%s", err, failureText(rep))
			}
			got := fake.CountDistinctPrefix(assetPaths)
			previews := fake.CountDistinctPrefix("/fotoweb/cache/")
			if got != nAssets || rep.Assets != nAssets || rep.Images != 10*pages || rep.Pages != pages {
				t.Errorf("%d assets asked for, %d in %d images on %d pages; want %d, %[5]d, %d, %d",
					got, rep.Assets, rep.Images, rep.Pages, nAssets, 10*pages, pages)
			}
			if previews != rep.Downloads || (mode == rewrite.ModeDownload) != (previews > 0) || rep.Upstream != nAssets+previews {
				t.Errorf("%d previews asked for, %d downloads, %d upstream calls; want one download per preview and %d+downloads calls",
					previews, rep.Downloads, rep.Upstream, nAssets)
			}
			if retries := fake.CountPrefix(assetPaths) - got + fake.CountPrefix("/fotoweb/cache/") - previews; retries > 0 {
				t.Logf("%d requests were retries", retries)
			}
			again := t.TempDir() // the generator ran again, keeping nothing but the record
			writeSite(t, again, pages, 10, assets)
			if mode == rewrite.ModeDownload {
				must(t, os.CopyFS(filepath.Join(again, rewrite.DefaultAssetDir), os.DirFS(filepath.Join(site, rewrite.DefaultAssetDir))))
			}
			fake.ResetCounters()
			rep, err = run(t, again, newDirect(t, fake), mode, func(c *rewrite.Config) { c.CacheFile = cache })
			must(t, err)
			if n := fake.CountPrefix("/fotoweb/"); n != 0 || rep.Upstream != 0 {
				t.Errorf("rebuild: %d requests reached FotoWeb, report says %d", n, rep.Upstream)
			}
		})
	}
}
