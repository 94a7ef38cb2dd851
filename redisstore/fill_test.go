package redisstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestConcurrentMissesAcrossReplicas: 50 concurrent misses for one asset
// spread over three replicas make one upstream request: each replica's
// singleflight makes one fill, the fill lock in Redis lets one of those
// through, and the others find its entry.
//
// The first fill's FotoWeb request is held until every caller has missed
// and the other two replicas' fills have been refused the lock, so all
// three fills overlap the one fetch (without the lock, each would fetch).
// What is asserted holds whatever the timing after that: a caller that
// missed may join its replica's flight only after it ended and start
// another, whose fill lock then finds the entry; so every replica takes
// the lock at least once, and the only fetch is the first holder's.
func TestConcurrentMissesAcrossReplicas(t *testing.T) {
	const callers = 50
	// No replica gives up waiting for the lock here (TestFillWaitBound
	// tests that), however slow the machine.
	c := newCluster(t, 3, Config{FillWait: time.Minute, FillLockTTL: 2 * time.Minute})
	refused := make([]atomic.Int64, len(c.replicas))
	for i, r := range c.replicas {
		r.store.rdb.AddHook(lockRefusals{prefix: r.store.lockKey("fill:"), n: &refused[i]})
	}
	href := fotowebtest.LandscapeAsset
	hold := make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	c.fake.SetFault(href, fotowebtest.Fault{Hang: hold})
	var wg sync.WaitGroup
	t.Cleanup(func() { release(); wg.Wait() }) // also when WaitFor fails
	for i := range callers {
		wg.Go(func() {
			if _, err := c.replicas[i%3].res.Resolve(context.Background(), href); err != nil {
				t.Error(err)
			}
		})
	}
	testutil.WaitFor(t, time.Minute, "every caller to miss, one fetch, two replicas refused the fill lock", func() bool {
		var misses uint64
		waiting := 0
		for i, r := range c.replicas {
			misses += r.res.Stats().Misses
			if refused[i].Load() > 0 {
				waiting++
			}
		}
		return misses == callers && c.fetches(href) == 1 && waiting == 2
	})
	release()
	wg.Wait()

	if n := c.fetches(href); n != 1 {
		t.Errorf("%d concurrent misses on three replicas made %d upstream requests, want 1", callers, n)
	}
	var fetches, misses, locks uint64
	for i, r := range c.replicas {
		rs, st := r.res.Stats(), r.store.Stats()
		fetches, misses, locks = fetches+rs.Fetches, misses+rs.Misses, locks+st.FillLocks
		if st.FillLocks < 1 || st.FillFallbacks != 0 {
			t.Errorf("replica %d: %d fill locks (want >= 1), %d fallbacks (want 0)", i, st.FillLocks, st.FillFallbacks)
		}
		if refused[i].Load() > 0 && st.FillWaits < 1 {
			t.Errorf("replica %d was refused the fill lock but counts %d fill waits", i, st.FillWaits)
		}
	}
	// Every flight took the lock; only the one that found no entry fetched.
	if fetches != 1 || misses != callers || locks < 3 || locks > callers {
		t.Errorf("fetches %d (want 1), misses %d (want %d), fill locks %d (want 3..%d)", fetches, misses, callers, locks, callers)
	}
}

// lockRefusals is a Redis client hook counting the SET NX of a lock under
// prefix that found the lock held.
type lockRefusals struct {
	prefix string
	n      *atomic.Int64
}

func (h lockRefusals) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h lockRefusals) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if a := cmd.Args(); cmd.Name() == "set" && len(a) > 1 && errors.Is(err, redis.Nil) {
			if k, ok := a[1].(string); ok && strings.HasPrefix(k, h.prefix) {
				h.n.Add(1)
			}
		}
		return err
	}
}

func (h lockRefusals) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestFillWaitBound: a replica does not wait longer than FillWait for
// another's slow fill; it fetches itself.
func TestFillWaitBound(t *testing.T) {
	c := newCluster(t, 2, Config{FillWait: 100 * time.Millisecond})
	hang := make(chan struct{})
	c.fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Hang: hang})
	release := sync.OnceFunc(func() { close(hang) })
	t.Cleanup(release)
	href := fotowebtest.SquareAsset
	var wg sync.WaitGroup
	resolve := func(i int) {
		wg.Go(func() {
			if _, err := c.replicas[i].res.Resolve(context.Background(), href); err != nil {
				t.Error(err)
			}
		})
	}
	// Replica 0 takes the fill and is held by FotoWeb; replica 1 waits
	// FillWait for it, gives up and asks FotoWeb too. A replica 1 that
	// waited for the fill would never reach FotoWeb while it is held.
	resolve(0)
	testutil.WaitFor(t, 30*time.Second, "replica 0's fetch", func() bool { return c.fake.InFlight() == 1 })
	resolve(1)
	testutil.WaitFor(t, 30*time.Second, "replica 1 to give up waiting and fetch", func() bool { return c.fake.InFlight() == 2 })
	release()
	wg.Wait()
	if n := c.fetches(href); n != 2 {
		t.Errorf("%d upstream requests, want 2 (the waiter gave up)", n)
	}
	if fb := c.replicas[0].store.Stats().FillFallbacks + c.replicas[1].store.Stats().FillFallbacks; fb != 1 {
		t.Errorf("%d fill fallbacks, want 1", fb)
	}
}
