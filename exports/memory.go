package exports

import (
	"context"
	"sync"
)

// MemoryLedger is a [Ledger] held in this process's memory. It is NOT
// durable: its records are lost when the process ends, so a restarted
// service would export everything again. It is meant for tests and for
// library users with their own persistence. Create it with [NewMemory].
type MemoryLedger struct {
	mu    sync.Mutex
	m     map[string]map[Key]Record // by asset
	locks keyLocks
}

// NewMemory returns an empty in-process ledger.
func NewMemory() *MemoryLedger {
	return &MemoryLedger{m: make(map[string]map[Key]Record)}
}

// Get implements [Ledger].
func (l *MemoryLedger) Get(ctx context.Context, k Key) (Record, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec, ok := l.m[k.Asset][k]
	return rec, ok, nil
}

// Put implements [Ledger].
func (l *MemoryLedger) Put(ctx context.Context, k Key, rec Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.m[k.Asset]
	if recs == nil {
		recs = make(map[Key]Record)
		l.m[k.Asset] = recs
	}
	recs[k] = rec
	return nil
}

// Lock implements [Ledger] with an in-process mutex per key.
func (l *MemoryLedger) Lock(ctx context.Context, k Key) (func(), error) {
	return l.locks.lock(ctx, k)
}

// DeleteAsset implements [Ledger].
func (l *MemoryLedger) DeleteAsset(ctx context.Context, asset string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.m[asset])
	delete(l.m, asset)
	return n, nil
}

// Close implements [Ledger]; it does nothing.
func (l *MemoryLedger) Close() error { return nil }

var _ Ledger = (*MemoryLedger)(nil)
