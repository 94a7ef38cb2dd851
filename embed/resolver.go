package embed

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// AssetSource is what the resolver needs from FotoWeb; *fotoweb.Client
// satisfies it.
type AssetSource interface {
	// Asset fetches the asset at ref (its href or URL).
	Asset(ctx context.Context, ref string) (*fotoweb.Asset, error)
	// ParseRef returns the canonical href of an asset reference, so that
	// every spelling of one asset shares one cache entry.
	ParseRef(ref string) (string, error)
}

// Resolver defaults.
const (
	DefaultTTL          = 5 * time.Minute
	DefaultStaleIfError = 30 * time.Minute
	DefaultNotFoundTTL  = 30 * time.Second
	DefaultErrorBackoff = 10 * time.Second
	DefaultFetchTimeout = 15 * time.Second
	// DefaultPreviewTokenMargin is how long before its previewToken
	// expires an entry is fetched anew.
	DefaultPreviewTokenMargin = 10 * time.Minute
)

// Resolver errors.
var (
	// ErrBadRef reports an asset reference the source cannot parse.
	ErrBadRef = errors.New("embed: bad asset reference")
	// ErrUpstream reports that FotoWeb failed and no stale entry could
	// be served. It wraps the cause.
	ErrUpstream = errors.New("embed: FotoWeb unavailable")
)

// ResolverConfig configures a [Resolver]. Zero durations mean the
// defaults; negative ones turn the feature off.
type ResolverConfig struct {
	// Source fetches assets; required.
	Source AssetSource
	// Store holds entries; nil means a new NewMemoryStore(0).
	Store Store
	// TTL is how long a resolved asset is fresh (default 5 min).
	TTL time.Duration
	// StaleIfError is how long after going stale an entry is still
	// served when refreshing it fails (default 30 min).
	StaleIfError time.Duration
	// NotFoundTTL is how long "not found" is remembered (default 30 s).
	NotFoundTTL time.Duration
	// ErrorBackoff is how long a stale entry is served without asking
	// FotoWeb again after a failed refresh (default 10 s), so that an
	// outage does not slow every page by a failing request.
	ErrorBackoff time.Duration
	// FetchTimeout bounds one upstream fetch (default 15 s). A fetch is
	// not cancelled when the caller that started it goes away, because
	// other callers may be waiting for it.
	FetchTimeout time.Duration
	// Fields names the metadata fields kept for alt, caption and credit.
	Fields Fields
	// PreviewTokens keeps each asset's previewToken in its Info (for the
	// "preview" URL token policy). An entry is then fresh for at most its
	// previewToken's life less PreviewTokenMargin, so that a previewToken
	// handed out always has at least that margin left.
	PreviewTokens bool
	// PreviewTokenMargin: see PreviewTokens (default 10 min).
	PreviewTokenMargin time.Duration
	// Now is the clock deciding freshness; nil means time.Now.
	Now func() time.Time
}

// Resolver resolves asset references to [Info], caching what FotoWeb said.
// Concurrent misses for one asset make one upstream request. It is safe
// for concurrent use.
type Resolver struct {
	cfg    ResolverConfig
	group  singleflight.Group
	seed   maphash.Seed
	epochs [epochShards]atomic.Uint64 // bumped by Invalidate, by key hash; see set
	stats  counters
}

// epochShards is the number of invalidation epochs keys are spread over.
const epochShards = 64

// epoch returns the invalidation epoch of key's shard.
func (r *Resolver) epoch(key string) *atomic.Uint64 {
	return &r.epochs[maphash.String(r.seed, key)%epochShards]
}

// NewResolver returns a Resolver for cfg.
func NewResolver(cfg ResolverConfig) (*Resolver, error) {
	if cfg.Source == nil {
		return nil, errors.New("embed: ResolverConfig.Source is required")
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore(0)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		} else if *d < 0 {
			*d = 0
		}
	}
	def(&cfg.TTL, DefaultTTL)
	def(&cfg.StaleIfError, DefaultStaleIfError)
	def(&cfg.NotFoundTTL, DefaultNotFoundTTL)
	def(&cfg.ErrorBackoff, DefaultErrorBackoff)
	def(&cfg.FetchTimeout, DefaultFetchTimeout)
	def(&cfg.PreviewTokenMargin, DefaultPreviewTokenMargin)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Fields = cfg.Fields.withDefaults()
	return &Resolver{cfg: cfg, seed: maphash.MakeSeed()}, nil
}

