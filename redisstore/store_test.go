package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestEntryRoundTrip: an entry comes back from Redis as it went in, with
// the TTL the resolver asked for, and Delete removes it.
func TestEntryRoundTrip(t *testing.T) {
	r := redistest.Start(t)
	a := newStore(t, r, Config{KeyPrefix: "rt:"})
	b := newStore(t, r, Config{KeyPrefix: "rt:"})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := &embed.Entry{
		Info: &embed.Info{Href: "/a.info", Width: 300, Height: 200, Modified: now,
			Previews: []embed.Preview{{Size: 200, Width: 200, Height: 133, Href: "/p.jpg"}}},
		Fetched: now, FreshUntil: now.Add(time.Minute), StaleUntil: now.Add(time.Hour),
	}
	a.Set(context.Background(), "/a.info", e, 90*time.Second)
	got, ok := b.Get(context.Background(), "/a.info")
	if !ok {
		t.Fatal("entry not shared")
	}
	if diff := cmp.Diff(e, got, cmpopts.IgnoreUnexported(embed.Info{})); diff != "" {
		t.Errorf("entry changed on the way (-want +got):\n%s", diff)
	}
	ttl := pttl(t, a, "rt:entry:/a.info")
	if ttl <= 80*time.Second || ttl > 90*time.Second {
		t.Errorf("Redis TTL %v, want 90s", ttl)
	}
	a.Delete(context.Background(), "/a.info")
	if n, err := a.rdb.Exists(context.Background(), "rt:entry:/a.info").Result(); err != nil || n != 0 {
		t.Errorf("entry still in Redis after Delete (%d, %v)", n, err)
	}
	testutil.WaitFor(t, 10*time.Second, "b's near cache drops the deleted entry", func() bool { return !b.inNear("/a.info") })
	if _, ok := b.Get(context.Background(), "/a.info"); ok {
		t.Error("entry still there after Delete")
	}
}

