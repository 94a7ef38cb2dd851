package rewrite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// BenchmarkRewriteSite rewrites 1,000 pages holding 10,000 placeholders
// over 2,000 distinct assets, against the fake FotoWeb answering each
// asset request after 20 ms, at concurrency 16, in signed mode:
//
//	go test -run='^$' -bench=BenchmarkRewriteSite ./rewrite/
//
// "cold" starts without a record (one upstream request per asset);
// "warm" is an unchanged rebuild with the record (none). Metrics:
// asset-requests/op (counted by the fake), upstream/op (the report's
// count) and pages/s.
func BenchmarkRewriteSite(b *testing.B) {
	const files, perPage, nAssets = 1000, 10, 2000
	fake := newFake(b, fotowebtest.Options{ExtraAssets: nAssets})
	fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Latency: 20 * time.Millisecond})
	assets := synthetic(fake)
	if len(assets) != nAssets {
		b.Fatalf("fake has %d synthetic assets", len(assets))
	}
	template := b.TempDir()
	writeSite(b, template, files, perPage, assets)
	once := func(b *testing.B, cache string) (asked, upstream int, d time.Duration) {
		b.StopTimer()
		site := filepath.Join(b.TempDir(), "public")
		must(b, os.CopyFS(site, os.DirFS(template)))
		src := newDirect(b, fake)
		fake.ResetCounters()
		b.StartTimer()
		start := time.Now()
		rep, err := run(b, site, src, rewrite.ModeSigned, func(c *rewrite.Config) { c.CacheFile, c.Concurrency = cache, 16 })
		d = time.Since(start)
		if err != nil || rep.Images != files*perPage || rep.Assets != nAssets || rep.Pages != files {
			b.Fatalf("%v: %+v", err, rep)
		}
		return fake.CountPrefix("/fotoweb/archives/"), rep.Upstream, d
	}
	bench := func(cache func(b *testing.B) string) func(b *testing.B) {
		return func(b *testing.B) {
			var asked, upstream int
			var total time.Duration
			for range b.N {
				a, u, d := once(b, cache(b))
				asked, upstream, total = asked+a, upstream+u, total+d
			}
			b.ReportMetric(float64(asked)/float64(b.N), "asset-requests/op")
			b.ReportMetric(float64(upstream)/float64(b.N), "upstream/op")
			b.ReportMetric(float64(files*b.N)/total.Seconds(), "pages/s")
		}
	}
	b.Run("cold", bench(func(b *testing.B) string { return filepath.Join(b.TempDir(), "cache.json") }))
	warm := filepath.Join(b.TempDir(), "cache.json")
	once(b, warm) // fill the record
	b.Run("warm", bench(func(*testing.B) string { return warm }))
}
