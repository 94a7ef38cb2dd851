package embed

import (
	"context"
	"time"
)

// Store holds resolved entries by canonical asset href. The in-process
// default is [NewMemoryStore]; a shared store (Redis) implements the same
// three methods by marshalling [Entry] as JSON. Implementations must be
// safe for concurrent use. Entries handed out by Get must not be modified;
// a store may return the same *Entry to several callers.
//
// ctx is the caller's. A store that waits (a network round trip, a lock)
// stops waiting when ctx ends: Get then answers a miss and Set gives up
// the write, and neither counts it as a failure of the store.
// Delete must not be lost that way: a shared store that could not send it
// before ctx ended keeps it and sends it later, as it does while its
// server is unreachable. An in-process store never waits and ignores ctx.
// The resolver passes the visitor's request context to Get on a lookup,
// and a context detached from it (bounded by FetchTimeout) to the calls
// of a fetch, which other callers share.
type Store interface {
	// Get returns the entry for key, if the store still holds it.
	Get(ctx context.Context, key string) (*Entry, bool)
	// Set stores e under key for at most ttl (the store may drop it
	// earlier). The resolver decides freshness from the entry itself.
	Set(ctx context.Context, key string, e *Entry, ttl time.Duration)
	// Delete removes key.
	Delete(ctx context.Context, key string)
}

// FillLocker is optionally implemented by a [Store] shared between
// processes (replicas), so that concurrent misses for one key across them
// make one upstream request. On a miss the resolver calls LockFill, then
// looks in the store again (another process may have filled the key
// meanwhile) and fetches only if the entry is still missing or stale;
// it calls unlock after storing what it fetched. On error the lock is not
// held and the resolver fetches anyway; unlock, when not nil, must still
// be called.
type FillLocker interface {
	// LockFill blocks until this process may fill key, or gives up with
	// an error (bounded by the implementation and ctx).
	LockFill(ctx context.Context, key string) (unlock func(), err error)
}

// Entry is what a [Store] keeps for one asset: the resolved Info or a
// not-found marker, when it was fetched, until when it is fresh, and until
// when it may be served stale (stale-while-revalidate, stale-if-error).
// It is plain data that round-trips through encoding/json. It never holds an access
// token; its Info holds the asset's previewToken only when the resolver
// keeps them (ResolverConfig.PreviewTokens).
type Entry struct {
	// Info is the resolved asset; nil when NotFound.
	Info *Info `json:"info,omitempty"`
	// NotFound records that FotoWeb answered 404 (or 410).
	NotFound bool `json:"notFound,omitempty"`
	// Fetched is when FotoWeb answered.
	Fetched time.Time `json:"fetched"`
	// FreshUntil is when the entry goes stale and is fetched anew.
	FreshUntil time.Time `json:"freshUntil"`
	// StaleUntil is the end of the stale window: until then a stale
	// entry may be served while it is refreshed in the background, or
	// when fetching anew fails; not after it.
	StaleUntil time.Time `json:"staleUntil"`
	// Stale marks an entry kept after a failed refresh: it is served,
	// and counted as a stale serve, until FreshUntil (a short back-off),
	// when FotoWeb is asked again.
	Stale bool `json:"stale,omitempty"`
}
