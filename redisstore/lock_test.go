package redisstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// TestLockNX: a held lock cannot be taken again until released.
func TestLockNX(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	ctx := context.Background()
	tok, ok, err := a.tryLock(ctx, "l:nx", time.Minute)
	if err != nil || !ok || tok == "" {
		t.Fatalf("first tryLock: %q %v %v", tok, ok, err)
	}
	if _, ok, err := b.tryLock(ctx, "l:nx", time.Minute); ok || err != nil {
		t.Fatalf("second tryLock while held: ok=%v err=%v", ok, err)
	}
	if released, err := a.release("l:nx", tok); !released || err != nil {
		t.Fatalf("release: %v %v", released, err)
	}
	if _, ok, err := b.tryLock(ctx, "l:nx", time.Minute); !ok || err != nil {
		t.Fatalf("tryLock after release: ok=%v err=%v", ok, err)
	}
}

// TestLockExpiry: a lock is taken with its TTL, and one whose holder
// never releases it is free after that TTL (whether or not the other
// replica's first attempt came before it ended). The wait bound only
// guards against a hang.
func TestLockExpiry(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	ctx := context.Background()
	if _, ok, _ := a.tryLock(ctx, "l:ttl", time.Minute); !ok {
		t.Fatal("tryLock failed")
	}
	if d := pttl(t, a, "l:ttl"); d <= 0 || d > time.Minute {
		t.Errorf("lock PTTL %v, want (0, 1m]", d)
	}
	if _, ok, _ := a.tryLock(ctx, "l:exp", 100*time.Millisecond); !ok {
		t.Fatal("tryLock failed")
	}
	unlock, _, err := b.lock(ctx, "l:exp", time.Minute, time.Minute)
	if err != nil {
		t.Fatalf("lock after expiry: %v", err)
	}
	defer unlock()
}

// TestUnlockComparesToken: a holder whose lock expired and was taken by
// another does not release the other's lock. (Whether b waits for the
// expiry or comes after it depends on the machine's speed: not checked.)
func TestUnlockComparesToken(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	ctx := context.Background()
	unlockA, _, err := a.lock(ctx, "l:cad", 50*time.Millisecond, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	unlockB, _, err := b.lock(ctx, "l:cad", time.Minute, time.Minute)
	if err != nil {
		t.Fatalf("b: %v", err)
	}
	unlockA() // too late: must not delete b's lock
	if _, ok, _ := a.tryLock(ctx, "l:cad", time.Minute); ok {
		t.Fatal("a's late unlock released b's lock")
	}
	if released, err := a.release("l:cad", "not-the-token"); released || err != nil {
		t.Errorf("release with a wrong token: %v %v", released, err)
	}
	unlockB()
	unlockB() // twice is harmless
	if _, ok, _ := a.tryLock(ctx, "l:cad", time.Minute); !ok {
		t.Error("b's unlock did not release")
	}
}

// TestLockWaitBound: waiting for a held lock ends with ErrLockTimeout
// after the bound, or when ctx ends; once either has happened the store
// makes no further attempt to take the lock. Attempts are counted by a
// hook on the client, and the end is made to come while an attempt is
// under way, so the count is exact whatever the machine's speed.
func TestLockWaitBound(t *testing.T) {
	r := redistest.Start(t)
	a := newStore(t, r, Config{})
	b := newStore(t, r, Config{LockPoll: time.Microsecond}) // the next attempt is always due
	sets := &setCounter{key: "l:wait"}
	b.rdb.AddHook(sets)
	ctx := context.Background()
	if _, ok, _ := a.tryLock(ctx, "l:wait", time.Minute); !ok {
		t.Fatal("tryLock failed")
	}
	start := time.Now()
	if _, _, err := b.lock(ctx, "l:wait", time.Minute, 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("lock on a held lock: %v", err)
	}
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("gave up after %v, before the 100ms wait bound", el)
	}
	// A bound of 1ns has passed when the first attempt is answered. The
	// tries are repeated because a store choosing at random between the
	// bound and its next poll would pass some of them.
	for try := range 20 {
		sets.n.Store(0)
		if _, _, err := b.lock(ctx, "l:wait", time.Minute, time.Nanosecond); !errors.Is(err, ErrLockTimeout) {
			t.Fatalf("try %d: lock past its wait bound: %v", try, err)
		}
		if n := sets.n.Load(); n != 1 {
			t.Fatalf("try %d: %d attempts to take the lock, want 1: none after the wait bound", try, n)
		}
	}
	// ctx is cancelled as the third attempt is answered.
	for try := range 20 {
		cctx, cancel := context.WithCancel(ctx)
		sets.n.Store(0)
		sets.setAfter(func(n int32) {
			if n == 3 {
				cancel()
			}
		})
		_, _, err := b.lock(cctx, "l:wait", time.Minute, time.Minute)
		sets.setAfter(nil)
		cancel()
		if !errors.Is(err, ErrLockTimeout) || !errors.Is(err, context.Canceled) {
			t.Fatalf("try %d: lock with a cancelled ctx: %v", try, err)
		}
		if n := sets.n.Load(); n != 3 {
			t.Fatalf("try %d: %d attempts to take the lock, want 3: none after ctx ended", try, n)
		}
	}
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := b.lock(dctx, "l:wait", time.Minute, time.Minute); !errors.Is(err, ErrLockTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock with an ending ctx: %v", err)
	}
}

