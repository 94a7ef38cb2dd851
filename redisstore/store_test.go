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
	a.Set("/a.info", e, 90*time.Second)
	got, ok := b.Get("/a.info")
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
	a.Delete("/a.info")
	if n, err := a.rdb.Exists(context.Background(), "rt:entry:/a.info").Result(); err != nil || n != 0 {
		t.Errorf("entry still in Redis after Delete (%d, %v)", n, err)
	}
	testutil.WaitFor(t, time.Second, "b's near cache drops the deleted entry", func() bool { return !b.inNear("/a.info") })
	if _, ok := b.Get("/a.info"); ok {
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
	if err := c.replicas[0].res.Invalidate(href); err != nil {
		t.Fatal(err)
	}
	key, _ := c.replicas[0].res.Key(href)
	testutil.WaitFor(t, time.Second, "every near cache drops the entry", func() bool {
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
	a.Set("/k.info", &embed.Entry{NotFound: true}, time.Minute)
	if e, ok := b.Get("/k.info"); !ok || !e.NotFound {
		t.Fatal("b: entry not shared")
	}
	a.Set("/k.info", &embed.Entry{Info: &embed.Info{Href: "/k.info"}}, time.Minute) // no invalidation
	testutil.WaitFor(t, 2*time.Second, "b reads the new entry", func() bool {
		e, ok := b.Get("/k.info")
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
	b.Delete("/f.info") // the webhook, on another replica
	testutil.WaitFor(t, time.Second, "a hears of the invalidation", func() bool { return a.fills.invalidated("/f.info") })
	a.Set("/f.info", &embed.Entry{NotFound: true}, time.Minute)
	unlock()
	if _, ok := b.Get("/f.info"); ok {
		t.Error("an entry fetched across an invalidation was stored")
	}
	a.Set("/f.info", &embed.Entry{NotFound: true}, time.Minute) // a later fill is stored
	if _, ok := b.Get("/f.info"); !ok {
		t.Error("a Set after the fill ended was dropped")
	}
}
