package redisstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/redistest"
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

// TestLockExpiry: a lock whose holder never releases it is free after its
// TTL.
func TestLockExpiry(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	ctx := context.Background()
	if _, ok, _ := a.tryLock(ctx, "l:exp", 100*time.Millisecond); !ok {
		t.Fatal("tryLock failed")
	}
	if d := pttl(t, a, "l:exp"); d <= 0 || d > 100*time.Millisecond {
		t.Errorf("lock PTTL %v, want (0, 100ms]", d)
	}
	start := time.Now()
	unlock, waited, err := b.lock(ctx, "l:exp", time.Minute, 5*time.Second)
	if err != nil || !waited {
		t.Fatalf("lock after expiry: waited=%v err=%v", waited, err)
	}
	defer unlock()
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v to get an expired lock", el)
	}
}

// TestUnlockComparesToken: a holder whose lock expired and was taken by
// another does not release the other's lock.
func TestUnlockComparesToken(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
	ctx := context.Background()
	unlockA, _, err := a.lock(ctx, "l:cad", 50*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlockB, waited, err := b.lock(ctx, "l:cad", time.Minute, 5*time.Second)
	if err != nil || !waited {
		t.Fatalf("b: waited=%v err=%v", waited, err)
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
// after the bound, or when ctx ends.
func TestLockWaitBound(t *testing.T) {
	r := redistest.Start(t)
	a, b := newStore(t, r, Config{}), newStore(t, r, Config{})
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
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := b.lock(cctx, "l:wait", time.Minute, time.Minute); !errors.Is(err, ErrLockTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock with an ending ctx: %v", err)
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
			unlock, _, err := stores[i%3].lock(context.Background(), "l:mutex", 10*time.Second, 10*time.Second)
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
// with an error and a usable unlock, so the caller fetches directly.
func TestLockFillWithoutRedis(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r, Config{})
	r.Kill()
	start := time.Now()
	unlock, err := s.LockFill(context.Background(), "/x.info")
	if err == nil || unlock == nil {
		t.Fatalf("LockFill without Redis: unlock %v, err %v", unlock != nil, err)
	}
	unlock()
	if el := time.Since(start); el > time.Second {
		t.Errorf("LockFill took %v without Redis", el)
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