// setCounter is a client hook counting the SET commands sent for key,
// and calling after (when set) with the count once each is answered, and
// sending its outcome to answers (when not nil).
type setCounter struct {
	key     string
	answers chan error
	n       atomic.Int32
	mu      sync.Mutex
	after   func(n int32)
}

func (h *setCounter) setAfter(f func(n int32)) {
	h.mu.Lock()
	h.after = f
	h.mu.Unlock()
}

// DialHook implements redis.Hook.
func (h *setCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessPipelineHook implements redis.Hook.
func (h *setCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// ProcessHook implements redis.Hook.
func (h *setCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		args := cmd.Args()
		if cmd.Name() != "set" || len(args) < 2 || args[1] != h.key {
			return next(ctx, cmd)
		}
		n := h.n.Add(1)
		err := next(ctx, cmd)
		h.mu.Lock()
		after := h.after
		h.mu.Unlock()
		if after != nil {
			after(n)
		}
		if h.answers != nil {
			h.answers <- err
		}
		return err
	}
}

// TestLockMutualExclusion: many goroutines on three stores never hold
// one lock at once.
func TestLockMutualExclusion(t *testing.T) {
	r := redistest.Start(t)
	stores := []*Store{newStore(t, r, Config{LockPoll: 2 * time.Millisecond}), newStore(t, r, Config{LockPoll: 2 * time.Millisecond}), newStore(t, r, Config{LockPoll: 2 * time.Millisecond})}
	var held, maxHeld, total atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, _, err := stores[i%3].lock(context.Background(), "l:mutex", time.Minute, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			n := held.Add(1)
			for m := maxHeld.Load(); n > m && !maxHeld.CompareAndSwap(m, n); m = maxHeld.Load() {
			}
			time.Sleep(time.Millisecond) // hold it a moment
			held.Add(-1)
			total.Add(1)
			unlock()
		}()
	}
	wg.Wait()
	if maxHeld.Load() != 1 || total.Load() != 30 {
		t.Errorf("max holders %d (want 1), %d of 30 got the lock", maxHeld.Load(), total.Load())
	}
}

// TestLockFillWithoutRedis: with Redis gone, LockFill answers at once
// with an error and a usable unlock, so the caller fetches directly: it
// makes one attempt at most (none once the health check knows), never a
// wait for Redis to come back.
func TestLockFillWithoutRedis(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r, Config{LockPoll: time.Microsecond})
	sets := &setCounter{key: s.lockKey("fill:/x.info")}
	s.rdb.AddHook(sets)
	r.Kill()
	unlock, err := s.LockFill(context.Background(), "/x.info")
	if err == nil || unlock == nil {
		t.Fatalf("LockFill without Redis: unlock %v, err %v", unlock != nil, err)
	}
	unlock()
	if n := sets.n.Load(); n > 1 {
		t.Errorf("LockFill made %d attempts without Redis, want at most 1", n)
	}
	if st := s.Stats(); st.FillFallbacks != 1 || st.Errors == 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestCallerDone: a context whose deadline has passed counts as done
// even before it reports itself done (the Redis client's network deadline
// can fire first).
func TestCallerDone(t *testing.T) {
	if callerDone(context.Background()) {
		t.Error("a context without deadline is done")
	}
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if !callerDone(past) {
		t.Error("a context past its deadline is not done")
	}
	future, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel2()
	if callerDone(future) {
		t.Error("a context with an hour left is done")
	}
}
