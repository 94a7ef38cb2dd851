package embed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// assetEntry is an entry for a small asset whose caption has n bytes
// (random letters, which the store's packing cannot compress: the entry
// is as large as n says).
func assetEntry(key string, n int) *Entry {
	in := info(landscape())
	in.Href = key
	r := rand.New(rand.NewPCG(uint64(n), 7))
	c := make([]byte, n)
	for i := range c {
		c[i] = 'a' + byte(r.IntN(26))
	}
	in.Text.Caption = string(c)
	return &Entry{Info: in}
}

// holds reports which of keys s holds, without touching recency order
// (it reads the shards directly).
func holds(s *MemoryStore, keys ...string) string {
	var out []string
	for _, k := range keys {
		sh := s.shard(k)
		sh.mu.Lock()
		if sh.m[k] != nil {
			out = append(out, k)
		}
		sh.mu.Unlock()
	}
	return strings.Join(out, ",")
}

func TestMemoryStoreLRUOrder(t *testing.T) {
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 3})
	for _, k := range []string{"a", "b", "c"} {
		s.Set(context.Background(), k, assetEntry(k, 10), 0)
	}
	s.Get(context.Background(), "a")                         // a is now the most recently used: b is the least
	s.Set(context.Background(), "d", assetEntry("d", 10), 0) // evicts b
	if got := holds(s, "a", "b", "c", "d"); got != "a,c,d" {
		t.Fatalf("holds %s, want a,c,d", got)
	}
	s.Set(context.Background(), "c", assetEntry("c", 10), 0) // a replacement is a use, not an eviction
	s.Set(context.Background(), "e", assetEntry("e", 10), 0) // evicts a
	if got := holds(s, "a", "c", "d", "e"); got != "c,d,e" {
		t.Fatalf("holds %s, want c,d,e", got)
	}
	st := s.StoreStats()
	if st.Entries != 3 || st.Evictions != (Evictions{Entries: 2}) || st.MaxEntries != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestMemoryStoreBytesBound(t *testing.T) {
	size := entrySize("k0", assetEntry("k0", 1000))
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxBytes: 4 * size}) // an eighth for markers: 3.5 entries for assets
	if s.lim.bytes != 4*size-size/2 {
		t.Fatalf("limits %+v, want %d bytes for assets", s.lim, 4*size-size/2)
	}
	for i := range 10 {
		k := fmt.Sprintf("k%d", i)
		s.Set(context.Background(), k, assetEntry(k, 1000), 0)
		if st := s.StoreStats(); st.Bytes > s.lim.bytes {
			t.Fatalf("after %d sets: %d bytes, over the bound %d", i+1, st.Bytes, s.lim.bytes)
		}
	}
	if got := holds(s, "k6", "k7", "k8", "k9"); got != "k7,k8,k9" {
		t.Errorf("holds %s, want the three most recent", got)
	}
	st := s.StoreStats()
	if st.Entries != 3 || st.Bytes != 3*size || st.Evictions != (Evictions{Size: 7}) {
		t.Errorf("stats %+v (entry size %d)", st, size)
	}
	// An entry larger than the whole bound is not kept and evicts nothing.
	s.Set(context.Background(), "huge", assetEntry("huge", int(4*size)), 0)
	if _, ok := s.Get(context.Background(), "huge"); ok || s.StoreStats().Entries != 3 || s.StoreStats().Evictions.Size != 8 {
		t.Errorf("an entry over the bound: stats %+v", s.StoreStats())
	}
	// Replacing an entry with a smaller one gives its bytes back.
	s.Set(context.Background(), "k9", assetEntry("k9", 10), 0)
	if got, want := s.StoreStats().Bytes, 2*size+entrySize("k9", assetEntry("k9", 10)); got != want {
		t.Errorf("after a replacement: %d bytes, want %d", got, want)
	}
}

