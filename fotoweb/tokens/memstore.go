package tokens

import (
	"context"
	"sync"

	"golang.org/x/oauth2"
)

// MemoryStore is a [TokenStore] in memory, for one process: tests, load
// harnesses and programs whose login need not outlive them. It is a
// [Locker] too, so that several sources sharing one store (replicas in a
// test) refresh one at a time. Load and Save copy the token. The zero
// value is an empty store, ready to use.
type MemoryStore struct {
	mu   sync.Mutex
	tok  *oauth2.Token
	lock chan struct{} // holds a value while locked; made on first use
}

// NewMemoryStore returns a MemoryStore holding a copy of tok, or an
// empty one when tok is nil.
func NewMemoryStore(tok *oauth2.Token) *MemoryStore {
	m := &MemoryStore{}
	if tok != nil {
		c := *tok
		m.tok = &c
	}
	return m
}

// Load implements [TokenStore]; the error is ErrNoToken when the store
// is empty.
func (m *MemoryStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, ErrNoToken
	}
	c := *m.tok
	return &c, nil
}

// Save implements [TokenStore].
func (m *MemoryStore) Save(_ context.Context, t *oauth2.Token) error {
	c := *t
	m.mu.Lock()
	m.tok = &c
	m.mu.Unlock()
	return nil
}

// Lock implements [Locker]: it waits until no one else holds the store's
// lock, or until ctx is done.
func (m *MemoryStore) Lock(ctx context.Context) (unlock func(), err error) {
	m.mu.Lock()
	if m.lock == nil {
		m.lock = make(chan struct{}, 1)
	}
	l := m.lock
	m.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var (
	_ TokenStore = (*MemoryStore)(nil)
	_ Locker     = (*MemoryStore)(nil)
)
