package server

import (
	"hash/maphash"
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clientTable holds one token bucket (a rate.Limiter) per client address
// for one route group. Its memory is bounded: the table is split into
// shards, each a map with a least-recently-seen list, holding at most
// maxClients/tableShards entries. Inserting into a full shard evicts its
// least recently seen client; entries idle for longer than a bucket needs
// to refill are dropped first, since a fresh bucket is the same as theirs.
// There is no background goroutine: eviction happens on insertion.
//
// Echo's middleware.RateLimiterMemoryStore is not used: it has no cap on
// its entries (a flood of distinct addresses grows it until the next
// sweep of idle visitors, itself a full scan under one lock), its clock is
// not injectable, and it cannot tell how long to wait (Retry-After).
type clientTable struct {
	limit    rate.Limit
	burst    int
	idle     time.Duration // time an empty bucket takes to fill up
	perShard int
	seed     maphash.Seed
	shards   [tableShards]tableShard
}

// tableShards is the number of independently locked parts of a table.
const tableShards = 64

// tableShard is one locked part of a clientTable: a map and a list of its
// entries from the most (head) to the least (tail) recently seen.
type tableShard struct {
	mu         sync.Mutex
	m          map[netip.Addr]*tableEntry
	head, tail *tableEntry
}

// tableEntry is one client's bucket and its place in its shard's list.
type tableEntry struct {
	addr       netip.Addr
	lim        *rate.Limiter
	seen       time.Time
	prev, next *tableEntry
}

// newClientTable returns a table of buckets of perSecond tokens a second
// holding burst (0 means perSecond rounded up, at least 1), for at most
// maxClients clients (rounded up to a multiple of tableShards).
func newClientTable(perSecond float64, burst, maxClients int) *clientTable {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	idle := time.Second
	if perSecond > 0 {
		idle = max(idle, time.Duration(float64(burst)/perSecond*float64(time.Second)))
	}
	t := &clientTable{
		limit:    rate.Limit(perSecond),
		burst:    burst,
		idle:     idle,
		perShard: max(1, (maxClients+tableShards-1)/tableShards),
		seed:     maphash.MakeSeed(),
	}
	for i := range t.shards {
		t.shards[i].m = make(map[netip.Addr]*tableEntry)
	}
	return t
}

// allow takes one token from addr's bucket at now. When the bucket is
// empty it reports false and how long until a token is there.
func (t *clientTable) allow(addr netip.Addr, now time.Time) (bool, time.Duration) {
	a := addr.As16()
	sh := &t.shards[maphash.Bytes(t.seed, a[:])%tableShards]
	sh.mu.Lock()
	e := sh.m[addr]
	if e == nil {
		sh.evict(now, t.idle, t.perShard)
		e = &tableEntry{addr: addr, lim: rate.NewLimiter(t.limit, t.burst)}
		sh.m[addr] = e
	} else {
		sh.unlink(e)
	}
	e.seen = now
	sh.pushFront(e)
	lim := e.lim
	sh.mu.Unlock()
	if lim.AllowN(now, 1) {
		return true, 0
	}
	wait := time.Second
	if t.limit > 0 {
		wait = time.Duration((1 - lim.TokensAt(now)) / float64(t.limit) * float64(time.Second))
	}
	return false, wait
}

// len returns the number of clients in the table.
func (t *clientTable) len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// evict makes room for one entry: it drops the entries idle for idle or
// longer (their buckets are full again), then, while the shard still holds
// size entries, the least recently seen one. sh.mu is held.
func (sh *tableShard) evict(now time.Time, idle time.Duration, size int) {
	for sh.tail != nil && (len(sh.m) >= size || now.Sub(sh.tail.seen) >= idle) {
		e := sh.tail
		sh.unlink(e)
		delete(sh.m, e.addr)
	}
}

// unlink removes e from the list. sh.mu is held.
func (sh *tableShard) unlink(e *tableEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		sh.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		sh.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// pushFront puts e at the head of the list. sh.mu is held.
func (sh *tableShard) pushFront(e *tableEntry) {
	e.next = sh.head
	if sh.head != nil {
		sh.head.prev = e
	}
	sh.head = e
	if sh.tail == nil {
		sh.tail = e
	}
}

// clientAddr is the key of a client address in the tables: unmapped and
// without zone; an IPv6 address stands for its /64, which one subscriber
// usually holds whole (limiting single addresses would let a client
// change its address at will). An address that does not parse is the
// zero Addr: every such client shares one bucket.
func clientAddr(a netip.Addr) netip.Addr {
	a = a.WithZone("").Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}
