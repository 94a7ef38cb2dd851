package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrLockTimeout reports that a lock another replica holds was not
// released in time.
var ErrLockTimeout = errors.New("redisstore: timed out waiting for a lock held by another replica")

// ErrUnavailable reports that Redis was not asked because the health
// ping fails.
var ErrUnavailable = errors.New("redisstore: Redis unavailable")

// unlockScript deletes the lock only if it still holds the caller's
// token: a lock that expired and was taken by another replica is not
// released by its first holder.
var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// lockKey is the Redis key of the lock named name.
func (s *Store) lockKey(name string) string { return s.cfg.KeyPrefix + "lock:" + name }

// newToken returns a random lock token.
func newToken() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tryLock takes the lock key for ttl if nobody holds it (SET NX PX) and
// returns its token; ok is false when another holds it.
func (s *Store) tryLock(ctx context.Context, key string, ttl time.Duration) (token string, ok bool, err error) {
	token = newToken()
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	err = s.rdb.SetArgs(octx, key, token, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	switch {
	case err == nil:
		return token, true, nil
	case errors.Is(err, redis.Nil):
		return "", false, nil
	}
	return "", false, err
}

// release deletes the lock key if it still holds token. It reports
// whether it did.
func (s *Store) release(key, token string) (bool, error) {
	ctx, cancel := s.opCtx(s.life)
	defer cancel()
	n, err := unlockScript.Run(ctx, s.rdb, []string{key}, token).Int()
	return n == 1, err
}

// lock takes the lock key for ttl, trying again every LockPoll while
// another replica holds it, for at most wait (or until ctx is done:
// ErrLockTimeout either way, and no attempt after that, even with a poll
// due at the same time). A Redis error is returned at once. unlock
// releases the lock if it is still ours; it is safe to call twice.
func (s *Store) lock(ctx context.Context, key string, ttl, wait time.Duration) (unlock func(), waited bool, err error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(s.cfg.LockPoll)
	defer tick.Stop()
	for {
		token, ok, err := s.tryLock(ctx, key, ttl)
		if err != nil && callerDone(ctx) { // the caller's time ran out, not Redis
			cause := ctx.Err()
			if cause == nil {
				cause = context.DeadlineExceeded
			}
			return nil, waited, fmt.Errorf("%w: %w", ErrLockTimeout, cause)
		}
		if err != nil {
			return nil, waited, err
		}
		if ok {
			return s.unlocker(key, token), waited, nil
		}
		waited = true
		select {
		case <-tick.C:
			// A poll due when the bound or ctx has ended too makes no
			// further attempt.
			select {
			case <-deadline.C:
				return nil, true, ErrLockTimeout
			default:
			}
			if ctx.Err() == nil {
				continue
			}
		case <-deadline.C:
			return nil, true, ErrLockTimeout
		case <-ctx.Done():
		}
		return nil, true, fmt.Errorf("%w: %w", ErrLockTimeout, ctx.Err())
	}
}

// callerDone reports whether ctx is done or its deadline has passed.
// The Redis client sets its network deadline from ctx, and that can fire
// a moment before ctx itself reports done: a call that failed then failed
// because the caller's time ran out, not because of Redis.
func callerDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// unlocker returns the release of a held lock, run at most once. A
// failed release only delays the next holder until the lock expires.
func (s *Store) unlocker(key, token string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			if _, err := s.release(key, token); err != nil {
				s.fail("unlock", err)
			}
		})
	}
}

// LockFill implements [embed.FillLocker]: it takes the cluster-wide fill
// lock of key, waiting while another replica fills it, so that the
// resolver, which then re-checks the store, finds the entry the other
// replica stored instead of asking FotoWeb again.
//
// When Redis fails or is known to be down, or the wait exceeds FillWait,
// it returns an error with a usable no-op unlock, and the caller fetches
// without the lock (one more upstream request rather than a failed or
// slow page). Either way, until unlock an invalidation of key makes Set
// drop the entry fetched.
func (s *Store) LockFill(ctx context.Context, key string) (unlock func(), err error) {
	end := s.fills.begin(key)
	if !s.health.up() {
		s.stats.fillFallbacks.Add(1)
		return end, fmt.Errorf("redisstore: fill lock for %q: %w", key, ErrUnavailable)
	}
	release, waited, err := s.lock(ctx, s.lockKey("fill:"+key), s.cfg.FillLockTTL, s.cfg.FillWait)
	if waited {
		s.stats.fillWaits.Add(1)
	}
	if err != nil {
		s.stats.fillFallbacks.Add(1)
		if !errors.Is(err, ErrLockTimeout) && !errors.Is(err, ErrUnavailable) {
			s.fail("fill lock", err)
		}
		return end, fmt.Errorf("redisstore: fill lock for %q: %w", key, err)
	}
	s.stats.fillLocks.Add(1)
	return func() { release(); end() }, nil
}