// TestMemoryStoreNotFoundBound: not-found markers have limits of their
// own (count, and a share of the bytes); markers and assets never push
// each other out.
func TestMemoryStoreNotFoundBound(t *testing.T) {
	asset := entrySize("a0", assetEntry("a0", 4000))
	marker := entrySize(string(make([]byte, 128)), &Entry{NotFound: true})
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 100, MaxNotFound: 5, MaxBytes: 4*asset + 5*marker})
	if s.lim.bytes != 4*asset || s.lim.nfBytes != 5*marker {
		t.Fatalf("limits %+v: want %d bytes for assets, %d for markers", s.lim, 4*asset, 5*marker)
	}
	for i := range 10 { // the assets fill their bytes: 4 fit
		k := fmt.Sprintf("a%d", i)
		s.Set(context.Background(), k, assetEntry(k, 4000), 0)
	}
	for i := range 1000 {
		s.Set(context.Background(), fmt.Sprintf("nf-%03d", i), &Entry{NotFound: true}, 0)
	}
	if got := holds(s, "a6", "a7", "a8", "a9"); got != "a6,a7,a8,a9" {
		t.Fatalf("a flood of misses evicted assets: holds %s", got)
	}
	st := s.StoreStats()
	if st.Entries != 4 || st.NotFound != 5 || st.Bytes > st.MaxBytes {
		t.Errorf("stats %+v", st)
	}
	if st.Evictions != (Evictions{Size: 6, NotFound: 995}) {
		t.Errorf("evictions %+v, want 6 assets for size and 995 markers", st.Evictions)
	}
	if got := holds(s, "nf-994", "nf-995", "nf-996", "nf-997", "nf-998", "nf-999"); got != "nf-995,nf-996,nf-997,nf-998,nf-999" {
		t.Errorf("holds %s of the markers, want the newest five", got)
	}
	// More assets evict assets, never the markers.
	for i := range 10 {
		k := fmt.Sprintf("b%d", i)
		s.Set(context.Background(), k, assetEntry(k, 4000), 0)
	}
	if st := s.StoreStats(); st.Entries != 4 || st.NotFound != 5 || st.Evictions.NotFound != 995 {
		t.Errorf("after more assets: %+v", st)
	}

	// By count alone: markers beyond MaxNotFound evict the oldest marker.
	c := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 2, MaxNotFound: 3})
	c.Set(context.Background(), "x", assetEntry("x", 1), 0)
	c.Set(context.Background(), "y", assetEntry("y", 1), 0)
	for i := range 10 {
		c.Set(context.Background(), fmt.Sprintf("m%d", i), nil, 0)
	}
	if st := c.StoreStats(); st.Entries != 2 || st.NotFound != 3 || st.Evictions != (Evictions{NotFound: 7}) {
		t.Errorf("count bound: stats %+v", st)
	}
	// A marker with a key longer than the markers' whole share is not kept.
	c.Set(context.Background(), strings.Repeat("k", 1<<20), nil, 0)
	if st := c.StoreStats(); st.NotFound != 3 || st.Evictions.Size != 1 {
		t.Errorf("a huge marker: stats %+v", st)
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 100, Cleanup: time.Hour, Now: clock.Now}) // one shard
	s.Set(context.Background(), "short", assetEntry("short", 1), time.Minute)
	s.Set(context.Background(), "forever", assetEntry("forever", 1), 0)
	for i := range 5 {
		s.Set(context.Background(), fmt.Sprintf("sweep%d", i), assetEntry("x", 1), 30*time.Minute)
	}
	clock.Advance(time.Minute)
	if _, ok := s.Get(context.Background(), "short"); ok {
		t.Error("an expired entry was returned")
	}
	if _, ok := s.Get(context.Background(), "forever"); !ok {
		t.Error("an entry without ttl was dropped")
	}
	if st := s.StoreStats(); st.Evictions.Expired != 1 || st.Entries != 6 {
		t.Errorf("stats %+v", st)
	}
	clock.Advance(time.Hour) // the next Set sweeps
	s.Set(context.Background(), "new", assetEntry("x", 1), 0)
	if st := s.StoreStats(); st.Evictions.Expired != 6 || st.Entries != 2 {
		t.Errorf("after the sweep: stats %+v", st)
	}
}

func TestMemoryStoreDeleteClear(t *testing.T) {
	s := NewMemoryStore(0)
	e := &Entry{NotFound: true}
	s.Set(context.Background(), "k", e, 0)
	s.Set(context.Background(), "a", assetEntry("a", 10), 0)
	if got, ok := s.Get(context.Background(), "k"); !ok || got != e || s.Len() != 2 {
		t.Fatalf("get %v %v, len %d", got, ok, s.Len())
	}
	s.Delete(context.Background(), "k")
	if _, ok := s.Get(context.Background(), "k"); ok {
		t.Error("deleted entry returned")
	}
	s.Clear()
	if st := s.StoreStats(); st.Entries+st.NotFound != 0 || st.Bytes != 0 || st.Evictions != (Evictions{}) {
		t.Errorf("after Clear: %+v", st)
	}
	s.Set(context.Background(), "a", assetEntry("a", 10), 0)
	if _, ok := s.Get(context.Background(), "a"); !ok {
		t.Error("store unusable after Clear")
	}
}

