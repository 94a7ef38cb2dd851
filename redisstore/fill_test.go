package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// TestConcurrentMissesAcrossReplicas: 50 concurrent misses for one asset
// spread over three replicas make one upstream request: each replica's
// singleflight makes one fill, the fill lock in Redis lets one of those
// through, and the others find its entry.
func TestConcurrentMissesAcrossReplicas(t *testing.T) {
	c := newCluster(t, 3, Config{})
	// Slow FotoWeb down so that every caller arrives during the fetch.
	c.fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Latency: 100 * time.Millisecond})
	href := fotowebtest.LandscapeAsset
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if _, err := c.replicas[i%3].res.Resolve(context.Background(), href); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := c.fetches(href); n != 1 {
		t.Errorf("50 concurrent misses on three replicas made %d upstream requests, want 1", n)
	}
	var fetches, locks, waits uint64
	for _, r := range c.replicas {
		fetches += r.res.Stats().Fetches
		st := r.store.Stats()
		locks, waits = locks+st.FillLocks, waits+st.FillWaits
	}
	if fetches != 1 || locks != 3 || waits < 1 {
		t.Errorf("fetches %d (want 1), fill locks %d (want 3), waits %d (want >= 1)", fetches, locks, waits)
	}
}

// TestFillWaitBound: a replica does not wait longer than FillWait for
// another's slow fill; it fetches itself.
func TestFillWaitBound(t *testing.T) {
	c := newCluster(t, 2, Config{FillWait: 100 * time.Millisecond})
	c.fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Latency: 600 * time.Millisecond})
	href := fotowebtest.SquareAsset
	done := make(chan time.Duration, 2)
	for i := range 2 {
		go func() {
			start := time.Now()
			if _, err := c.replicas[i].res.Resolve(context.Background(), href); err != nil {
				t.Error(err)
			}
			done <- time.Since(start)
		}()
	}
	for range 2 {
		if d := <-done; d > 1500*time.Millisecond {
			t.Errorf("a resolve took %v; the wait for the other's fill is bounded by 100ms", d)
		}
	}
	if n := c.fetches(href); n != 2 {
		t.Errorf("%d upstream requests, want 2 (the waiter gave up)", n)
	}
	if fb := c.replicas[0].store.Stats().FillFallbacks + c.replicas[1].store.Stats().FillFallbacks; fb != 1 {
		t.Errorf("%d fill fallbacks, want 1", fb)
	}
}
