package embed

import (
	"context"
	"hash/maphash"
	"strings"
	"sync/atomic"
	"time"
	"weak"
)

// Default limits of a [MemoryStore] (see [MemoryStoreConfig]).
const (
	// DefaultMaxEntries is how many assets a MemoryStore holds at most.
	DefaultMaxEntries = 100_000
	// DefaultMaxBytes is the most memory, by the store's estimate, a
	// MemoryStore's entries hold: 256 MiB (some 250,000 assets of a
	// typical size, so DefaultMaxEntries binds first; resident memory is
	// larger by the garbage collector's headroom).
	DefaultMaxBytes = 256 << 20
	// DefaultMaxNotFound is how many "not found" markers a MemoryStore
	// holds at most, apart from the assets.
	DefaultMaxNotFound = 10_000
	// DefaultCleanup is how often expired entries are swept.
	DefaultCleanup = 10 * time.Minute
)

// MemoryStoreConfig bounds a [MemoryStore]. The zero value means the
// defaults. For the limits (MaxEntries, MaxBytes, MaxNotFound) a negative
// value means no limit; a negative Cleanup means the default.
type MemoryStoreConfig struct {
	// MaxEntries bounds the assets held (default DefaultMaxEntries).
	// Not-found markers are bounded by MaxNotFound instead.
	MaxEntries int
	// MaxBytes bounds the estimated heap bytes of everything held
	// (default DefaultMaxBytes). The estimate counts, per entry, its
	// packed form and the store's own overhead, rounded to the
	// allocator's size classes (an asset of twelve previews, two
	// renditions and full metadata: about 1 KB); not the entries handed
	// out to requests in progress, which are theirs. A small share of it
	// is kept for the not-found markers (room for MaxNotFound of them, at
	// most an eighth), the rest is for the assets.
	MaxBytes int64
	// MaxNotFound bounds the "not found" markers held (default
	// DefaultMaxNotFound). Markers and assets never evict each other, so
	// a flood of misses cannot push real entries out, nor a flood of
	// assets the markers that spare FotoWeb repeated misses.
	MaxNotFound int
	// Cleanup is the least time between two sweeps of a shard for
	// expired entries, made on a Set (default DefaultCleanup). Expired
	// entries are also dropped when looked up. Negative: the default.
	Cleanup time.Duration
	// Now is the clock of entry expiry; nil means time.Now.
	Now func() time.Time
}

// MemoryStore is the in-process [Store]: a sharded map bounded by entry
// count and by estimated bytes, evicting the least recently used entry
// (a lookup or a store counts as a use) when a limit is reached, and
// dropping entries whose ttl has passed (when looked up, and in periodic
// sweeps). "Not found" markers are kept in LRU order of their own under
// limits of their own. Each shard holds its share of the limits, so a
// full store holds a little less than them. Create it with [NewMemoryStore] or
// [NewBoundedMemoryStore]; it is safe for concurrent use and needs no
// closing.
//
// An asset's entry is kept packed, its Info in one string of some 600
// bytes where it takes 2.5 KB as Go values, and made again when looked
// up; the entry made is shared, by a weak pointer, for as
// long as anything uses it (so a hot asset is made about once per
// garbage collection cycle, with what rendering memoises in it), and is
// garbage once nothing does. Set packs the entry (a few microseconds, on
// every fetch); Get of an entry no longer in use unpacks it (a few
// microseconds).
type MemoryStore struct {
	shards  []lruShard
	mask    uint64
	seed    maphash.Seed
	lim     shardLimits // per shard
	limits  MemoryStoreConfig
	cleanup int64
	now     func() time.Time
	ev      evictionCounters
}

// NewMemoryStore returns an empty in-process store with the default
// limits ([DefaultMaxEntries], [DefaultMaxBytes], [DefaultMaxNotFound])
// that sweeps expired entries at most every cleanup interval (0 or
// negative means every 10 minutes, DefaultCleanup). It is NewBoundedMemoryStore(MemoryStoreConfig{Cleanup:
// cleanup}).
func NewMemoryStore(cleanup time.Duration) *MemoryStore {
	return NewBoundedMemoryStore(MemoryStoreConfig{Cleanup: cleanup})
}