// Store returns the store the resolver keeps its entries in.
func (r *Resolver) Store() Store { return r.cfg.Store }

// Key returns the cache key (canonical href) of ref.
func (r *Resolver) Key(ref string) (string, error) {
	key, err := r.cfg.Source.ParseRef(ref)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrBadRef, ref, err)
	}
	return key, nil
}

// Resolve returns what FotoWeb says about the asset ref, from the cache
// when fresh. A missing asset gives an error matching fotoweb.ErrNotFound;
// an unreachable FotoWeb gives the stale entry within StaleIfError, then
// an error matching [ErrUpstream].
func (r *Resolver) Resolve(ctx context.Context, ref string) (*Info, error) {
	// Fast path: a ref spelled exactly as a stored key is that canonical
	// href (the store holds only ParseRef results, and ParseRef returns a
	// canonical href unchanged), so a fresh entry needs no parsing.
	if strings.HasPrefix(ref, "/") {
		if e, ok := r.fresh(ref); ok {
			return r.hit(ref, e)
		}
	}
	key, err := r.Key(ref)
	if err != nil {
		return nil, err
	}
	if e, ok := r.fresh(key); ok {
		return r.hit(key, e)
	}
	r.stats.misses.Add(1)
	ch := r.group.DoChan(key, func() (any, error) { return r.refresh(ctx, key) })
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		e := res.Val.(*Entry)
		if e.Stale {
			r.stats.staleServes.Add(1)
		}
		return r.result(key, e)
	case <-ctx.Done():
		return nil, fmt.Errorf("embed: resolving %q: %w", key, ctx.Err())
	}
}

// Cached reports whether resolving ref now would be answered from a
// fresh stored entry, without asking FotoWeb: the same lookups as
// Resolve, nothing counted. A ref that does not parse reports true (it
// is refused without FotoWeb).
func (r *Resolver) Cached(ref string) bool {
	if strings.HasPrefix(ref, "/") {
		if _, ok := r.fresh(ref); ok {
			return true
		}
	}
	key, err := r.cfg.Source.ParseRef(ref)
	if err != nil {
		return true
	}
	_, ok := r.fresh(key)
	return ok
}

// fresh returns the stored entry for key if it is fresh.
func (r *Resolver) fresh(key string) (*Entry, bool) {
	e, ok := r.cfg.Store.Get(key)
	if !ok || e == nil || !r.cfg.Now().Before(e.FreshUntil) {
		return nil, false
	}
	return e, true
}

// hit counts and answers a lookup served from a fresh entry.
func (r *Resolver) hit(key string, e *Entry) (*Info, error) {
	if e.Stale {
		r.stats.staleServes.Add(1)
	} else {
		r.stats.hits.Add(1)
	}
	return r.result(key, e)
}

// result turns an entry into Resolve's answer.
func (r *Resolver) result(key string, e *Entry) (*Info, error) {
	if e.NotFound || e.Info == nil {
		r.stats.notFound.Add(1)
		return nil, fmt.Errorf("embed: asset %q: %w", key, fotoweb.ErrNotFound)
	}
	return e.Info, nil
}

