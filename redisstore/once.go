package redisstore

import (
	"context"
	"time"
)

// onceKey is the Redis key of a Once key.
func (s *Store) onceKey(key string) string { return s.cfg.KeyPrefix + "once:" + key }

// Once reports whether this caller is the first, among every replica
// sharing the Redis server, to claim key within ttl (SET NX with the
// store's key prefix): true means "you do it", false that another
// replica already did. When Redis is down, fails or is too slow, it
// answers true: the work may then be done twice, never not at all. It is
// the purge.Config.Once of a replicated service (with purge.OnceTTL).
//
// When ctx ends before Redis answered, Once answers true at once, not
// counted as a Redis error, and a claim its abandoned SET makes after
// all is withdrawn (see tryLock). True is the safer answer for a caller
// that has gone: false would tell a caller that goes on anyway that
// another replica does the work while none may; true costs at most the
// work done twice, the answer Once gives whenever it is unsure.
// Withdrawing the claim leaves the work to the other replicas should
// this caller not do it after all.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) bool {
	if !s.health.up() {
		return true
	}
	if ttl <= 0 {
		ttl = time.Minute
	}
	_, first, err := s.tryLock(ctx, s.onceKey(key), ttl)
	switch {
	case err == nil:
		return first
	case callerDone(ctx):
		return true
	}
	s.fail("once", err)
	return true
}