// NewBoundedMemoryStore returns an empty in-process store with the limits
// of cfg.
func NewBoundedMemoryStore(cfg MemoryStoreConfig) *MemoryStore {
	defInt := func(v, d int) int {
		switch {
		case v == 0:
			return d
		case v < 0:
			return 0
		}
		return v
	}
	cfg.MaxEntries = defInt(cfg.MaxEntries, DefaultMaxEntries)
	cfg.MaxNotFound = defInt(cfg.MaxNotFound, DefaultMaxNotFound)
	switch {
	case cfg.MaxBytes == 0:
		cfg.MaxBytes = DefaultMaxBytes
	case cfg.MaxBytes < 0:
		cfg.MaxBytes = 0
	}
	if cfg.Cleanup <= 0 {
		cfg.Cleanup = DefaultCleanup
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	n := shardCount(cfg)
	s := &MemoryStore{
		shards:  make([]lruShard, n),
		mask:    uint64(n - 1),
		seed:    maphash.MakeSeed(),
		limits:  cfg,
		cleanup: int64(cfg.Cleanup),
		now:     cfg.Now,
	}
	reserve := notFoundReserve(cfg)
	s.lim = shardLimits{entries: cfg.MaxEntries / n, notFound: cfg.MaxNotFound / n,
		bytes: (cfg.MaxBytes - reserve) / int64(n), nfBytes: reserve / int64(n)}
	for i := range s.shards {
		s.shards[i].init()
	}
	return s
}

// notFoundReserve is the share of cfg.MaxBytes kept for not-found
// markers: room for MaxNotFound markers with 128-byte keys, at most an
// eighth of MaxBytes (which is also the share when MaxNotFound is
// unlimited); 0 when MaxBytes is unlimited.
func notFoundReserve(cfg MemoryStoreConfig) int64 {
	if cfg.MaxBytes <= 0 {
		return 0
	}
	r := cfg.MaxBytes / 8
	if cfg.MaxNotFound > 0 {
		r = min(r, int64(cfg.MaxNotFound)*entrySize(string(make([]byte, 128)), &Entry{NotFound: true}))
	}
	return r
}

// maxShards is the most shards (locks) a MemoryStore splits into.
const maxShards = 16

// shardCount is the number of shards for cfg's limits (a power of two):
// as many as keep every shard's share of each limit large enough for
// LRU order to mean something, at most maxShards. Small limits (tests)
// get one shard, so that they hold exactly.
func shardCount(cfg MemoryStoreConfig) int {
	n := 1
	for n < maxShards {
		m := 2 * n
		if cfg.MaxEntries > 0 && cfg.MaxEntries/m < 1024 ||
			cfg.MaxNotFound > 0 && cfg.MaxNotFound/m < 256 ||
			cfg.MaxBytes > 0 && cfg.MaxBytes/int64(m) < 4<<20 {
			break
		}
		n = m
	}
	return n
}

// shard returns key's shard.
func (s *MemoryStore) shard(key string) *lruShard {
	return &s.shards[maphash.String(s.seed, key)&s.mask]
}

// Get implements [Store]. A hit makes the entry the most recently used.
// It never waits, so it ignores ctx.
//
// An asset's entry is stored packed (see [MemoryStore]): Get returns the
// *Entry it handed out last (or was given by Set) while anything still
// uses it, and otherwise makes one anew from the packed form, equal to
// the one stored but for what JSON would lose too (a time's monotonic
// clock reading; a zone other than UTC and Local becomes a fixed zone of
// its name and offset). What rendering memoises in an Info (its signed
// preview paths, its cache tag) lives and goes with it.
func (s *MemoryStore) Get(_ context.Context, key string) (*Entry, bool) {
	sh := s.shard(key)
	now := s.now().UnixNano()
	sh.mu.Lock()
	n, expired := sh.get(key, now)
	var (
		e *Entry
		w weak.Pointer[Entry]
	)
	if n != nil {
		e, w = n.e, n.w
	}
	sh.mu.Unlock()
	if expired {
		s.ev.count(evictExpired)
	}
	switch {
	case n == nil:
		return nil, false
	case n.info == "": // kept as it is
		return e, true
	}
	held := w.Value()
	if held != nil && unpackCheck == nil {
		return held, true
	}
	x := new(entryInfo)
	if n.unpack(x) != nil {
		return nil, false
	}
	if unpackCheck != nil {
		if e := unpackCheck(held, &x.e); e == held {
			return held, true
		}
	}
	return sh.publish(n, &x.e), true
}

// unpackCheck, when set (by tests, before any Get), sees every Get of an
// asset: the entry handed out before (nil when collected) and one
// unpacked anew; Get returns the one it returns.
var unpackCheck func(held, unpacked *Entry) *Entry

// entryInfo is an unpacked entry and its Info, made in one allocation.
type entryInfo struct {
	e  Entry
	in Info
}

// unpack makes n's entry in x from its packed form. An error (a packed
// Info that does not unpack) means a bug; Get then answers a miss.
func (n *lruNode) unpack(x *entryInfo) error {
	if err := unpackInfo(n.key, n.info, &x.in); err != nil {
		return err
	}
	x.e = Entry{Info: &x.in, Fetched: n.fetched, FreshUntil: n.freshUntil, StaleUntil: n.staleUntil, Stale: n.stale}
	return nil
}

// publish makes e the entry n hands out, unless another Get made one
// meanwhile that is still in use, and returns the one handed out.
func (sh *lruShard) publish(n *lruNode, e *Entry) *Entry {
	w := weak.Make(e)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if held := n.w.Value(); held != nil && unpackCheck == nil {
		return held
	}
	n.w = w
	return e
}

// Set implements [Store]. A ttl of 0 or less keeps the entry until it is
// replaced, deleted or evicted. An entry too large for the store's share
// of MaxBytes is not kept (and counts as a size eviction). An asset's
// entry is packed (a few microseconds; see [MemoryStore.Get]). It ignores
// ctx.
func (s *MemoryStore) Set(_ context.Context, key string, e *Entry, ttl time.Duration) {
	now := s.now().UnixNano()
	n := newNode(key, e)
	if n.info != "" {
		n.w = weak.Make(e)
	}
	if ttl > 0 {
		n.exp = now + int64(ttl)
	}
	sh := s.shard(key)
	sh.mu.Lock()
	if now >= sh.nextSweep {
		sh.sweep(now, &s.ev)
		sh.nextSweep = now + s.cleanup
	}
	sh.add(n, s.lim, &s.ev)
	sh.mu.Unlock()
}

// newNode returns the node that stores e under key, sized: an asset's
// entry packed, any other as it is. The key is copied: the caller's may
// sit in a larger block (a strings.Builder's), which the store would
// keep whole.
func newNode(key string, e *Entry) *lruNode {
	n := &lruNode{key: strings.Clone(key)}
	if e == nil || e.NotFound || e.Info == nil {
		n.e, n.nf = e, true
	} else {
		n.info = packInfo(key, e.Info)
		n.fetched, n.freshUntil, n.staleUntil, n.stale = e.Fetched, e.FreshUntil, e.StaleUntil, e.Stale
	}
	n.size = nodeSize(n)
	return n
}

// Delete implements [Store]. It ignores ctx.
func (s *MemoryStore) Delete(_ context.Context, key string) {
	sh := s.shard(key)
	sh.mu.Lock()
	if n := sh.m[key]; n != nil {
		sh.remove(n)
	}
	sh.mu.Unlock()
}

// Clear drops every entry (not counted as evictions).
func (s *MemoryStore) Clear() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.clear()
		sh.mu.Unlock()
	}
}

