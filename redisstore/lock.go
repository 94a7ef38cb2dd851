package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
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
// returns its token; ok is false when another holds it. When ctx ends
// before Redis answered, it returns ctx's error at once (see callRedis).
// The SET it sent may still take the lock then: if it does, the lock is
// released as soon as that is known, rather than held until ttl for a
// caller that has gone.
func (s *Store) tryLock(ctx context.Context, key string, ttl time.Duration) (token string, ok bool, err error) {
	tok := newToken() // the abandoned call may still use it
	var h handoff
	ok, err = callRedis(ctx, s, func(ctx context.Context) (bool, error) {
		err := s.rdb.SetArgs(ctx, key, tok, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
		switch {
		case errors.Is(err, redis.Nil):
			return false, nil
		case err != nil:
			return false, err
		}
		if h.took() {
			s.unlocker(key, tok)() // taken for a caller that has gone
		}
		return true, nil
	})
	if err != nil {
		if h.gone() {
			go s.unlocker(key, tok)() // taken as the caller went
		}
		return "", false, err
	}
	if !ok {
		return "", false, nil
	}
	return tok, true, nil
}

// handoff passes what a call that awaitCall may abandon takes (a lock)
// to its caller, or has it given back when the caller has gone: the call
// reports took once it has taken it, the caller gone when it stopped
// waiting. Of the two, the one that comes second, and only that one,
// learns that it must give it back. A caller given the call's answer
// does not call gone: it keeps what was taken.
type handoff struct{ state atomic.Int32 }

const (
	handPending = iota
	handTaken
	handGone
)

// took records that the call has taken it; true means the caller has
// gone and the call must give it back.
func (h *handoff) took() bool { return !h.state.CompareAndSwap(handPending, handTaken) }

// gone records that the caller stopped waiting; true means the call had
// taken it and the caller must give it back.
func (h *handoff) gone() bool { return !h.state.CompareAndSwap(handPending, handGone) }

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
// due at the same time). A ctx that ends during an attempt ends the wait
// at once, with ErrLockTimeout wrapping ctx's error; a lock that attempt
// takes after all is released (tryLock). A Redis error is returned at
// once. unlock releases the lock if it is still ours; it is safe to call
// twice.
func (s *Store) lock(ctx context.Context, key string, ttl, wait time.Duration) (unlock func(), waited bool, err error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(s.cfg.LockPoll)
	defer tick.Stop()
	for {
		token, ok, err := s.tryLock(ctx, key, ttl)
		if err != nil && callerDone(ctx) { // the caller's time ran out, not Redis
			return nil, waited, fmt.Errorf("%w: %w", ErrLockTimeout, callerErr(ctx))
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

// callerErr is ctx's error once callerDone(ctx) reports true:
// context.DeadlineExceeded when the deadline has passed but ctx does not
// say so yet.
func callerErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

// callRedis runs call, Redis calls under a context bounded by Timeout and
// ctx (opCtx), through awaitCall: it answers as soon as ctx ends, and
// sends nothing when ctx has already ended. The export ledger, the
// where-used record, the TokenStore, Once and the locks make their Redis
// calls through it; Get, Set and Delete use awaitCall directly. A call
// that fails once the caller's time has run out (callerDone) returns
// ctx's error (callerErr): the caller went away, Redis did not fail, and
// callers do not count it as a Redis error. redis.Nil is an answer,
// passed on as is.
func callRedis[T any](ctx context.Context, s *Store, call func(ctx context.Context) (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	v, err := awaitCall(ctx, func() (T, error) { return call(octx) })
	if err != nil && !errors.Is(err, redis.Nil) && callerDone(ctx) {
		return v, callerErr(ctx)
	}
	return v, err
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
// slow page). When ctx ends first it returns at once, with an error
// wrapping ctx's (and ErrLockTimeout), not counted as a Redis error.
// Either way, until unlock an invalidation of key makes Set drop the
// entry fetched.
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
