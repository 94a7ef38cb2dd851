package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fotoembed/fotoembed/exports"
)

// ExportLockTTL is how long a replica's export lock lives unless
// released: longer than one EXPORT request with its connection retries,
// short enough that the others go on soon after a replica died holding it.
const ExportLockTTL = 2 * time.Minute

// exportLockWait bounds the wait for another replica's export lock: past
// the TTL, so that a dead holder's lock expires first.
const exportLockWait = ExportLockTTL + 10*time.Second

// ledger is the export ledger in Redis: each record is JSON under
// {prefix}export:{key}, never expiring, and {prefix}exports-of:{asset} is
// the SET of the asset's keys.
type ledger struct{ s *Store }

// Ledger returns the export ledger kept in Redis, shared by every
// replica using the same KeyPrefix. Records never expire. Unlike the
// cache, the ledger does not degrade: while Redis is down or failing,
// every call returns an error, so that the exporter refuses rather than
// export again what may already be exported. Every call also ends as
// soon as its ctx does, with an error wrapping ctx's (not counted in
// Stats as a Redis error); a Put or DeleteAsset already sent may still
// take effect. Lock is a cluster-wide lock (ExportLockTTL). Closing the
// ledger does nothing; close the Store.
func (s *Store) Ledger() exports.Ledger { return ledger{s} }

func (l ledger) recordKey(member string) string { return l.s.cfg.KeyPrefix + "export:" + member }
func (l ledger) assetKey(asset string) string   { return l.s.cfg.KeyPrefix + "exports-of:" + asset }

// failed names the operation and asset, and counts a Redis error: not
// ErrUnavailable (Redis was not asked) nor the end of the caller's ctx.
func (l ledger) failed(ctx context.Context, op, asset string, err error) error {
	l.s.countFailed(ctx, err)
	return fmt.Errorf("redisstore: export ledger %s of %s: %w", op, asset, err)
}

// Get implements [exports.Ledger]. A record that cannot be decoded is an
// error wrapping [exports.ErrCorrupt].
func (l ledger) Get(ctx context.Context, k exports.Key) (exports.Record, bool, error) {
	if err := l.s.ready(); err != nil {
		return exports.Record{}, false, l.failed(ctx, "get", k.Asset, err)
	}
	b, err := callRedis(ctx, l.s, func(ctx context.Context) ([]byte, error) {
		return l.s.rdb.Get(ctx, l.recordKey(k.String())).Bytes()
	})
	if errors.Is(err, redis.Nil) {
		return exports.Record{}, false, nil
	}
	if err != nil {
		return exports.Record{}, false, l.failed(ctx, "get", k.Asset, err)
	}
	rec, err := exports.DecodeRecord(b)
	if err != nil {
		return exports.Record{}, false, fmt.Errorf("redisstore: export ledger record of %s (width %d, preset %q): %w",
			k.Asset, k.Width, k.Preset, err)
	}
	return rec, true, nil
}

// Put implements [exports.Ledger]: the record and the asset's index
// entry are written in one transaction.
func (l ledger) Put(ctx context.Context, k exports.Key, rec exports.Record) error {
	b, err := exports.EncodeRecord(rec)
	if err != nil {
		return err
	}
	if err := l.s.ready(); err != nil {
		return l.failed(ctx, "put", k.Asset, err)
	}
	member := k.String()
	_, err = callRedis(ctx, l.s, func(ctx context.Context) ([]redis.Cmder, error) {
		return l.s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, l.recordKey(member), b, 0)
			p.SAdd(ctx, l.assetKey(k.Asset), member)
			return nil
		})
	})
	if err != nil {
		return l.failed(ctx, "put", k.Asset, err)
	}
	return nil
}

// Lock implements [exports.Ledger] with the Store's cluster-wide lock:
// it waits while another replica exports k, up to past ExportLockTTL, or
// until ctx ends (an error wrapping ErrLockTimeout and ctx's).
func (l ledger) Lock(ctx context.Context, k exports.Key) (func(), error) {
	if err := l.s.ready(); err != nil {
		return nil, l.failed(ctx, "lock", k.Asset, err)
	}
	unlock, _, err := l.s.lock(ctx, l.s.lockKey("export:"+k.String()), ExportLockTTL, exportLockWait)
	if err != nil {
		return nil, l.failed(ctx, "lock", k.Asset, err)
	}
	return unlock, nil
}

// DeleteAsset implements [exports.Ledger]. It removes the keys the
// asset's index lists and only those from the index, so that a record
// put meanwhile keeps its entry.
func (l ledger) DeleteAsset(ctx context.Context, asset string) (int, error) {
	if err := l.s.ready(); err != nil {
		return 0, l.failed(ctx, "delete", asset, err)
	}
	n, err := callRedis(ctx, l.s, func(ctx context.Context) (int, error) {
		members, err := l.s.rdb.SMembers(ctx, l.assetKey(asset)).Result()
		if err != nil || len(members) == 0 {
			return 0, err
		}
		dels := make([]*redis.IntCmd, len(members))
		_, err = l.s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for i, m := range members {
				dels[i] = p.Del(ctx, l.recordKey(m))
			}
			p.SRem(ctx, l.assetKey(asset), members)
			return nil
		})
		if err != nil {
			return 0, err
		}
		n := 0
		for _, d := range dels {
			n += int(d.Val())
		}
		return n, nil
	})
	if err != nil {
		return 0, l.failed(ctx, "delete", asset, err)
	}
	return n, nil
}

// Close implements [exports.Ledger]; it does nothing (the Store's owner
// closes the Store).
func (l ledger) Close() error { return nil }
