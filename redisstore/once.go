package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// onceKey is the Redis key of a Once key.
func (s *Store) onceKey(key string) string { return s.cfg.KeyPrefix + "once:" + key }

// Once reports whether this caller is the first, among every replica
// sharing the Redis server, to claim key within ttl (SET NX with the
// store's key prefix): true means "you do it", false that another
// replica already did. When Redis is down, fails or is too slow, it
// answers true: the work may then be done twice, never not at all. It is
// the purge.Config.Once of a replicated service (with purge.OnceTTL).
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) bool {
	if !s.health.up() {
		return true
	}
	if ttl <= 0 {
		ttl = time.Minute
	}
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	err := s.rdb.SetArgs(octx, s.onceKey(key), "1", redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	switch {
	case err == nil:
		return true
	case errors.Is(err, redis.Nil):
		return false
	}
	s.fail("once", err)
	return true
}