func TestMemoryStoreDefaults(t *testing.T) {
	s := NewMemoryStore(0)
	l := s.Limits()
	if l.MaxEntries != DefaultMaxEntries || l.MaxBytes != DefaultMaxBytes || l.MaxNotFound != DefaultMaxNotFound || l.Cleanup != DefaultCleanup {
		t.Errorf("limits %+v", l)
	}
	if len(s.shards) != maxShards {
		t.Errorf("%d shards, want %d", len(s.shards), maxShards)
	}
	if n := len(s.shards); s.lim.entries*n > l.MaxEntries || s.lim.bytes*int64(n) > l.MaxBytes || s.lim.notFound*n > l.MaxNotFound {
		t.Errorf("shard limits %+v exceed the store's", s.lim)
	}
	off := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: -1, MaxBytes: -1, MaxNotFound: -1})
	if l := off.Limits(); l.MaxEntries != 0 || l.MaxBytes != 0 || l.MaxNotFound != 0 {
		t.Errorf("negative limits: %+v, want none", l)
	}
	for i := range 3000 {
		off.Set(context.Background(), fmt.Sprintf("k%d", i), nil, 0)
	}
	if st := off.StoreStats(); st.NotFound != 3000 || st.Evictions != (Evictions{}) {
		t.Errorf("unbounded: %+v", st)
	}
}

// TestMemoryStoreConcurrent hammers a small sharded store; the counts and
// bytes must match what it holds and stay within the bounds.
func TestMemoryStoreConcurrent(t *testing.T) {
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 4096, MaxNotFound: 1024, MaxBytes: 8 << 20})
	if len(s.shards) < 2 {
		t.Fatalf("%d shards; the test wants several", len(s.shards))
	}
	entries := make([]*Entry, 64)
	for i := range entries {
		entries[i] = assetEntry(fmt.Sprintf("e%d", i), i*40)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 20000 {
				k := fmt.Sprintf("/k/%d", r.IntN(20000))
				switch n := r.IntN(10); {
				case n < 5:
					s.Get(context.Background(), k)
				case n < 8:
					s.Set(context.Background(), k, entries[r.IntN(len(entries))], 0)
				case n < 9:
					s.Set(context.Background(), k, &Entry{NotFound: true}, time.Minute)
				default:
					s.Delete(context.Background(), k)
				}
			}
		})
	}
	wg.Wait()
	st := s.StoreStats()
	if st.Entries > st.MaxEntries || st.NotFound > st.MaxNotFound || st.Bytes > st.MaxBytes {
		t.Errorf("over a bound: %+v", st)
	}
	var n, nf int
	var bytes int64
	for i := range s.shards {
		sh := &s.shards[i]
		for _, node := range sh.m {
			bytes += nodeSize(node)
			if node.nf {
				nf++
			} else {
				n++
			}
		}
		if sh.bytes > s.lim.bytes || sh.nfBytes > s.lim.nfBytes || sh.assets.len > s.lim.entries || sh.notFound.len > s.lim.notFound {
			t.Errorf("shard %d over its share: %d+%d bytes, %d assets, %d markers", i, sh.bytes, sh.nfBytes, sh.assets.len, sh.notFound.len)
		}
	}
	if n != st.Entries || nf != st.NotFound || bytes != st.Bytes {
		t.Errorf("counted %d/%d/%d bytes, stats say %d/%d/%d", n, nf, bytes, st.Entries, st.NotFound, st.Bytes)
	}
	if st.Evictions.Entries+st.Evictions.Size == 0 {
		t.Errorf("no evictions: %+v", st)
	}
}

// TestResolverStoreBounded: the resolver over a bounded store keeps at
// most its limit, evicting the least recently resolved.
func TestResolverStoreBounded(t *testing.T) {
	store := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 2})
	v := newEnv(t, ResolverConfig{Store: store})
	refs := v.fake.Assets()[:4]
	for _, ref := range refs {
		if _, err := v.res.Resolve(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if got := holds(store, refs...); got != strings.Join(refs[2:], ",") {
		t.Errorf("holds %s, want the last two", got)
	}
	if st := store.StoreStats(); st.Entries != 2 || st.Evictions.Entries != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestAllocSize(t *testing.T) {
	for _, tt := range []struct{ n, want int }{
		{0, 0}, {1, 8}, {8, 8}, {9, 16}, {100, 112}, {1025, 1152}, {32768, 32768}, {32769, 40960},
	} {
		if got := allocSize(tt.n); got != tt.want {
			t.Errorf("allocSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}
