package embed

import (
	"sync"
	"time"
	"weak"
)

// lruNode is one stored entry, on its shard's map and on one of its two
// recency lists (assets or not-found markers).
//
// An asset's entry is kept packed: its Info as one string (pack.go) and
// the entry's own fields beside it; the *Entry last handed out for it is
// kept by a weak pointer only, so that it is shared while anything uses
// it and collected with the garbage when nothing does (see
// [MemoryStore.Get]). Any other entry (a not-found marker) is kept as it
// is, in e. Everything but w, prev and next is fixed once the node is
// stored.
type lruNode struct {
	key  string
	e    *Entry              // an entry without Info, kept as it is; nil for a packed asset
	w    weak.Pointer[Entry] // the asset's entry last handed out (guarded by the shard's lock)
	info string              // the asset's packed Info
	// The asset's Entry fields.
	fetched, freshUntil, staleUntil time.Time
	stale                           bool
	nf                              bool  // on the not-found list
	exp                             int64 // expiry, Unix nanoseconds; 0 for none
	size                            int64 // entry's estimated bytes (entrySize) when stored
	prev, next                      *lruNode
}

// lruList is a circular doubly linked list with a sentinel: root.next is
// the most recently used node, root.prev the least.
type lruList struct {
	root lruNode
	len  int
}

func (l *lruList) init() { l.root.next, l.root.prev = &l.root, &l.root }

// pushFront inserts n as the most recently used.
func (l *lruList) pushFront(n *lruNode) {
	n.prev, n.next = &l.root, l.root.next
	l.root.next.prev = n
	l.root.next = n
	l.len++
}

// unlink removes n.
func (l *lruList) unlink(n *lruNode) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
	l.len--
}

// toFront makes n the most recently used.
func (l *lruList) toFront(n *lruNode) {
	if l.root.next == n {
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = &l.root, l.root.next
	l.root.next.prev = n
	l.root.next = n
}

// back returns the least recently used node, or nil.
func (l *lruList) back() *lruNode {
	if l.len == 0 {
		return nil
	}
	return l.root.prev
}

// lruShard is one lock's worth of a [MemoryStore]: a map, the two
// recency lists with the bytes each holds, and its share of the limits.
type lruShard struct {
	mu        sync.Mutex
	m         map[string]*lruNode
	assets    lruList
	notFound  lruList
	bytes     int64 // of the assets
	nfBytes   int64 // of the not-found markers
	nextSweep int64 // Unix nanoseconds of the next sweep for expired entries
	_         [32]byte
}

// shardLimits are one shard's share of the store's limits; 0 means none.
// The byte limit is split: the not-found markers have a small share of
// their own (nfBytes), the assets the rest (bytes), so that neither kind
// can push the other out.
type shardLimits struct {
	entries, notFound int
	bytes, nfBytes    int64
}

func (sh *lruShard) init() {
	sh.m = make(map[string]*lruNode)
	sh.assets.init()
	sh.notFound.init()
}

// list returns the list n belongs on, and the bytes counter of its kind.
func (sh *lruShard) list(n *lruNode) (*lruList, *int64) {
	if n.nf {
		return &sh.notFound, &sh.nfBytes
	}
	return &sh.assets, &sh.bytes
}

// remove drops n from the shard.
func (sh *lruShard) remove(n *lruNode) {
	l, b := sh.list(n)
	l.unlink(n)
	delete(sh.m, n.key)
	*b -= n.size
}

// get returns the live node for key, dropping it if expired at now
// (reported by expired).
func (sh *lruShard) get(key string, now int64) (n *lruNode, expired bool) {
	n = sh.m[key]
	if n == nil {
		return nil, false
	}
	if n.exp != 0 && now >= n.exp {
		sh.remove(n)
		return nil, true
	}
	l, _ := sh.list(n)
	l.toFront(n)
	return n, false
}

// add stores n (replacing key's node, if any) and evicts what the limits
// require, counting into ev. Each kind evicts only its own kind, least
// recently used first: a flood of misses cannot push out assets, nor a
// flood of assets the not-found markers that spare FotoWeb.
func (sh *lruShard) add(n *lruNode, lim shardLimits, ev *evictionCounters) {
	if old := sh.m[n.key]; old != nil {
		sh.remove(old)
	}
	count, bound, reason := lim.entries, lim.bytes, evictEntries
	if n.nf {
		count, bound, reason = lim.notFound, lim.nfBytes, evictNotFound
	}
	if bound > 0 && n.size > bound {
		ev.count(evictSize)
		return
	}
	sh.m[n.key] = n
	l, bytes := sh.list(n)
	l.pushFront(n)
	*bytes += n.size
	for count > 0 && l.len > count {
		sh.evict(l.back(), reason, ev)
	}
	for bound > 0 && *bytes > bound {
		if n.nf {
			sh.evict(l.back(), evictNotFound, ev)
		} else {
			sh.evict(l.back(), evictSize, ev)
		}
	}
}

// evict removes n for reason.
func (sh *lruShard) evict(n *lruNode, reason evictReason, ev *evictionCounters) {
	sh.remove(n)
	ev.count(reason)
}

// sweep drops every expired node.
func (sh *lruShard) sweep(now int64, ev *evictionCounters) {
	for _, n := range sh.m {
		if n.exp != 0 && now >= n.exp {
			sh.evict(n, evictExpired, ev)
		}
	}
}

// clear drops every node.
func (sh *lruShard) clear() {
	clear(sh.m)
	sh.assets = lruList{}
	sh.assets.init()
	sh.notFound = lruList{}
	sh.notFound.init()
	sh.bytes, sh.nfBytes = 0, 0
}
