package embed

import "sync/atomic"

// Stats are the resolver's counters since it was made, for metrics (the
// HTTP service exports them to Prometheus as counters).
type Stats struct {
	// Hits counts lookups answered from a fresh cache entry.
	Hits uint64
	// Misses counts lookups that waited for FotoWeb (absent entry, or a
	// stale one that may not be served while it is refreshed), whether or
	// not they shared another caller's request.
	Misses uint64
	// Fetches counts upstream requests made (one per coalesced miss or
	// background refresh).
	Fetches uint64
	// StaleServes counts lookups answered with a stale entry because
	// FotoWeb failed (stale-if-error).
	StaleServes uint64
	// StaleWhileRevalidate counts lookups answered at once with a stale
	// entry while a background refresh runs (stale-while-revalidate).
	// They count neither as hits nor as misses.
	StaleWhileRevalidate uint64
	// BackgroundRefreshes counts the fetches made in the background for
	// stale-while-revalidate (included in Fetches).
	BackgroundRefreshes uint64
	// MissTimeouts counts lookups that gave up waiting for FotoWeb after
	// the miss budget (ResolverConfig.MissTimeout); the fetch went on.
	MissTimeouts uint64
	// UpstreamErrors counts failed upstream requests (not-found excluded).
	UpstreamErrors uint64
	// NotFound counts lookups answered "not found", cached or not.
	NotFound uint64
}

// counters are the live counters behind Stats.
type counters struct {
	hits, misses, fetches, staleServes, upstreamErrors, notFound atomic.Uint64
	swr, bgRefreshes, missTimeouts                               atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (r *Resolver) Stats() Stats {
	c := &r.stats
	return Stats{
		Hits:                 c.hits.Load(),
		Misses:               c.misses.Load(),
		Fetches:              c.fetches.Load(),
		StaleServes:          c.staleServes.Load(),
		StaleWhileRevalidate: c.swr.Load(),
		BackgroundRefreshes:  c.bgRefreshes.Load(),
		MissTimeouts:         c.missTimeouts.Load(),
		UpstreamErrors:       c.upstreamErrors.Load(),
		NotFound:             c.notFound.Load(),
	}
}
