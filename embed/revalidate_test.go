package embed

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// hang makes the fake hold requests for ref until the returned release
// is called (also at cleanup, before the fake closes).
func hang(t *testing.T, v *env, ref string) (release func()) {
	t.Helper()
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	v.fake.SetFault(ref, fotowebtest.Fault{Hang: ch})
	return release
}

// waitRequests waits until the fake has seen n requests for ref.
func waitRequests(t *testing.T, v *env, ref string, n int) {
	t.Helper()
	testutil.WaitFor(t, 10*time.Second, "the fake to see the request", func() bool { return v.fake.Count(ref) >= n })
}

// TestStaleWhileRevalidate: a stale entry is served at once to every
// caller while FotoWeb hangs, with one background refresh for all of
// them; once FotoWeb answers, its answer replaces the entry.
func TestStaleWhileRevalidate(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute})
	ctx := context.Background()
	old, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(2 * time.Minute)
	release := hang(t, v, landscapeRef)
	v.fake.SetMetadata(landscapeRef, FieldCaption, "Refreshed caption")

	const n = 50
	var wg sync.WaitGroup
	got := make(chan *Info, n)
	for range n {
		wg.Go(func() {
			in, err := v.res.Resolve(ctx, landscapeRef)
			if err != nil {
				t.Error(err)
			}
			got <- in
		})
	}
	wg.Wait() // every caller answered while FotoWeb still hangs
	close(got)
	for in := range got {
		if in != old {
			t.Fatal("a caller did not get the stale entry")
		}
	}
	waitRequests(t, v, landscapeRef, 2)
	if c := v.fake.Count(landscapeRef); c != 2 {
		t.Errorf("%d upstream requests, want 2 (the first fetch and one refresh)", c)
	}
	release()
	v.res.bgWG.Wait()
	in, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if in.Text.Caption != "Refreshed caption" {
		t.Errorf("after the refresh: caption %q", in.Text.Caption)
	}
	s := v.res.Stats()
	if s.StaleWhileRevalidate != n || s.BackgroundRefreshes != 1 || s.Fetches != 2 || s.Misses != 1 || s.Hits != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestStaleWhileRevalidateWindow: past the stale window the caller waits.
func TestStaleWhileRevalidateWindow(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute, StaleIfError: 5 * time.Minute})
	ctx := context.Background()
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(time.Minute + 5*time.Minute) // FreshUntil + StaleIfError
	v.fake.SetMetadata(landscapeRef, FieldCaption, "New")
	in, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil || in.Text.Caption != "New" {
		t.Fatalf("past the window: %v, %v; want the new answer", in, err)
	}
	if s := v.res.Stats(); s.StaleWhileRevalidate != 0 || s.Misses != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestStaleWhileRevalidatePreviewToken: a stale entry is served while
// refreshed only while its previewToken has the margin left; after that
// the caller waits for a new token.
func TestStaleWhileRevalidatePreviewToken(t *testing.T) {
	// Tokens live an hour: fresh for 45 min, servable stale until 50 min
	// (10 min margin), stale window until 75 min.
	v := newEnv(t, ResolverConfig{TTL: 45 * time.Minute, PreviewTokens: true})
	ctx := context.Background()
	first, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(46 * time.Minute)
	if in, err := v.res.Resolve(ctx, landscapeRef); err != nil || in != first {
		t.Fatalf("14 min of token left: %v; want the stale entry at once", err)
	}
	v.res.bgWG.Wait()
	if s := v.res.Stats(); s.StaleWhileRevalidate != 1 || s.BackgroundRefreshes != 1 {
		t.Fatalf("stats %+v", s)
	}

	w := newEnv(t, ResolverConfig{TTL: 45 * time.Minute, PreviewTokens: true})
	first, err = w.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(51 * time.Minute) // 9 min left: inside the margin
	in, err := w.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if in == first || in.PreviewTokenExpires.Sub(w.clock.Now()) < 50*time.Minute {
		t.Errorf("got the old entry (token left %v); want a refreshed one", in.PreviewTokenExpires.Sub(w.clock.Now()))
	}
	if s := w.res.Stats(); s.StaleWhileRevalidate != 0 || s.Misses != 2 || s.BackgroundRefreshes != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestStaleWhileRevalidateRights: past its rights expiry a stale entry is
// never served; the caller waits for FotoWeb (which may have extended
// the licence).
func TestStaleWhileRevalidateRights(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Hour, Fields: Fields{RightsExpiry: expiryField}})
	ctx := context.Background()
	end := v.clock.Now().Add(10 * time.Minute)
	v.fake.SetMetadata(landscapeRef, expiryField, end.Format(time.RFC3339))
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatal(err)
	}
	extended := end.Add(24 * time.Hour)
	v.fake.SetMetadata(landscapeRef, expiryField, extended.Format(time.RFC3339))
	v.clock.Advance(11 * time.Minute) // stale (at the expiry), within the stale window
	in, err := v.res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Rights.Expires.Equal(extended) {
		t.Errorf("rights expire %v; want the extension %v (the expired entry was served)", in.Rights.Expires, extended)
	}
	if s := v.res.Stats(); s.StaleWhileRevalidate != 0 || s.Misses != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestNotFoundNotServedStale: a not-found marker past its TTL is not
