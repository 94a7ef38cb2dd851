package embed

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

const landscapeRef = fotowebtest.LandscapeAsset

// archivesPrefix matches every asset request (faults match decoded paths).
const archivesPrefix = "/fotoweb/archives/"

func TestResolveConcurrentMissesOneRequest(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	// Slow FotoWeb down so that every caller arrives during the fetch.
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Latency: 100 * time.Millisecond})
	spellings := []string{
		landscapeRef,
		strings.ReplaceAll(landscapeRef, "%20", " "),
		v.fake.URL + landscapeRef,
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	infos := make(chan *Info, 100)
	for i := range 100 {
		wg.Go(func() {
			in, err := v.res.Resolve(context.Background(), spellings[i%len(spellings)])
			errs <- err
			infos <- in
		})
	}
	wg.Wait()
	close(errs)
	close(infos)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	first := <-infos
	for in := range infos {
		if in != first {
			t.Fatal("callers got different Infos")
		}
	}
	if n := v.fake.Count(landscapeRef); n != 1 {
		t.Errorf("100 concurrent misses made %d upstream requests, want 1", n)
	}
	if s := v.res.Stats(); s.Fetches != 1 || s.Hits+s.Misses != 100 {
		t.Errorf("stats %+v", s)
	}
	if first.Href != landscapeRef || first.Width != 5472 || first.Text.Alt == "" {
		t.Errorf("info %+v", first)
	}
}

func TestResolveTTL(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute})
	ctx := context.Background()
	resolve := func() {
		t.Helper()
		if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
			t.Fatal(err)
		}
	}
	resolve()
	v.clock.Advance(59 * time.Second)
	resolve()
	if n := v.fake.Count(landscapeRef); n != 1 {
		t.Fatalf("%d requests within the TTL, want 1", n)
	}
	v.clock.Advance(2 * time.Second) // stale: served at once, refreshed in the background
	resolve()
	v.res.bgWG.Wait()
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Fatalf("%d requests after the TTL, want 2", n)
	}
	resolve() // the refreshed entry is fresh
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Fatalf("%d requests after the refresh, want 2", n)
	}
	if s := v.res.Stats(); s.Hits != 2 || s.Misses != 1 || s.StaleWhileRevalidate != 1 || s.BackgroundRefreshes != 1 || s.Fetches != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestResolveStaleIfError(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute, StaleIfError: 10 * time.Minute, ErrorBackoff: 5 * time.Second})
	ctx := context.Background()
	fresh, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Status: 503})

	v.clock.Advance(2 * time.Minute) // stale, within the window: served while refreshed
	in, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil || in != fresh {
		t.Fatalf("stale serve: %v, %v", in, err)
	}
	v.res.bgWG.Wait() // the background refresh fails: the entry is kept, stale
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Errorf("%d requests, want 2 (one failed refresh)", n)
	}
	v.clock.Advance(time.Second) // within the back-off: no new request
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatal(err)
	}
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Errorf("%d requests during the back-off, want 2", n)
	}
	s := v.res.Stats()
	if s.StaleWhileRevalidate != 1 || s.StaleServes != 1 || s.UpstreamErrors != 1 || s.BackgroundRefreshes != 1 {
		t.Errorf("stats %+v", s)
	}

	v.clock.Advance(10 * time.Minute) // past FreshUntil + StaleIfError
	_, err = v.res.Resolve(ctx, landscapeRef)
	if !errors.Is(err, ErrUpstream) {
		t.Fatalf("after the window: err = %v, want ErrUpstream", err)
	}
	if strings.Contains(err.Error(), "access_token") {
		t.Errorf("error leaks a token parameter: %v", err)
	}

	v.fake.ClearFaults() // recovery
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestResolveUpstreamDownNoEntry(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Status: 500})
	if _, err := v.res.Resolve(context.Background(), landscapeRef); !errors.Is(err, ErrUpstream) {
		t.Fatalf("err = %v, want ErrUpstream", err)
	}
}

