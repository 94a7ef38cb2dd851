package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fotoembed/fotoembed/embed"
)

// Store is an [embed.Store] whose entries live in Redis, shared by every
// replica, with a short-lived in-process near cache in front (an
// [embed.MemoryStore] with the default limits, so that it stays bounded
// while Redis is down and it holds every entry; see StoreStats). It also
// implements [embed.FillLocker], so that concurrent misses across
// replicas make one upstream request. Create it with [New]; Close it when
// done. It is safe for concurrent use.
type Store struct {
	cfg  Config
	rdb  *redis.Client
	near *embed.MemoryStore
	log  *rateLog

	// invalSeq counts invalidations seen (messages, local deletes, near
	// cache clears); a Get that raced one does not fill the near cache.
	invalSeq atomic.Uint64
	fills    fillSet    // fills under way in this process (invalidate.go)
	pending  pendingSet // deletes to replay when Redis is back (invalidate.go)
	health   health     // up/down tracking (health.go)
	stats    counters

	tokensMu    sync.Mutex
	tokenStores []*TokenStore // to push tokens saved during an outage

	// life is the context of the Store's own background work (health
	// pings, replays, lock releases, the subscription); Close ends it.
	life    context.Context
	endLife context.CancelFunc

	ps        *redis.PubSub
	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// New connects to the Redis server at cfg.URL, subscribes to
// invalidations and starts the health monitor. An unreachable server is
// not an error: the Store starts degraded (near cache only, every Redis
// call a miss), says so in its Status and log, and comes up by itself when
// Redis answers. Only a bad configuration is an error. ctx bounds the
// first ping.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	s := &Store{
		cfg:  cfg,
		rdb:  redis.NewClient(opts),
		near: newNear(cfg.NearLimits, cfg.NearTTL),
		log:  newRateLog(cfg.Logger, cfg.LogInterval),
		stop: make(chan struct{}),
	}
	s.life, s.endLife = context.WithCancel(context.WithoutCancel(ctx))
	s.fills.init()
	s.pending.init()
	s.health.init(time.Now())
	if err := s.ping(ctx); err != nil {
		s.health.set(false, err, time.Now())
		s.log.warn("redisstore: Redis unreachable at start; serving from the near cache and FotoWeb until it answers",
			"url", RedactURL(cfg.URL), "err", err)
	}
	s.subscribe()
	s.wg.Add(1)
	go s.monitor()
	return s, nil
}

// newNear returns an empty near cache with limits for entries living d.
func newNear(limits embed.MemoryStoreConfig, d time.Duration) *embed.MemoryStore {
	limits.Cleanup, limits.Now = nearCleanup(d), nil
	return embed.NewBoundedMemoryStore(limits)
}

// nearCleanup is the sweep interval of a near cache with entries living d.
func nearCleanup(d time.Duration) time.Duration {
	return max(d, 5*time.Second)
}

// Close stops the subscriber and monitor, ends the Redis calls of its
// background work and closes the connections.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.endLife()
		close(s.stop)
		if s.ps != nil {
			s.ps.Close()
		}
		s.wg.Wait()
		err = s.rdb.Close()
	})
	return err
}

// entryKey is the Redis key of an entry.
func (s *Store) entryKey(key string) string { return s.cfg.KeyPrefix + "entry:" + key }

// channel is the invalidation channel.
func (s *Store) channel() string { return s.cfg.KeyPrefix + "invalidate" }

// opCtx bounds one Redis call by Timeout and ctx: the caller's for Get,
// Set, Delete and the other methods given one, the Store's life for its
// background work.
func (s *Store) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.Timeout)
}

// ready returns ErrUnavailable while the health ping fails: the calls
// that do not degrade (the export ledger, the where-used record) do not
// ask Redis then.
func (s *Store) ready() error {
	if !s.health.up() {
		return ErrUnavailable
	}
	return nil
}

// countFailed counts err as a Redis error unless Redis was not asked
// (ErrUnavailable) or the caller's ctx ended first.
func (s *Store) countFailed(ctx context.Context, err error) {
	if !errors.Is(err, ErrUnavailable) && !callerDone(ctx) {
		s.stats.errors.Add(1)
	}
}

