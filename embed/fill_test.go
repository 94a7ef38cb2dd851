package embed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// lockingStore is a MemoryStore with an in-memory FillLocker, standing in
// for a store shared by several processes.
type lockingStore struct {
	*MemoryStore
	mu    sync.Mutex
	locks map[string]*sync.Mutex
	calls atomic.Int32
	fail  error // when set, LockFill fails with it
}

func (s *lockingStore) LockFill(ctx context.Context, key string) (func(), error) {
	s.calls.Add(1)
	if s.fail != nil {
		return nil, s.fail
	}
	s.mu.Lock()
	l := s.locks[key]
	if l == nil {
		l = &sync.Mutex{}
		s.locks[key] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock, nil
}

func newLockingStore() *lockingStore {
	return &lockingStore{MemoryStore: NewMemoryStore(0), locks: map[string]*sync.Mutex{}}
}

// TestFillLockerAcrossResolvers: two resolvers (two replicas, each with
// its own singleflight) sharing a FillLocker store make one upstream
// request for concurrent misses; the second finds the first's entry when
// it re-checks under the lock.
func TestFillLockerAcrossResolvers(t *testing.T) {
	store := newLockingStore()
	v := newEnv(t, ResolverConfig{Store: store})
	other, err := NewResolver(ResolverConfig{Source: v.client, Store: store, Now: v.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	v.fake.SetFault(archivesPrefix, fotowebtest.Fault{Latency: 100 * time.Millisecond})
	var wg sync.WaitGroup
	for i := range 40 {
		res := v.res
		if i%2 == 1 {
			res = other
		}
		wg.Go(func() {
			if _, err := res.Resolve(context.Background(), landscapeRef); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := v.fake.Count(landscapeRef); n != 1 {
		t.Errorf("concurrent misses on two resolvers made %d upstream requests, want 1", n)
	}
	if f := v.res.Stats().Fetches + other.Stats().Fetches; f != 1 {
		t.Errorf("%d fetches counted, want 1", f)
	}
	if c := store.calls.Load(); c != 2 {
		t.Errorf("LockFill called %d times, want once per resolver", c)
	}
}

// TestFillLockerError: when the lock cannot be had the resolver fetches
// anyway.
func TestFillLockerError(t *testing.T) {
	store := newLockingStore()
	store.fail = errors.New("lock service down")
	v := newEnv(t, ResolverConfig{Store: store})
	in, err := v.res.Resolve(context.Background(), landscapeRef)
	if err != nil || in.Width != 5472 {
		t.Fatalf("Resolve with a failing FillLocker: %v", err)
	}
	if n := v.fake.Count(landscapeRef); n != 1 {
		t.Errorf("%d upstream requests, want 1", n)
	}
}
