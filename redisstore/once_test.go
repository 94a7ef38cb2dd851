package redisstore

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestOnceFirstWins: of many concurrent claims of one key on two
// replicas, exactly one is true; another key is independent; the key
// carries the store's prefix and ttl.
func TestOnceFirstWins(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{KeyPrefix: "fe-test:"}), newStore(t, r, Config{KeyPrefix: "fe-test:"})
	ctx := context.Background()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if s.Once(ctx, "purge:fe-x:modified:1:1", time.Minute) {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d claims won, want 1", n)
	}
	if !b.Once(ctx, "purge:fe-x:modified:1:2", time.Minute) {
		t.Error("another key was refused")
	}
	if d := pttl(t, a, "fe-test:once:purge:fe-x:modified:1:1"); d <= 0 || d > time.Minute {
		t.Errorf("PTTL %v, want (0, 1m]", d)
	}
}

// TestOnceExpires: a key can be claimed again after its ttl.
func TestOnceExpires(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r, Config{})
	ctx := context.Background()
	if !s.Once(ctx, "k", 50*time.Millisecond) {
		t.Fatal("first claim refused")
	}
	if s.Once(ctx, "k", 50*time.Millisecond) {
		t.Fatal("second claim won while the first holds")
	}
	testutil.WaitFor(t, 10*time.Second, "the claim to expire", func() bool { return s.Once(ctx, "k", time.Minute) })
}

// TestOnceRedisDown: without Redis every claim wins (two purges rather
// than none), whether the health check noticed or a call fails.
func TestOnceRedisDown(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r, Config{HealthInterval: time.Hour, Timeout: 500 * time.Millisecond})
	ctx := context.Background()
	if !s.Once(ctx, "down", time.Minute) {
		t.Fatal("first claim refused")
	}
	r.Kill()
	if !s.Once(ctx, "down", time.Minute) { // the call fails
		t.Error("claim refused while Redis is down (call failing)")
	}
	if st := s.Stats(); st.Errors == 0 {
		t.Errorf("the failed call was not counted: %+v", st)
	}
	s.health.set(false, nil, time.Now())
	if !s.Once(ctx, "down", time.Minute) { // known down: not asked
		t.Error("claim refused while Redis is known down")
	}
}
