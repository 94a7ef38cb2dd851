package redisstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/redistest"
)

// TestNearCacheDefaultLimits: the near cache is bounded by the in-process
// store's defaults, and reports them.
func TestNearCacheDefaultLimits(t *testing.T) {
	s := newStore(t, redistest.Start(t), Config{})
	st := s.StoreStats()
	if st.MaxEntries != embed.DefaultMaxEntries || st.MaxBytes != embed.DefaultMaxBytes || st.MaxNotFound != embed.DefaultMaxNotFound {
		t.Errorf("near cache limits %+v, want the embed defaults", st)
	}
	var _ embed.StatsStore = s
}

// TestNearCacheBounded: the near cache keeps at most its limits (the
// most recently used entries), counts its evictions, and an entry it
// evicted is still read from Redis.
func TestNearCacheBounded(t *testing.T) {
	s := newStore(t, redistest.Start(t), Config{NearTTL: time.Minute, NearLimits: embed.MemoryStoreConfig{MaxEntries: 5, MaxNotFound: 2}})
	key := func(i int) string { return fmt.Sprintf("/fotoweb/archives/5001-Photos/a-%d.jpg.info", i) }
	for i := range 20 {
		s.Set(context.Background(), key(i), &embed.Entry{Info: &embed.Info{Href: key(i)}}, time.Hour)
	}
	for i := range 10 {
		s.Set(context.Background(), key(100+i), &embed.Entry{NotFound: true}, time.Hour)
	}
	st := s.StoreStats()
	if st.Entries != 5 || st.NotFound != 2 || st.Evictions.Entries != 15 || st.Evictions.NotFound != 8 {
		t.Errorf("near cache %+v, want 5 assets and 2 markers after 15 and 8 evictions", st)
	}
	for i := 15; i < 20; i++ {
		if !s.inNear(key(i)) {
			t.Errorf("the near cache lacks recent entry %d", i)
		}
	}
	if s.inNear(key(0)) {
		t.Fatal("the near cache holds the least recent entry")
	}
	before := s.Stats().SharedHits
	if e, ok := s.Get(context.Background(), key(0)); !ok || e.Info == nil || e.Info.Href != key(0) {
		t.Fatalf("an entry evicted from the near cache: %v %v", e, ok)
	}
	if s.Stats().SharedHits != before+1 {
		t.Error("the evicted entry was not read from Redis")
	}
}