// ttl returns the TTL of a Redis key.
func pttl(t testing.TB, s *Store, key string) time.Duration {
	t.Helper()
	d, err := s.rdb.PTTL(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSharedEntries: what one replica resolved, the others get from Redis
// without asking FotoWeb.
func TestSharedEntries(t *testing.T) {
	c := newCluster(t, 3, Config{})
	href := fotowebtest.LandscapeAsset
	first := c.resolve(t, 0, href)
	if n := c.fetches(href); n != 1 {
		t.Fatalf("first resolve: %d upstream requests", n)
	}
	for i := 1; i < 3; i++ {
		in := c.resolve(t, i, href)
		if in.Width != first.Width || in.Href != first.Href || len(in.Previews) != len(first.Previews) {
			t.Errorf("replica %d got a different entry: %+v", i, in)
		}
	}
	if n := c.fetches(href); n != 1 {
		t.Errorf("after resolving on three replicas: %d upstream requests, want 1", n)
	}
	if st := c.replicas[1].store.Stats(); st.SharedHits == 0 || !st.Up {
		t.Errorf("replica 1 stats %+v: want a shared hit and Up", st)
	}
}

// TestWebhookInvalidatesAll: a Delete on one replica (what a webhook
// does) reaches every near cache within a second; every replica's next
// resolve asks FotoWeb again, and they share the new entry.
func TestWebhookInvalidatesAll(t *testing.T) {
	c := newCluster(t, 3, Config{NearTTL: time.Minute})
	href := fotowebtest.PortraitAsset
	for i := range c.replicas {
		c.resolve(t, i, href) // every near cache holds it
	}
	if n := c.fetches(href); n != 1 {
		t.Fatalf("%d upstream requests before the webhook", n)
	}
	start := time.Now()
	if err := c.replicas[0].res.Invalidate(context.Background(), href); err != nil {
		t.Fatal(err)
	}
	key, _ := c.replicas[0].res.Key(href)
	testutil.WaitFor(t, 10*time.Second, "every near cache drops the entry", func() bool {
		for _, r := range c.replicas {
			if r.store.inNear(key) {
				return false
			}
		}
		return true
	})
	t.Logf("invalidated everywhere in %v", time.Since(start))
	c.resolve(t, 2, href)
	if n := c.fetches(href); n != 2 {
		t.Fatalf("after the webhook, replica 2 resolved with %d upstream requests in all, want 2", n)
	}
	c.resolve(t, 0, href)
	c.resolve(t, 1, href)
	if n := c.fetches(href); n != 2 {
		t.Errorf("the refetched entry is not shared: %d upstream requests", n)
	}
}

// TestNearCacheExpires: a replica sees another's new entry once its near
// copy is NearTTL old.
func TestNearCacheExpires(t *testing.T) {
	r := redistest.Start(t)
	a := newStore(t, r, Config{NearTTL: 50 * time.Millisecond})
	b := newStore(t, r, Config{NearTTL: 50 * time.Millisecond})
	a.Set(context.Background(), "/k.info", &embed.Entry{NotFound: true}, time.Minute)
	if e, ok := b.Get(context.Background(), "/k.info"); !ok || !e.NotFound {
		t.Fatal("b: entry not shared")
	}
	a.Set(context.Background(), "/k.info", &embed.Entry{Info: &embed.Info{Href: "/k.info"}}, time.Minute) // no invalidation
	testutil.WaitFor(t, 10*time.Second, "b reads the new entry", func() bool {
		e, ok := b.Get(context.Background(), "/k.info")
		return ok && e.Info != nil
	})
}

// TestConfig: bad configurations are refused with every problem named,
// and a password never appears in the message.
func TestConfig(t *testing.T) {
	_, err := New(context.Background(), Config{URL: "http://user:s3cret@host/", Timeout: -1})
	if err == nil || !strings.Contains(err.Error(), "Timeout is negative") || !strings.Contains(err.Error(), "URL") {
		t.Fatalf("New = %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("password leaked: %v", err)
	}
	if _, err := New(context.Background(), Config{}); err == nil || !strings.Contains(err.Error(), "URL is missing") {
		t.Errorf("empty config: %v", err)
	}
	if got := RedactURL("redis://:s3cret@host:6379/2"); strings.Contains(got, "s3cret") {
		t.Errorf("RedactURL = %q", got)
	}
}

// TestInvalidationDuringFill: an entry fetched while another replica
// received a webhook for it is not stored: it may predate the change.
func TestInvalidationDuringFill(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	unlock, err := a.LockFill(context.Background(), "/f.info")
	if err != nil {
		t.Fatal(err)
	}
	b.Delete(context.Background(), "/f.info") // the webhook, on another replica
	testutil.WaitFor(t, 10*time.Second, "a hears of the invalidation", func() bool { return a.fills.invalidated("/f.info") })
	a.Set(context.Background(), "/f.info", &embed.Entry{NotFound: true}, time.Minute)
	unlock()
	if _, ok := b.Get(context.Background(), "/f.info"); ok {
		t.Error("an entry fetched across an invalidation was stored")
	}
	a.Set(context.Background(), "/f.info", &embed.Entry{NotFound: true}, time.Minute) // a later fill is stored
	if _, ok := b.Get(context.Background(), "/f.info"); !ok {
		t.Error("a Set after the fill ended was dropped")
	}
}

// TestCallerContextEnds: Get and Set stop waiting for Redis when the
// caller's context ends, though Redis answers nothing and Timeout is an
// hour away: Get answers a miss, Set gives up the write, and neither
// counts as a Redis error.
func TestCallerContextEnds(t *testing.T) {
	r := redistest.Start(t)
	// No health pings: a frozen Redis must not be reported down meanwhile.
	s := newStore(t, r, Config{KeyPrefix: "cx:", Timeout: time.Hour, HealthInterval: time.Hour})
	t.Cleanup(r.Resume) // before the store closes
	bg := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := &embed.Entry{NotFound: true, Fetched: now, FreshUntil: now.Add(time.Minute), StaleUntil: now.Add(time.Minute)}
	s.Set(bg, "/a.info", e, time.Minute)
	s.clearNear() // Get must ask Redis
	before := s.Stats()

	r.Pause()
	ctx, cancel := context.WithCancel(bg)
	asked := s.rdb.PoolStats()
	got := make(chan bool, 1)
	go func() {
		_, ok := s.Get(ctx, "/a.info")
		got <- ok
	}()
	testutil.WaitFor(t, 10*time.Second, "Get to take a connection to the frozen Redis", func() bool {
		st := s.rdb.PoolStats()
		return st.Hits+st.Misses > asked.Hits+asked.Misses
	})
	cancel()
	select {
	case ok := <-got:
		if ok {
			t.Error("Get whose context ended found the entry")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Get still waits for the frozen Redis after its context ended")
	}

	set := make(chan struct{})
	go func() {
		s.Set(ctx, "/b.info", e, time.Minute) // ctx has ended
		close(set)
	}()
	select {
	case <-set:
	case <-time.After(30 * time.Second):
		t.Fatal("Set with an ended context waits for the frozen Redis")
	}
	after := s.Stats()
	if after.Errors != before.Errors || after.Misses != before.Misses+1 || after.SharedHits != before.SharedHits {
		t.Errorf("stats %+v after the ended contexts, before %+v: want one more miss, no error", after, before)
	}

	r.Resume()
	if n, err := s.rdb.Exists(bg, "cx:entry:/b.info").Result(); err != nil || n != 0 {
		t.Errorf("Set with an ended context wrote to Redis (%d, %v)", n, err)
	}
	s.clearNear()
	if _, ok := s.Get(bg, "/a.info"); !ok {
		t.Error("Get after Redis answers again: entry missing")
	}
}

// TestDeleteAfterContextEnds: a Delete whose context has ended is not
// lost: it is held and sent when Redis answers the next health ping.
func TestDeleteAfterContextEnds(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r, Config{KeyPrefix: "dx:"})
	bg := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.Set(bg, "/a.info", &embed.Entry{NotFound: true, Fetched: now, FreshUntil: now.Add(time.Minute), StaleUntil: now.Add(time.Minute)}, time.Minute)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	s.Delete(ctx, "/a.info")
	if s.inNear("/a.info") {
		t.Error("near cache still holds the deleted entry")
	}
	testutil.WaitFor(t, 10*time.Second, "the held delete to be sent", func() bool { return s.Stats().PendingDeletes == 0 })
	if n, err := s.rdb.Exists(bg, "dx:entry:/a.info").Result(); err != nil || n != 0 {
		t.Errorf("entry still in Redis after the held Delete (%d, %v)", n, err)
	}
	if st := s.Stats(); st.Errors != 0 {
		t.Errorf("an ended context counted as a Redis error: %+v", st)
	}
}