// awaitCall runs call (Redis calls under a context derived from ctx) and
// returns its answer, or ctx's error as soon as ctx ends. The Redis client
// stops at a deadline but does not notice a cancellation: a call to a
// Redis that answers slowly would otherwise keep a caller that has gone
// away until Timeout. An abandoned call goes on in the background until
// Timeout (the command may still take effect).
func awaitCall[T any](ctx context.Context, call func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return call() // never cancelled
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := call()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Get implements [embed.Store]: the near cache, then Redis. A Redis error
// or timeout is a miss; while the health ping fails, Redis is not asked.
// When ctx ends first, Get stops waiting for Redis and answers a miss,
// not counted as an error.
func (s *Store) Get(ctx context.Context, key string) (*embed.Entry, bool) {
	if e, ok := s.near.Get(ctx, key); ok {
		s.stats.nearHits.Add(1)
		return e, true
	}
	if !s.health.up() || ctx.Err() != nil {
		s.stats.misses.Add(1)
		return nil, false
	}
	seq := s.invalSeq.Load()
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	b, err := awaitCall(ctx, func() ([]byte, error) { return s.rdb.Get(octx, s.entryKey(key)).Bytes() })
	if errors.Is(err, redis.Nil) {
		s.stats.misses.Add(1)
		return nil, false
	}
	if err != nil {
		if !callerDone(ctx) {
			s.fail("get", err)
		}
		s.stats.misses.Add(1)
		return nil, false
	}
	var e embed.Entry
	if err := json.Unmarshal(b, &e); err != nil {
		s.log.warn("redisstore: dropping an undecodable entry", "key", key, "err", err)
		s.stats.misses.Add(1)
		return nil, false
	}
	s.stats.sharedHits.Add(1)
	if s.cfg.NearTTL > 0 && s.invalSeq.Load() == seq {
		s.near.Set(ctx, key, &e, s.cfg.NearTTL)
	}
	return &e, true
}

// Set implements [embed.Store]: the entry goes to Redis for ttl and to the
// near cache for NearTTL (for ttl while Redis is down, so that a replica
// then behaves like a single one). It is dropped when an invalidation of
// key arrived while it was being fetched under LockFill: it may predate
// the change the invalidation announced. When ctx ends first, Set stops
// waiting for Redis, not counted as an error: the near cache holds the
// entry, Redis holds it only if the write was already sent.
func (s *Store) Set(ctx context.Context, key string, e *embed.Entry, ttl time.Duration) {
	if e == nil || s.fills.invalidated(key) {
		return
	}
	s.stats.sets.Add(1)
	near := s.cfg.NearTTL
	if !s.health.up() {
		near = max(ttl, near)
	}
	if ttl > 0 && ttl < near {
		near = ttl
	}
	if near > 0 {
		s.near.Set(ctx, key, e, near)
	}
	b, err := json.Marshal(e)
	if err != nil {
		s.log.warn("redisstore: cannot encode entry", "key", key, "err", err)
		return
	}
	if !s.health.up() || ctx.Err() != nil {
		return
	}
	if ttl < 0 {
		ttl = 0
	}
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	_, err = awaitCall(ctx, func() (string, error) { return s.rdb.Set(octx, s.entryKey(key), b, ttl).Result() })
	if err != nil && !callerDone(ctx) {
		s.fail("set", err)
	}
}

// Delete implements [embed.Store]: the entry is removed here, from Redis,
// and from every replica's near cache (a message on the invalidation
// channel). When Redis cannot be reached, or ctx ends before it
// answered, the invalidation is kept and sent by the health monitor when
// Redis answers its next ping.
func (s *Store) Delete(ctx context.Context, key string) {
	s.stats.deletes.Add(1)
	s.dropLocal(key)
	if s.health.up() && ctx.Err() == nil {
		err := s.sendDelete(ctx, key)
		if err == nil {
			return
		}
		if !callerDone(ctx) {
			s.fail("delete", err)
		}
	}
	if !s.pending.add(key) {
		s.log.warn("redisstore: too many invalidations held while Redis is down; this one is lost (the entry expires by itself)",
			"key", key, "max", MaxPendingDeletes)
	}
}

// sendDelete removes key from Redis and announces it to every replica.
func (s *Store) sendDelete(ctx context.Context, key string) error {
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	_, err := awaitCall(ctx, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(octx, func(p redis.Pipeliner) error {
			p.Del(octx, s.entryKey(key))
			p.Publish(octx, s.channel(), key)
			return nil
		})
	})
	return err
}

// dropLocal removes key from the near cache and marks fills of key under
// way here as invalidated.
func (s *Store) dropLocal(key string) {
	s.invalSeq.Add(1)
	s.near.Delete(s.life, key)
	s.fills.invalidate(key)
}

// clearNear empties the near cache and marks every fill under way as
// invalidated: invalidations may have been missed.
func (s *Store) clearNear() {
	s.invalSeq.Add(1)
	s.near.Clear()
	s.fills.invalidateAll()
}

// StoreStats implements [embed.StatsStore] for the near cache: what this
// replica holds in memory and evicted (the service exports it as the
// fotoembed_cache_entries, _bytes and _evictions_total metrics).
func (s *Store) StoreStats() embed.StoreStats { return s.near.StoreStats() }

// ping asks Redis for PONG within Timeout.
func (s *Store) ping(ctx context.Context) error {
	_, err := callRedis(ctx, s, func(ctx context.Context) (string, error) { return s.rdb.Ping(ctx).Result() })
	return err
}

// Interface checks.
var (
	_ embed.Store      = (*Store)(nil)
	_ embed.FillLocker = (*Store)(nil)
	_ embed.StatsStore = (*Store)(nil)
)
