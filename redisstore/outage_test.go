package redisstore

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// hangLimit tells a resolve that hangs from one that is slow on a busy
// machine: a stopped Redis costs a call its Timeout (100 ms here), so
// only a call that ignores it comes near this.
const hangLimit = 30 * time.Second

// resolveAll resolves every href on every replica, failing the test on
// any error or on a resolve that takes hangLimit or longer.
func (c *cluster) resolveAll(t *testing.T, hrefs ...string) {
	t.Helper()
	for i := range c.replicas {
		for _, h := range hrefs {
			start := time.Now()
			c.resolve(t, i, h)
			if el := time.Since(start); el >= hangLimit {
				t.Errorf("replica %d: resolving %s took %v: it waited on Redis beyond its Timeout", i, h, el)
			}
		}
	}
}

// waitAll waits until cond holds for every replica's store.
func (c *cluster) waitAll(t *testing.T, d time.Duration, what string, cond func(*Store) bool) {
	t.Helper()
	testutil.WaitFor(t, d, what, func() bool {
		for _, r := range c.replicas {
			if !cond(r.store) {
				return false
			}
		}
		return true
	})
}

// TestRedisKilledAndRestarted: with Redis gone every resolve is still
// answered (near cache, FotoWeb), a webhook is held, errors are logged
// once; when Redis is back on the same port the replicas reconnect,
// resubscribe, send the held invalidation and share entries again.
func TestRedisKilledAndRestarted(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	c := newCluster(t, 3, Config{NearTTL: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	a, b := fotowebtest.LandscapeAsset, fotowebtest.SquareAsset
	c.resolveAll(t, a, b)
	if n := c.fetches(a); n != 1 {
		t.Fatalf("before the outage: %d upstream requests for one asset", n)
	}

	c.redis.Kill()
	killed := time.Now()
	deadline := time.Now().Add(5 * time.Second)
	for !c.allDown() { // keep serving while the replicas notice
		c.resolveAll(t, a, b, fotowebtest.PanoramaAsset)
		if time.Now().After(deadline) {
			t.Fatal("the replicas did not notice Redis is down")
		}
	}
	t.Logf("outage noticed after %v", time.Since(killed))
	c.resolveAll(t, a, b, fotowebtest.PanoramaAsset, fotowebtest.SmallAsset)
	if err := c.replicas[0].res.Invalidate(context.Background(), a); err != nil { // a webhook during the outage
		t.Fatal(err)
	}
	if st := c.replicas[0].store.Stats(); st.PendingDeletes != 1 || st.Up || st.Errors == 0 {
		t.Errorf("replica 0 during the outage: %+v", st)
	}
	if err := c.replicas[1].store.Check(context.Background()); err == nil {
		t.Error("Check passes with Redis down")
	}
	if n := strings.Count(logs.String(), "Redis is down"); n != 3 {
		t.Errorf("%d \"Redis is down\" lines from three replicas, want 3:\n%s", n, logs)
	}
	if n := strings.Count(logs.String(), "Redis call failed"); n > 3 {
		t.Errorf("%d \"Redis call failed\" lines from three replicas, want at most one each:\n%s", n, logs)
	}

	c.redis.Restart()
	restarted := time.Now()
	c.waitAll(t, 10*time.Second, "reconnected, resubscribed, invalidation replayed", func(s *Store) bool {
		st := s.Stats()
		return st.Up && st.Resubscribes >= 1 && st.PendingDeletes == 0
	})
	t.Logf("recovered %v after the restart", time.Since(restarted))
	if err := c.replicas[1].store.Check(context.Background()); err != nil {
		t.Errorf("Check after the restart: %v", err)
	}

	d := fotowebtest.PortraitAsset
	before := c.fetches(d)
	c.resolveAll(t, d)
	if n := c.fetches(d) - before; n != 1 {
		t.Errorf("after the restart: %d upstream requests for one asset on three replicas, want 1", n)
	}
	if err := c.replicas[1].res.Invalidate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	key, _ := c.replicas[1].res.Key(d)
	c.waitAll(t, time.Second, "near caches drop the invalidated entry", func(s *Store) bool { return !s.inNear(key) })
	c.resolve(t, 2, d)
	if n := c.fetches(d) - before; n != 2 {
		t.Errorf("after an invalidation following the restart: %d upstream requests, want 2", n)
	}
}

func (c *cluster) allDown() bool {
	for _, r := range c.replicas {
		if r.store.Stats().Up {
			return false
		}
	}
	return true
}

// TestRedisSlow: a Redis that stops answering (SIGSTOP) costs each call
// its Timeout, never a failed or hanging request; a webhook meanwhile is
// held and sent when it answers again; then the replicas share entries
// again.
func TestRedisSlow(t *testing.T) {
	c := newCluster(t, 2, Config{Timeout: 100 * time.Millisecond})
	c.resolveAll(t, fotowebtest.LandscapeAsset)
	c.redis.Pause()
	for _, h := range []string{fotowebtest.LandscapeAsset, fotowebtest.CJKAsset, fotowebtest.EmojiAsset} {
		c.resolveAll(t, h)
	}
	c.waitAll(t, 5*time.Second, "slow Redis reported down", func(s *Store) bool { return !s.Status().Up })
	if st := c.replicas[0].store.Status(); st.Error == "" {
		t.Errorf("Status while down has no error: %+v", st)
	}
	// A webhook while Redis is frozen: held, and sent when it answers,
	// so the entry it kept is not served after the recovery.
	if err := c.replicas[0].res.Invalidate(context.Background(), fotowebtest.LandscapeAsset); err != nil {
		t.Fatal(err)
	}
	c.redis.Resume()
	c.waitAll(t, 5*time.Second, "Redis reported up, invalidation sent", func(s *Store) bool {
		return s.Status().Up && s.Stats().PendingDeletes == 0
	})
	c.waitAll(t, time.Second, "the held invalidation reaches every near cache", func(s *Store) bool {
		return !s.inNear(fotowebtest.LandscapeAsset)
	})
	before := c.fetches(fotowebtest.LandscapeAsset)
	c.resolve(t, 1, fotowebtest.LandscapeAsset)
	if n := c.fetches(fotowebtest.LandscapeAsset) - before; n != 1 {
		t.Errorf("the entry invalidated during the outage was served from Redis (%d fetches)", n)
		t.Logf("stats0 %+v", c.replicas[0].store.Stats())
		t.Logf("stats1 %+v", c.replicas[1].store.Stats())
		t.Logf("res1 %+v", c.replicas[1].res.Stats())
		t.Logf("ttl %v", pttl(t, c.replicas[1].store, "fotoembed:entry:"+fotowebtest.LandscapeAsset))
	}
	h := fotowebtest.NorwegianAsset
	c.resolveAll(t, h)
	if n := c.fetches(h); n != 1 {
		t.Errorf("after Redis recovered: %d upstream requests for one asset on two replicas", n)
	}
}

// TestStartWithoutRedis: a Store made while Redis is down starts
// degraded, works from its near cache, and joins the others when Redis
// comes up.
func TestStartWithoutRedis(t *testing.T) {
	r := redistest.Start(t)
	r.Kill()
	s, err := New(context.Background(), Config{URL: r.URL, Logger: quiet, HealthInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("New with Redis down: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if st := s.Status(); st.Up || st.Error == "" {
		t.Errorf("Status with Redis down: %+v", st)
	}
	s.Set(context.Background(), "/a.info", &embed.Entry{NotFound: true}, time.Minute)
	if _, ok := s.Get(context.Background(), "/a.info"); !ok {
		t.Error("the near cache does not serve while Redis is down")
	}
	r.Restart()
	testutil.WaitFor(t, 5*time.Second, "up and subscribed", func() bool { return s.Status().Up && s.health.subscribed.Load() })
	if s.inNear("/a.info") {
		t.Error("the near cache was not cleared when Redis came up")
	}
	other := newStore(t, r, Config{})
	s.Set(context.Background(), "/b.info", &embed.Entry{NotFound: true}, time.Minute)
	if _, ok := other.Get(context.Background(), "/b.info"); !ok {
		t.Error("not shared after Redis came up")
	}
	other.Delete(context.Background(), "/b.info")
	testutil.WaitFor(t, 10*time.Second, "the invalidation reaches the late store", func() bool { return !s.inNear("/b.info") })
}
