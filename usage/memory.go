package usage

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Memory is a [Store] in the process's memory, for tests and library
// users; it does not survive a restart. Create it with [NewMemory].
type Memory struct {
	opts   Options
	mu     sync.Mutex
	assets map[string]map[string]time.Time
	stats  counters
}

// NewMemory returns an empty in-memory store with the default Options.
func NewMemory() *Memory { return NewMemoryWith(Options{}) }

// NewMemoryWith returns an empty in-memory store bounded by opts.
func NewMemoryWith(opts Options) *Memory {
	return &Memory{opts: opts.WithDefaults(), assets: map[string]map[string]time.Time{}}
}

// Record implements [Store].
func (m *Memory) Record(ctx context.Context, asset, page string) error {
	if err := check(asset, page); err != nil {
		return err
	}
	now := m.opts.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	pages, ok := m.assets[asset]
	if !ok {
		if len(m.assets) >= m.opts.MaxAssets {
			m.stats.refuse(m.opts.Logger, now, m.opts.MaxAssets)
			return ErrFull
		}
		pages = map[string]time.Time{}
		m.assets[asset] = pages
	}
	if seen, ok := pages[page]; ok && now.Sub(seen) < m.opts.MinInterval {
		m.stats.skipped.Add(1)
		return nil
	} else if !ok {
		for len(pages) >= m.opts.MaxPagesPerAsset {
			delete(pages, oldest(pages))
			m.stats.evicted.Add(1)
		}
	}
	pages[page] = now
	m.stats.recorded.Add(1)
	return nil
}

// oldest returns the least recently seen page (the smallest page among
// equals: the last that Pages lists).
func oldest(pages map[string]time.Time) string {
	var first string
	var at time.Time
	for p, t := range pages {
		if first == "" || t.Before(at) || t.Equal(at) && p < first {
			first, at = p, t
		}
	}
	return first
}

// Pages implements [Store].
func (m *Memory) Pages(ctx context.Context, asset string) ([]Use, error) {
	m.mu.Lock()
	uses := make([]Use, 0, len(m.assets[asset]))
	for p, t := range m.assets[asset] {
		uses = append(uses, Use{Page: p, Seen: t})
	}
	m.mu.Unlock()
	sortUses(uses)
	return uses, nil
}

// sortUses orders uses most recently seen first, equal times by page in
// reverse byte order (as a store scanning its index backwards does).
func sortUses(uses []Use) {
	slices.SortFunc(uses, func(a, b Use) int {
		if c := b.Seen.Compare(a.Seen); c != 0 {
			return c
		}
		return strings.Compare(b.Page, a.Page)
	})
}

// Forget implements [Store].
func (m *Memory) Forget(ctx context.Context, asset string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.assets, asset)
	return nil
}

// Close implements [Store]; it does nothing.
func (m *Memory) Close() error { return nil }

// Stats returns what the store did.
func (m *Memory) Stats() Stats { return m.stats.get() }

// counters are a store's Stats, with the rate-limited log of refusals.
type counters struct {
	recorded, skipped, evicted, refused atomic.Uint64

	logMu    sync.Mutex
	lastLog  time.Time
	unlogged int
}

// refuseLogInterval is how often a full store says so in the log.
const refuseLogInterval = time.Minute

// get returns the counts.
func (c *counters) get() Stats {
	return Stats{Recorded: c.recorded.Load(), Skipped: c.skipped.Load(),
		Evicted: c.evicted.Load(), Refused: c.refused.Load()}
}

// refuse counts a new asset refused for MaxAssets and logs it, at most
// once per refuseLogInterval (with the number refused since).
func (c *counters) refuse(log *slog.Logger, now time.Time, maxAssets int) {
	c.refused.Add(1)
	c.logMu.Lock()
	defer c.logMu.Unlock()
	c.unlogged++
	if !c.lastLog.IsZero() && now.Sub(c.lastLog) < refuseLogInterval {
		return
	}
	log.Warn("usage: the where-used record is full: pages of new assets are not recorded (existing assets still are)",
		"max_assets", maxAssets, "refused", c.unlogged)
	c.lastLog, c.unlogged = now, 0
}

var _ Store = (*Memory)(nil)
