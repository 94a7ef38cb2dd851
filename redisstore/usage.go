package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fotoembed/fotoembed/usage"
)

// usageStore is the where-used record in Redis: {prefix}usage:{asset} is
// a sorted set of the asset's pages scored by when each was last seen
// (Unix seconds), trimmed to MaxPagesPerAsset; {prefix}usage-assets is
// the set of assets recorded, bounded by MaxAssets.
type usageStore struct {
	s        *Store
	opts     usage.Options
	recorded atomic.Uint64
	skipped  atomic.Uint64
	evicted  atomic.Uint64
	refused  atomic.Uint64
}

// Usage returns the where-used record kept in Redis, shared by every
// replica using the same KeyPrefix; nothing expires. opts bound it (see
// usage.Options; last-seen times are whole seconds). A Record is one
// round trip: a script that leaves a page seen within MinInterval alone,
// refuses a new asset past MaxAssets (usage.ErrFull, logged once a
// minute) and drops the least recently seen pages past MaxPagesPerAsset.
// Like the export ledger it does not degrade: while Redis is down every
// call returns an error. Every call also ends as soon as its ctx does,
// with an error wrapping ctx's (not counted in Stats as a Redis error); a
// Record or Forget already sent may still take effect. Closing it does
// nothing; close the Store.
func (s *Store) Usage(opts usage.Options) usage.Store {
	return &usageStore{s: s, opts: opts.WithDefaults()}
}

func (u *usageStore) pagesKey(asset string) string { return u.s.cfg.KeyPrefix + "usage:" + asset }
func (u *usageStore) assetsKey() string            { return u.s.cfg.KeyPrefix + "usage-assets" }

// recordScript records ARGV[1] (page) at ARGV[2] (now, Unix seconds) in
// the sorted set KEYS[1] of asset ARGV[6], registered in the set KEYS[2];
// ARGV[3] is MinInterval in seconds, ARGV[4] MaxPagesPerAsset, ARGV[5]
// MaxAssets. It returns 0 when the page was seen within MinInterval, -1
// when the asset is new and the record full, else 1 + the pages evicted.
var recordScript = redis.NewScript(`
local now = tonumber(ARGV[2])
local old = redis.call("ZSCORE", KEYS[1], ARGV[1])
if old and now - tonumber(old) < tonumber(ARGV[3]) then
	return 0
end
if redis.call("SADD", KEYS[2], ARGV[6]) == 1 and redis.call("SCARD", KEYS[2]) > tonumber(ARGV[5]) then
	redis.call("SREM", KEYS[2], ARGV[6])
	return -1
end
redis.call("ZADD", KEYS[1], now, ARGV[1])
return 1 + redis.call("ZREMRANGEBYRANK", KEYS[1], 0, -(tonumber(ARGV[4]) + 1))`)

// failed names the operation and asset, and counts a Redis error: not
// ErrUnavailable (Redis was not asked) nor the end of the caller's ctx.
func (u *usageStore) failed(ctx context.Context, op, asset string, err error) error {
	u.s.countFailed(ctx, err)
	return fmt.Errorf("redisstore: where-used %s of %s: %w", op, asset, err)
}

// Record implements [usage.Store].
func (u *usageStore) Record(ctx context.Context, asset, page string) error {
	if asset == "" {
		return errors.New("redisstore: where-used: asset is empty")
	}
	if err := usage.CheckPage(page); err != nil {
		return fmt.Errorf("redisstore: where-used: %w", err)
	}
	if err := u.s.ready(); err != nil {
		return u.failed(ctx, "record", asset, err)
	}
	minSec := int64(math.Ceil(u.opts.MinInterval.Seconds()))
	now := u.opts.Now().Unix()
	n, err := callRedis(ctx, u.s, func(ctx context.Context) (int64, error) {
		return recordScript.Run(ctx, u.s.rdb, []string{u.pagesKey(asset), u.assetsKey()},
			page, now, minSec, u.opts.MaxPagesPerAsset, u.opts.MaxAssets, asset).Int64()
	})
	if err != nil {
		return u.failed(ctx, "record", asset, err)
	}
	switch {
	case n == 0:
		u.skipped.Add(1)
	case n < 0:
		u.refused.Add(1)
		u.s.log.warn("redisstore: the where-used record is full: pages of new assets are not recorded (existing assets still are)",
			"max_assets", u.opts.MaxAssets)
		return usage.ErrFull
	default:
		u.recorded.Add(1)
		u.evicted.Add(uint64(n - 1))
	}
	return nil
}

// Pages implements [usage.Store].
func (u *usageStore) Pages(ctx context.Context, asset string) ([]usage.Use, error) {
	if err := u.s.ready(); err != nil {
		return nil, u.failed(ctx, "list", asset, err)
	}
	zs, err := callRedis(ctx, u.s, func(ctx context.Context) ([]redis.Z, error) {
		return u.s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: u.pagesKey(asset), Start: 0, Stop: -1, Rev: true}).Result()
	})
	if err != nil {
		return nil, u.failed(ctx, "list", asset, err)
	}
	uses := make([]usage.Use, 0, len(zs))
	for _, z := range zs {
		page, _ := z.Member.(string)
		uses = append(uses, usage.Use{Page: page, Seen: time.Unix(int64(z.Score), 0)})
	}
	return uses, nil
}

// Forget implements [usage.Store].
func (u *usageStore) Forget(ctx context.Context, asset string) error {
	if err := u.s.ready(); err != nil {
		return u.failed(ctx, "forget", asset, err)
	}
	_, err := callRedis(ctx, u.s, func(ctx context.Context) ([]redis.Cmder, error) {
		return u.s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, u.pagesKey(asset))
			p.SRem(ctx, u.assetsKey(), asset)
			return nil
		})
	})
	if err != nil {
		return u.failed(ctx, "forget", asset, err)
	}
	return nil
}

// Stats returns what the record did in this process.
func (u *usageStore) Stats() usage.Stats {
	return usage.Stats{Recorded: u.recorded.Load(), Skipped: u.skipped.Load(),
		Evicted: u.evicted.Load(), Refused: u.refused.Load()}
}

// Close implements [usage.Store]; it does nothing (the Store's owner
// closes the Store).
func (u *usageStore) Close() error { return nil }
