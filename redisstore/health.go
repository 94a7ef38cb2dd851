package redisstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are the Store's counters since New, for metrics: the service
// exports the counts as Prometheus counters and Up as a gauge.
type Stats struct {
	// Up is whether the last health ping was answered.
	Up bool
	// Errors counts failed or timed-out Redis calls.
	Errors uint64
	// NearHits counts Gets answered by the near cache.
	NearHits uint64
	// SharedHits counts Gets answered by Redis.
	SharedHits uint64
	// Misses counts Gets that found nothing (Redis errors included).
	Misses uint64
	// Sets and Deletes count calls of Set and Delete.
	Sets, Deletes uint64
	// Invalidations counts invalidation messages received.
	Invalidations uint64
	// Resubscribes counts subscriptions renewed after a lost connection
	// (each clears the near cache).
	Resubscribes uint64
	// FillLocks counts fill locks taken; FillWaits the fills that first
	// waited for another replica; FillFallbacks those that went ahead
	// without the lock (Redis failed or the wait was too long).
	FillLocks, FillWaits, FillFallbacks uint64
	// PendingDeletes is the number of invalidations waiting for Redis.
	PendingDeletes int
}

// counters are the live counters behind Stats.
type counters struct {
	errors, nearHits, sharedHits, misses, sets, deletes atomic.Uint64
	invalidations, resubscribes                         atomic.Uint64
	fillLocks, fillWaits, fillFallbacks                 atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (s *Store) Stats() Stats {
	c := &s.stats
	return Stats{
		Up: s.health.up(), Errors: c.errors.Load(),
		NearHits: c.nearHits.Load(), SharedHits: c.sharedHits.Load(), Misses: c.misses.Load(),
		Sets: c.sets.Load(), Deletes: c.deletes.Load(),
		Invalidations: c.invalidations.Load(), Resubscribes: c.resubscribes.Load(),
		FillLocks: c.fillLocks.Load(), FillWaits: c.fillWaits.Load(), FillFallbacks: c.fillFallbacks.Load(),
		PendingDeletes: s.pending.len(),
	}
}

// Status is the Store's view of Redis, for readiness detail.
type Status struct {
	// Up is whether the last health ping was answered.
	Up bool `json:"up"`
	// Since is when Up last changed (or New).
	Since time.Time `json:"since"`
	// Error is the last ping's failure while down.
	Error string `json:"error,omitempty"`
}

// Status returns the state found by the last health ping, without
// asking Redis.
func (s *Store) Status() Status { return s.health.status() }

// Check pings Redis now and returns its error (bounded by Timeout, and
// by ctx: a probe that gives up stops waiting at once). While
// Redis is down the Store still answers from its near cache and every
// resolve goes to FotoWeb, so a readiness probe should report a failed
// Check as degraded rather than take the replica out of service.
func (s *Store) Check(ctx context.Context) error {
	if err := s.ping(ctx); err != nil {
		return fmt.Errorf("redisstore: Redis at %s: %w", RedactURL(s.cfg.URL), err)
	}
	return nil
}

// health tracks whether Redis answers.
type health struct {
	isUp       atomic.Bool
	subscribed atomic.Bool
	mu         sync.Mutex
	since      time.Time
	err        string
}

func (h *health) init(now time.Time) {
	h.isUp.Store(true)
	h.since = now
}

func (h *health) up() bool { return h.isUp.Load() }

func (h *health) setSubscribed(v bool) { h.subscribed.Store(v) }

// set records the outcome of a ping and reports whether the state changed.
func (h *health) set(up bool, err error, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	changed := h.isUp.Swap(up) != up
	if changed {
		h.since = now
	}
	h.err = ""
	if err != nil {
		h.err = err.Error()
	}
	return changed
}

func (h *health) status() Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Status{Up: h.isUp.Load(), Since: h.since, Error: h.err}
}

// monitor pings Redis every HealthInterval. On the way down it logs
// (rate-limited); on the way up it clears the near cache (entries kept
// long while down, invalidations possibly missed), replays the deletes
// held and pushes tokens saved to the fallback.
func (s *Store) monitor() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		err := s.ping(s.life)
		if s.life.Err() != nil {
			return // closing: the ping was cut short, Redis did not fail
		}
		if err != nil {
			s.stats.errors.Add(1)
		}
		changed := s.health.set(err == nil, err, time.Now())
		switch {
		case err != nil && changed:
			s.log.warn("redisstore: Redis is down; serving from the near cache and FotoWeb",
				"url", RedactURL(s.cfg.URL), "err", err)
		case err == nil && changed:
			s.clearNear()
			s.log.info("redisstore: Redis is back; near cache cleared")
		}
		if err == nil {
			s.recover()
		}
	}
}

// recover sends what waited for Redis.
func (s *Store) recover() {
	if s.pending.len() > 0 {
		s.replayDeletes()
	}
	s.tokensMu.Lock()
	ts := append([]*TokenStore(nil), s.tokenStores...)
	s.tokensMu.Unlock()
	for _, t := range ts {
		t.flush(s.life)
	}
}

// fail counts a failed Redis call and logs it, at most once per
// LogInterval.
func (s *Store) fail(op string, err error) {
	s.stats.errors.Add(1)
	s.log.warn("redisstore: Redis call failed; treated as a miss", "op", op, "url", RedactURL(s.cfg.URL), "err", err)
}