// refresh fetches key from FotoWeb and stores the outcome. It runs once
// per key at a time (singleflight); across processes, once per key at a
// time when the store is a [FillLocker].
func (r *Resolver) refresh(ctx context.Context, key string) (*Entry, error) {
	epoch := r.epoch(key).Load()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.FetchTimeout)
	defer cancel()
	if fl, ok := r.cfg.Store.(FillLocker); ok {
		unlock, _ := fl.LockFill(fctx, key) // on error: fetch without the lock
		if unlock != nil {
			defer unlock()
		}
		if e, ok := r.fresh(key); ok {
			return e, nil // another process filled it while we waited
		}
	}
	r.stats.fetches.Add(1)
	a, err := r.cfg.Source.Asset(fctx, key)
	now := r.cfg.Now()
	switch {
	case err == nil:
		e := r.entry(key, a, now)
		r.set(key, e, now, epoch)
		return e, nil
	case errors.Is(err, fotoweb.ErrNotFound) || errors.Is(err, fotoweb.ErrGone):
		e := &Entry{NotFound: true, Fetched: now, FreshUntil: now.Add(r.cfg.NotFoundTTL)}
		e.StaleUntil = e.FreshUntil
		if r.cfg.NotFoundTTL > 0 {
			r.set(key, e, now, epoch)
		}
		return e, nil
	}
	r.stats.upstreamErrors.Add(1)
	if old, ok := r.cfg.Store.Get(key); ok && now.Before(old.StaleUntil) {
		e := *old
		e.Stale = true
		e.FreshUntil = minTime(now.Add(r.cfg.ErrorBackoff), old.StaleUntil)
		r.set(key, &e, now, epoch)
		return &e, nil
	}
	return nil, fmt.Errorf("%w: %q: %w", ErrUpstream, key, err)
}

// entry is the fresh entry for what FotoWeb said about asset a at now.
// With PreviewTokens it keeps a's previewToken and goes stale its margin
// before the token expires (but not sooner than a tenth of its life, so
// that a token FotoWeb hands out nearly spent does not make every request
// a fetch).
func (r *Resolver) entry(key string, a *fotoweb.Asset, now time.Time) *Entry {
	in := NewInfo(key, a, r.cfg.Fields)
	fresh := now.Add(r.cfg.TTL)
	if r.cfg.PreviewTokens && a.PreviewToken != "" {
		in.PreviewToken = a.PreviewToken
		in.PreviewTokenExpires = previewTokenExpiry(a.PreviewToken, now)
		life := in.PreviewTokenExpires.Sub(now)
		if t := now.Add(max(life-r.cfg.PreviewTokenMargin, life/10)); t.Before(fresh) {
			fresh = t
		}
	}
	if exp := in.Rights.Expires; !exp.IsZero() && exp.After(now) && exp.Before(fresh) {
		fresh = exp // ask FotoWeb again when the licence ends: it may have been extended
	}
	return &Entry{Info: in, Fetched: now, FreshUntil: fresh, StaleUntil: fresh.Add(r.cfg.StaleIfError)}
}

// Prime stores what FotoWeb already said about a in another answer (a
// search hit carries the full asset representation), so that resolving
// it afterwards makes no upstream request, and returns its Info. A fresh
// entry already stored is kept and returned.
func (r *Resolver) Prime(a *fotoweb.Asset) (*Info, error) {
	key, err := r.Key(a.Href)
	if err != nil {
		return nil, err
	}
	if e, ok := r.fresh(key); ok && e.Info != nil {
		return e.Info, nil
	}
	epoch := r.epoch(key).Load()
	now := r.cfg.Now()
	e := r.entry(key, a, now)
	r.set(key, e, now, epoch)
	return e.Info, nil
}

// set stores e unless the key (or another key of its shard) was
// invalidated since the fetch started: the answer may predate the change
// the invalidation announced.
func (r *Resolver) set(key string, e *Entry, now time.Time, epoch uint64) {
	if r.epoch(key).Load() != epoch {
		return
	}
	r.cfg.Store.Set(key, e, e.StaleUntil.Sub(now)+time.Second)
}

// Invalidate drops what is cached about ref, so that the next Resolve asks
// FotoWeb (use it from webhooks: the payload is a hint, never data). A
// fetch already under way is not stored.
func (r *Resolver) Invalidate(ref string) error {
	key, err := r.Key(ref)
	if err != nil {
		return err
	}
	r.epoch(key).Add(1)
	r.group.Forget(key)
	r.cfg.Store.Delete(key)
	return nil
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