// served while refreshed; the caller waits (here: past its budget).
func TestNotFoundNotServedStale(t *testing.T) {
	v := newEnv(t, ResolverConfig{NotFoundTTL: 30 * time.Second, MissTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	missing := "/fotoweb/archives/5001-Photos/Folder%2019/nope.jpg.info"
	if _, err := v.res.Resolve(ctx, missing); !errors.Is(err, fotoweb.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	v.clock.Advance(31 * time.Second)
	hang(t, v, missing)
	_, err := v.res.Resolve(ctx, missing)
	if !errors.Is(err, ErrUpstream) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the miss budget's error", err)
	}
	if s := v.res.Stats(); s.StaleWhileRevalidate != 0 || s.MissTimeouts != 1 {
		t.Errorf("stats %+v", s)
	}
}

// gatedSource hands each answer to the test (fetched) and returns it only
// when the test says (gate), so that the test can act between FotoWeb's
// answer and the resolver storing it.
type gatedSource struct {
	AssetSource
	fetched chan struct{}
	gate    chan struct{}
}

func (s *gatedSource) Asset(ctx context.Context, ref string) (*fotoweb.Asset, error) {
	a, err := s.AssetSource.Asset(ctx, ref)
	s.fetched <- struct{}{}
	<-s.gate
	return a, err
}

// TestInvalidateWinsOverBackgroundRefresh: a background refresh whose
// answer arrives after an invalidation is not stored.
func TestInvalidateWinsOverBackgroundRefresh(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Minute})
	ctx := context.Background()
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatal(err)
	}
	src := &gatedSource{AssetSource: v.client, fetched: make(chan struct{}), gate: make(chan struct{})}
	res, err := NewResolver(ResolverConfig{Source: src, Store: v.res.Store(), TTL: time.Minute, Now: v.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(2 * time.Minute)
	if _, err := res.Resolve(ctx, landscapeRef); err != nil { // stale: served, refresh started
		t.Fatal(err)
	}
	<-src.fetched // FotoWeb answered with the old caption
	v.fake.SetMetadata(landscapeRef, FieldCaption, "Changed after the answer")
	if err := res.Invalidate(context.Background(), landscapeRef); err != nil {
		t.Fatal(err)
	}
	close(src.gate)
	res.bgWG.Wait()
	if _, ok := res.Store().Get(context.Background(), landscapeRef); ok {
		t.Fatal("the refresh that predates the invalidation was stored")
	}
	go func() { <-src.fetched }()
	in, err := res.Resolve(ctx, landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	if in.Text.Caption != "Changed after the answer" {
		t.Errorf("caption %q", in.Text.Caption)
	}
	if s := res.Stats(); s.BackgroundRefreshes != 1 || s.Fetches != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestMissTimeout: a caller waiting on a miss gives up after the budget
// with an error the server maps to 504, while FotoWeb still hangs; the
// fetch goes on and fills the cache for the next caller.
func TestMissTimeout(t *testing.T) {
	v := newEnv(t, ResolverConfig{MissTimeout: 50 * time.Millisecond})
	release := hang(t, v, landscapeRef)
	ctx := context.Background()
	for range 2 { // the second caller joins the same fetch and gives up too
		_, err := v.res.Resolve(ctx, landscapeRef)
		if !errors.Is(err, ErrUpstream) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUpstream and DeadlineExceeded", err)
		}
	}
	if c := v.fake.Count(landscapeRef); c != 1 {
		t.Errorf("%d upstream requests, want 1", c)
	}
	release()
	testutil.WaitFor(t, 10*time.Second, "the fetch to fill the cache", func() bool { return v.res.Cached(context.Background(), landscapeRef) })
	if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
		t.Fatal(err)
	}
	if c := v.fake.Count(landscapeRef); c != 1 {
		t.Errorf("%d upstream requests, want 1 (the fetch went on)", c)
	}
	if s := v.res.Stats(); s.MissTimeouts != 2 || s.Fetches != 1 || s.Hits != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestMissTimeoutOff: a negative budget waits for the fetch.
func TestMissTimeoutOff(t *testing.T) {
	v := newEnv(t, ResolverConfig{MissTimeout: -1})
	if v.res.cfg.MissTimeout != 0 {
		t.Fatalf("MissTimeout %v, want 0 (off)", v.res.cfg.MissTimeout)
	}
	release := hang(t, v, landscapeRef)
	done := make(chan error, 1)
	go func() {
		_, err := v.res.Resolve(context.Background(), landscapeRef)
		done <- err
	}()
	waitRequests(t, v, landscapeRef, 1)
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
