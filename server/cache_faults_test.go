package server

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// missBudget is the resolver's miss budget in these tests.
const missBudget = 200 * time.Millisecond

// TestStaleImagesWhileFotoWebHangs: with FotoWeb accepting connections
// and never answering, images whose entries went stale keep answering at
// once (one background request per asset), an image that is not cached
// fails with 504 after the miss budget, and once FotoWeb answers the
// refreshed entries are used.
func TestStaleImagesWhileFotoWebHangs(t *testing.T) {
	e := newEnv(t, envOptions{
		// One attempt per fetch, and an attempt timeout far beyond the
		// test, so that each fetch is exactly one request to FotoWeb.
		fotoweb: func(c *fotoweb.Config) { c.MaxAttempts, c.Timeout = 1, time.Minute },
		embed: func(e *env, rc *embed.ResolverConfig, _ *embed.Config) {
			rc.Now, rc.TTL, rc.MissTimeout = e.clock.Now, time.Minute, missBudget
			rc.FetchTimeout = time.Minute // the fetches outlast any slow run of the test
		},
	})
	cached := []string{fotowebtest.LandscapeAsset, fotowebtest.PortraitAsset, fotowebtest.SquareAsset}
	var paths []string
	for _, href := range cached {
		// One request each. On a busy machine the first fetch may outlast
		// the miss budget: it goes on, and a later Resolve joins it or
		// finds its entry.
		testutil.WaitFor(t, time.Minute, "the first fetch of "+href, func() bool {
			_, err := e.res.Resolve(context.Background(), href)
			return err == nil
		})
		p, _ := e.signedURL(href, 600)
		paths = append(paths, p)
	}
	missing := e.sign(urlsig.Options{Width: 400}, fotowebtest.PressPortraitAsset, ".jpg") // never resolved

	e.clock.Advance(2 * time.Minute) // every entry is stale, within the stale window
	hang := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(hang) }) }
	t.Cleanup(release) // before the fake closes: its Close waits for handlers
	e.fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Hang: hang})
	e.fake.SetMetadata(fotowebtest.LandscapeAsset, embed.FieldCaption, "Caption after the outage")

	const perAsset = 20
	statuses := make(chan int, perAsset*len(paths))
	var wg sync.WaitGroup
	for range perAsset {
		for _, p := range paths {
			wg.Go(func() { statuses <- status(e.ts.URL + p) })
		}
	}
	wg.Wait() // every request answered while FotoWeb still hangs
	close(statuses)
	for s := range statuses {
		if s != http.StatusFound {
			t.Fatalf("a stale image answered %d while FotoWeb hangs, want 302", s)
		}
	}
	for _, href := range cached {
		testutil.WaitFor(t, 10*time.Second, "the background refresh to reach FotoWeb", func() bool { return e.fake.Count(href) >= 2 })
	}
	for _, href := range cached {
		if n := e.fake.Count(href); n != 2 {
			t.Errorf("%s: %d requests to FotoWeb, want 2 (the first fetch and one refresh in flight)", href, n)
		}
	}

	// A miss gives up after its budget while FotoWeb still hangs.
	r := e.get(missing)
	wantStatus(t, r, http.StatusGatewayTimeout)
	if n := e.fake.Count(fotowebtest.PressPortraitAsset); n != 1 {
		t.Errorf("the miss made %d requests, want 1 (still in flight)", n)
	}
	s := e.res.Stats()
	if s.StaleWhileRevalidate != perAsset*uint64(len(paths)) || s.BackgroundRefreshes != uint64(len(cached)) || s.MissTimeouts != 1 {
		t.Errorf("stats while hanging: %+v", s)
	}

	release()
	for _, href := range cached { // the refreshes' answers replace the entries
		testutil.WaitFor(t, 10*time.Second, "the refreshed entry", func() bool {
			en, ok := e.res.Store().Get(context.Background(), href)
			return ok && en.FreshUntil.After(e.clock.Now())
		})
	}
	testutil.WaitFor(t, 10*time.Second, "the miss's fetch to fill the cache", func() bool { return e.res.Cached(context.Background(), fotowebtest.PressPortraitAsset) })
	for _, p := range append(paths, missing) {
		wantStatus(t, e.get(p), http.StatusFound)
	}
	if c := e.info(fotowebtest.LandscapeAsset).Text.Caption; c != "Caption after the outage" {
		t.Errorf("after the outage: caption %q, want the refreshed one", c)
	}
	for _, href := range append(cached, fotowebtest.PressPortraitAsset) {
		if n := e.fake.Count(href); n > 2 {
			t.Errorf("%s: %d requests to FotoWeb after the outage; the refreshed entry was not used", href, n)
		}
	}
	text := string(e.get("/metrics").body)
	for _, want := range []string{
		fmt.Sprintf("fotoembed_cache_stale_while_revalidate_total %d", perAsset*len(paths)),
		fmt.Sprintf("fotoembed_cache_background_refreshes_total %d", len(cached)),
		"fotoembed_cache_miss_timeouts_total 1",
		`fotoembed_http_requests_total{method="GET",route="/i/*",status="504"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// status GETs u without following redirects and returns the status (0 on
// a client error); safe off the test goroutine.
func status(u string) int {
	res, err := noRedirect.Get(u)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestCacheBoundedThroughServer: resolving more assets than the store's
// limits through the service keeps the store within them, misses cannot
// push assets out, and /metrics counts the evictions.
func TestCacheBoundedThroughServer(t *testing.T) {
	const (
		assets      = 350
		misses      = 50
		maxEntries  = 100
		maxNotFound = 20
		maxBytes    = 72 << 10 // some 60 assets (about 1 KB each): the byte bound holds first
	)
	store := embed.NewBoundedMemoryStore(embed.MemoryStoreConfig{MaxEntries: maxEntries, MaxNotFound: maxNotFound, MaxBytes: maxBytes})
	e := newEnv(t, envOptions{
		fake:  fotowebtest.Options{ExtraAssets: assets},
		embed: func(_ *env, rc *embed.ResolverConfig, _ *embed.Config) { rc.Store = store },
	})
	var refs []string
	for _, href := range e.fake.Assets() {
		if strings.Contains(href, "/Synthetic/") {
			refs = append(refs, href)
		}
	}
	if len(refs) != assets {
		t.Fatalf("%d synthetic assets, want %d", len(refs), assets)
	}
	for i := range misses {
		refs = append(refs, fmt.Sprintf("%sSynthetic/missing-%03d.jpg.info", fotowebtest.PhotosArchive, i))
	}
	for start := 0; start < len(refs); start += DefaultMaxBatch {
		var items []map[string]any
		for _, ref := range refs[start:min(start+DefaultMaxBatch, len(refs))] {
			items = append(items, map[string]any{"ref": ref, "width": 600})
		}
		r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": items})
		wantStatus(t, r, http.StatusOK)
		var got resolveResponse
		decode(t, r, &got)
		for i, res := range got.Results {
			missing := strings.Contains(items[i]["ref"].(string), "/missing-")
			if missing != (res.Error != "") {
				t.Fatalf("%s: error %q", res.Ref, res.Error)
			}
		}
		if st := store.StoreStats(); st.Entries > maxEntries || st.Bytes > maxBytes || st.NotFound > maxNotFound {
			t.Fatalf("over a bound after %d refs: %+v", start+len(items), st)
		}
	}
	st := store.StoreStats()
	if st.Entries == 0 || st.NotFound != maxNotFound {
		t.Errorf("store %+v: want assets and %d not-found markers", st, maxNotFound)
	}
	if ev := st.Evictions; ev.Size+ev.Entries != uint64(assets-st.Entries) || ev.NotFound != misses-maxNotFound || ev.Size == 0 {
		t.Errorf("evictions %+v for %d assets (%d held) and %d misses", ev, assets, st.Entries, misses)
	}
	text := string(e.get("/metrics").body)
	for name, want := range map[string]float64{
		`fotoembed_cache_evictions_total{reason="size"}`:      float64(st.Evictions.Size),
		`fotoembed_cache_evictions_total{reason="entries"}`:   float64(st.Evictions.Entries),
		`fotoembed_cache_evictions_total{reason="not_found"}`: misses - maxNotFound,
		`fotoembed_cache_evictions_total{reason="expired"}`:   0,
		`fotoembed_cache_entries{kind="asset"}`:               float64(st.Entries),
		`fotoembed_cache_entries{kind="not_found"}`:           maxNotFound,
		`fotoembed_cache_max_entries{kind="asset"}`:           maxEntries,
		`fotoembed_cache_max_entries{kind="not_found"}`:       maxNotFound,
		`fotoembed_cache_bytes`:                               float64(st.Bytes),
		`fotoembed_cache_max_bytes`:                           maxBytes,
	} {
		if got, ok := metricValue(text, name); !ok || got != want {
			t.Errorf("%s = %v (found %v), want %v", name, got, ok, want)
		}
	}
}

// metricValue finds the sample name (with its labels) in the Prometheus
// text format.
func metricValue(text, name string) (float64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}