// Len returns the number of entries held, not-found markers included,
// expired ones included until they are looked up or swept.
func (s *MemoryStore) Len() int {
	st := s.StoreStats()
	return st.Entries + st.NotFound
}

// Limits returns the store's limits, defaults applied (0: none).
func (s *MemoryStore) Limits() MemoryStoreConfig { return s.limits }

// StoreStats are what an in-process store holds and has evicted, for
// metrics (the HTTP service exports them to Prometheus). A store that
// reports them implements [StatsStore].
type StoreStats struct {
	// Entries is the number of assets held; NotFound the number of
	// "not found" markers.
	Entries, NotFound int
	// Bytes is the estimated heap bytes of everything held.
	Bytes int64
	// MaxEntries, MaxNotFound and MaxBytes are the limits (0: none).
	MaxEntries, MaxNotFound int
	MaxBytes                int64
	// Evictions count the entries dropped before being replaced or
	// deleted, by reason.
	Evictions Evictions
}

// Evictions count a store's evictions by reason.
type Evictions struct {
	// Size counts entries evicted to keep the estimated bytes under
	// MaxBytes (and entries too large to keep at all).
	Size uint64
	// Entries counts assets evicted to keep their number under
	// MaxEntries.
	Entries uint64
	// NotFound counts "not found" markers evicted to keep their number
	// (or, with the assets, the bytes) under the limits.
	NotFound uint64
	// Expired counts entries dropped because their ttl had passed.
	Expired uint64
}

// StatsStore is a [Store] that reports [StoreStats] (*MemoryStore, and a
// shared store for its in-process near cache).
type StatsStore interface {
	Store
	// StoreStats returns a snapshot of what the store holds and evicted.
	StoreStats() StoreStats
}

// StoreStats implements [StatsStore].
func (s *MemoryStore) StoreStats() StoreStats {
	st := StoreStats{MaxEntries: s.limits.MaxEntries, MaxNotFound: s.limits.MaxNotFound,
		MaxBytes: s.limits.MaxBytes, Evictions: s.ev.snapshot()}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		st.Entries += sh.assets.len
		st.NotFound += sh.notFound.len
		st.Bytes += sh.bytes + sh.nfBytes
		sh.mu.Unlock()
	}
	return st
}

// evictReason is why an entry was evicted.
type evictReason int

const (
	evictSize evictReason = iota
	evictEntries
	evictNotFound
	evictExpired
	evictReasons
)

// evictionCounters are the live counters behind Evictions.
type evictionCounters struct {
	n [evictReasons]atomic.Uint64
}

func (c *evictionCounters) count(r evictReason) { c.n[r].Add(1) }

func (c *evictionCounters) snapshot() Evictions {
	return Evictions{Size: c.n[evictSize].Load(), Entries: c.n[evictEntries].Load(),
		NotFound: c.n[evictNotFound].Load(), Expired: c.n[evictExpired].Load()}
}

// Interface check.
var _ StatsStore = (*MemoryStore)(nil)