func TestInvalidate(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ctx := context.Background()
	in, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	v.fake.SetMetadata(landscapeRef, 120, "A new caption")
	if in2, _ := v.res.Resolve(ctx, landscapeRef); in2 != in {
		t.Fatal("cache not used before invalidation")
	}
	if err := v.res.Invalidate(context.Background(), v.fake.URL+landscapeRef); err != nil { // webhooks send absolute hrefs
		t.Fatal(err)
	}
	in3, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if in3.Text.Caption != "A new caption" || in3.Text.Alt != "A new caption" {
		t.Errorf("after invalidation caption %q alt %q", in3.Text.Caption, in3.Text.Alt)
	}
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if err := v.res.Invalidate(context.Background(), "not a ref"); !errors.Is(err, ErrBadRef) {
		t.Errorf("bad ref: %v", err)
	}
}

func TestNotFoundCachedBriefly(t *testing.T) {
	v := newEnv(t, ResolverConfig{NotFoundTTL: 30 * time.Second})
	ctx := context.Background()
	missing := "/fotoweb/archives/5001-Photos/Folder%2019/nope.jpg.info"
	for range 2 {
		if _, err := v.res.Resolve(ctx, missing); !errors.Is(err, fotoweb.ErrNotFound) {
			t.Fatalf("err = %v, want not found", err)
		}
	}
	if n := v.fake.Count(missing); n != 1 {
		t.Fatalf("%d requests for a cached not-found, want 1", n)
	}
	v.clock.Advance(31 * time.Second)
	if _, err := v.res.Resolve(ctx, missing); !errors.Is(err, fotoweb.ErrNotFound) {
		t.Fatal(err)
	}
	if n := v.fake.Count(missing); n != 2 {
		t.Fatalf("%d requests after NotFoundTTL, want 2", n)
	}
	if s := v.res.Stats(); s.NotFound != 3 || s.UpstreamErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestDeletedAssetNotFound(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ctx := context.Background()
	if _, err := v.res.Resolve(ctx, fotowebtest.SquareAsset); err != nil {
		t.Fatal(err)
	}
	v.fake.DeleteAsset(fotowebtest.SquareAsset)
	if err := v.res.Invalidate(context.Background(), fotowebtest.SquareAsset); err != nil {
		t.Fatal(err)
	}
	if _, err := v.res.Resolve(ctx, fotowebtest.SquareAsset); !errors.Is(err, fotoweb.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
}

func TestResolveBadRef(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	for _, ref := range []string{"", "harbour.jpg", "https://evil.example/fotoweb/archives/5001-Photos/a.jpg.info"} {
		if _, err := v.res.Resolve(context.Background(), ref); !errors.Is(err, ErrBadRef) {
			t.Errorf("%q: err = %v, want ErrBadRef", ref, err)
		}
	}
}

func TestResolveNoImage(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	for _, ref := range []string{fotowebtest.DocumentAsset, fotowebtest.VideoAsset} {
		_, err := v.emb.Img(context.Background(), ref, Options{Width: 300})
		if !errors.Is(err, ErrNoImage) {
			t.Errorf("%s: err = %v, want ErrNoImage", ref, err)
		}
	}
	if _, err := v.emb.Img(context.Background(), fotowebtest.GraphicAsset, Options{Width: 300}); err != nil {
		t.Errorf("graphic: %v", err)
	}
}

func TestResolveContextCancelled(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := v.res.Resolve(ctx, landscapeRef); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// The fetch goes on for others and fills the cache.
	if _, err := v.res.Resolve(context.Background(), landscapeRef); err != nil {
		t.Fatal(err)
	}
	if n := v.fake.Count(landscapeRef); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestResolveEndedContextStartsNoFetch: a miss whose context has already
// ended (say, the store's lookup gave up with it) returns the context's
// error and starts no fetch.
func TestResolveEndedContextStartsNoFetch(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	hang := make(chan struct{})
	release := sync.OnceFunc(func() { close(hang) })
	t.Cleanup(release) // before the fake closes
	// A fetch started stays under way until release.
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Hang: hang})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.res.Resolve(ctx, landscapeRef); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// A flight of the key under way is joined instead of run.
	key, err := v.res.Key(landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	ch := v.res.group.DoChan(key, func() (any, error) { return "probe", nil })
	release()
	probe := <-ch
	if probe.Shared || probe.Val != "probe" {
		t.Errorf("a fetch was started for the ended context (%+v)", probe)
	}
	if n := v.fake.Count(landscapeRef); n != 0 || v.res.Stats().Fetches != 0 {
		t.Errorf("%d upstream requests, %d fetches counted; want none", n, v.res.Stats().Fetches)
	}
}

// TestInvalidateDuringFetch checks that an answer fetched before an
// invalidation is not stored: it may predate the change announced.
func TestInvalidateDuringFetch(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Latency: 200 * time.Millisecond, Times: 1})
	done := make(chan error)
	go func() {
		_, err := v.res.Resolve(context.Background(), landscapeRef)
		done <- err
	}()
	for v.fake.Count(landscapeRef) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	v.fake.SetMetadata(landscapeRef, 120, "Changed during the fetch")
	if err := v.res.Invalidate(context.Background(), landscapeRef); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	in, err := v.res.Resolve(context.Background(), landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if in.Text.Caption != "Changed during the fetch" {
		t.Errorf("caption %q: the pre-invalidation answer was cached", in.Text.Caption)
	}
	if n := v.fake.Count(landscapeRef); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestMemoryStore(t *testing.T) {
	s := NewMemoryStore(0)
	e := &Entry{NotFound: true}
	s.Set(context.Background(), "k", e, 0)
	if got, ok := s.Get(context.Background(), "k"); !ok || got != e || s.Len() != 1 {
		t.Fatalf("get %v %v", got, ok)
	}
	s.Set(context.Background(), "short", e, time.Nanosecond)
	time.Sleep(time.Millisecond)
	if _, ok := s.Get(context.Background(), "short"); ok {
		t.Error("expired entry returned")
	}
	s.Delete(context.Background(), "k")
	if _, ok := s.Get(context.Background(), "k"); ok {
		t.Error("deleted entry returned")
	}
}

// TestPrime: an asset a search already returned resolves without an
// upstream request, as the same Info; a fresh entry is not replaced; after
// the TTL the asset is fetched again.
func TestPrime(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute})
	ctx := context.Background()
	hits, err := v.client.Search(ctx, "/fotoweb/archives/5001-Photos/{?q}", "harbour", 5)
	if err != nil || len(hits) == 0 {
		t.Fatalf("search: %d hits, %v", len(hits), err)
	}
	a := &hits[0]
	primed, err := v.res.Prime(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.res.Resolve(ctx, a.Href)
	if err != nil {
		t.Fatal(err)
	}
	if got != primed {
		t.Error("Resolve did not return the primed Info")
	}
	if n := v.fake.Count(a.Href); n != 0 {
		t.Errorf("%d asset requests after priming, want 0", n)
	}
	if again, _ := v.res.Prime(context.Background(), a); again != primed {
		t.Error("priming again replaced a fresh entry")
	}
	v.clock.Advance(2 * time.Minute)
	if _, err := v.res.Resolve(ctx, a.Href); err != nil {
		t.Fatal(err)
	}
	v.res.bgWG.Wait()
	if n := v.fake.Count(a.Href); n != 1 {
		t.Errorf("%d asset requests after the TTL, want 1", n)
	}
	if _, err := v.res.Prime(context.Background(), &fotoweb.Asset{Href: "not a ref"}); !errors.Is(err, ErrBadRef) {
		t.Errorf("bad href: %v", err)
	}
}

// TestCached: Cached says whether Resolve would answer from the store,
// for every spelling of the asset, without fetching or counting.
func TestCached(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ref := v.fake.URL + fotowebtest.LandscapeAsset + "?access_token=pasted"
	if v.res.Cached(context.Background(), fotowebtest.LandscapeAsset) || v.res.Cached(context.Background(), ref) {
		t.Fatal("cached before any resolve")
	}
	if _, err := v.res.Resolve(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	before := v.res.Stats()
	if !v.res.Cached(context.Background(), fotowebtest.LandscapeAsset) || !v.res.Cached(context.Background(), ref) || !v.res.Cached(context.Background(), "not a ref") {
		t.Error("not cached after a resolve")
	}
	v.clock.Advance(DefaultTTL + time.Second)
	if !v.res.Cached(context.Background(), fotowebtest.LandscapeAsset) {
		t.Error("a stale entry served while refreshed does not count as cached")
	}
	v.clock.Advance(DefaultStaleIfError)
	if v.res.Cached(context.Background(), fotowebtest.LandscapeAsset) {
		t.Error("an entry past its stale window counts as cached")
	}
	if v.res.Stats() != before {
		t.Error("Cached changed the counters")
	}
}
