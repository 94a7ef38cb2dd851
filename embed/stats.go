package embed

import "sync/atomic"

// Stats are the resolver's counters since it was made, for metrics (the
// HTTP service exports them to Prometheus as counters).
type Stats struct {
	// Hits counts lookups answered from a fresh cache entry.
	Hits uint64
	// Misses counts lookups that needed FotoWeb (absent or stale entry),
	// whether or not they shared another caller's request.
	Misses uint64
	// Fetches counts upstream requests made (one per coalesced miss).
	Fetches uint64
	// StaleServes counts lookups answered with a stale entry because
	// FotoWeb failed.
	StaleServes uint64
	// UpstreamErrors counts failed upstream requests (not-found excluded).
	UpstreamErrors uint64
	// NotFound counts lookups answered "not found", cached or not.
	NotFound uint64
}

// counters are the live counters behind Stats.
type counters struct {
	hits, misses, fetches, staleServes, upstreamErrors, notFound atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (r *Resolver) Stats() Stats {
	c := &r.stats
	return Stats{
		Hits:           c.hits.Load(),
		Misses:         c.misses.Load(),
		Fetches:        c.fetches.Load(),
		StaleServes:    c.staleServes.Load(),
		UpstreamErrors: c.upstreamErrors.Load(),
		NotFound:       c.notFound.Load(),
	}
}
