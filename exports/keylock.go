package exports

import (
	"context"
	"fmt"
	"sync"
)

// keyLocks are in-process mutexes by key, waited for under a context.
// An entry lives while someone holds or waits for it. The zero value is
// ready to use.
type keyLocks struct {
	mu sync.Mutex
	m  map[Key]*keyLock
}

// keyLock is one key's mutex: a token in a one-slot channel.
type keyLock struct {
	ch   chan struct{}
	refs int // holders and waiters
}

// lock waits until the caller holds k's lock or ctx is done. unlock is
// safe to call more than once.
func (l *keyLocks) lock(ctx context.Context, k Key) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[Key]*keyLock)
	}
	e := l.m[k]
	if e == nil {
		e = &keyLock{ch: make(chan struct{}, 1)}
		l.m[k] = e
	}
	e.refs++
	l.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-e.ch
				l.drop(k, e)
			})
		}, nil
	case <-ctx.Done():
		l.drop(k, e)
		return nil, fmt.Errorf("exports: waiting for the export lock of %s: %w", k.Asset, ctx.Err())
	}
}

// drop forgets one holder or waiter of e.
func (l *keyLocks) drop(k Key, e *keyLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(l.m, k)
	}
}
