package embed

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
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
	// DefaultMissTimeout is how long a caller waits for FotoWeb on a
	// miss before giving up (the fetch itself goes on).
	DefaultMissTimeout = 10 * time.Second
	// DefaultPreviewTokenMargin is how long before its previewToken
	// expires an entry is fetched anew.
	DefaultPreviewTokenMargin = 10 * time.Minute
)

// Resolver errors.
var (
	// ErrBadRef reports an asset reference the source cannot parse.
	ErrBadRef = errors.New("embed: bad asset reference")
	// ErrUpstream reports that FotoWeb failed, or did not answer within
	// the miss budget (ResolverConfig.MissTimeout; the error then also
	// matches context.DeadlineExceeded), and no stale entry could be
	// served. It wraps the cause.
	ErrUpstream = errors.New("embed: FotoWeb unavailable")
)

// ResolverConfig configures a [Resolver]. The zero value of every field
// means its default, so a ResolverConfig with only Source works. A
// negative lifetime (TTL, StaleIfError, NotFoundTTL, ErrorBackoff) turns
// it off, a negative PreviewTokenMargin means no margin, a negative
// MissTimeout no miss budget; a negative FetchTimeout is an error from
// [NewResolver].
type ResolverConfig struct {
	// Source fetches assets; required.
	Source AssetSource
	// Store holds entries; nil means a new NewMemoryStore(0) (bounded by
	// the default limits).
	Store Store
	// TTL is how long a resolved asset is fresh (default 5 min).
	// Negative: never fresh, every Resolve asks FotoWeb (an entry within
	// StaleIfError is still served while it is refreshed; turn both off
	// for no caching at all).
	TTL time.Duration
	// StaleIfError is the stale window: how long after going stale an
	// entry may still be served (default 30 min). Within it a stale
	// entry is served at once while one background refresh runs
	// (stale-while-revalidate), and is kept when refreshing fails
	// (stale-if-error). Never served stale: a not-found marker, an entry
	// whose previewToken has less than PreviewTokenMargin (at least a
	// minute) left, and an entry past its Rights.Expires; for those the
	// caller waits for the refresh. Negative: no stale window.
	StaleIfError time.Duration
	// NotFoundTTL is how long "not found" is remembered (default 30 s;
	// negative: not remembered).
	NotFoundTTL time.Duration
	// ErrorBackoff is how long a stale entry is served without asking
	// FotoWeb again after a failed refresh (default 10 s), so that an
	// outage does not slow every page by a failing request. Negative: no
	// back-off, FotoWeb is asked again on the next request.
	ErrorBackoff time.Duration
	// FetchTimeout bounds one upstream fetch (default 15 s; negative is
	// an error). A fetch is not cancelled when the caller that started it
	// goes away, because other callers may be waiting for it.
	FetchTimeout time.Duration
	// MissTimeout is the miss budget: how long a caller waits for
	// FotoWeb when no entry can be served (default 10 s). Past it Resolve
	// gives up with an error matching both [ErrUpstream] and
	// context.DeadlineExceeded (the service answers 504); the fetch goes
	// on, bounded by FetchTimeout, for the other callers and the cache.
	// Negative: no miss budget, the caller waits for the fetch.
	MissTimeout time.Duration
	// Fields names the metadata fields kept for alt, caption and credit.
	Fields Fields
	// PreviewTokens keeps each asset's previewToken in its Info (for the
	// "preview" URL token policy). An entry is then fresh for at most its
	// previewToken's life less PreviewTokenMargin, so that a previewToken
	// handed out always has at least that margin left.
	PreviewTokens bool
	// PreviewTokenMargin: see PreviewTokens (default 10 min; negative:
	// no margin).
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
	bg     sync.Map       // keys with a background refresh under way; see revalidate
	bgWG   sync.WaitGroup // background refreshes under way (tests wait on it)
}

// epochShards is the number of invalidation epochs keys are spread over.
const epochShards = 64

// epoch returns the invalidation epoch of key's shard.
func (r *Resolver) epoch(key string) *atomic.Uint64 {
	return &r.epochs[maphash.String(r.seed, key)%epochShards]
}

// NewResolver returns a Resolver for cfg. It reports every problem with
// cfg at once, each naming its field.
func NewResolver(cfg ResolverConfig) (*Resolver, error) {
	var errs []error
	if cfg.Source == nil {
		errs = append(errs, errors.New("embed: ResolverConfig.Source is required"))
	}
	if cfg.FetchTimeout < 0 {
		errs = append(errs, fmt.Errorf("embed: ResolverConfig.FetchTimeout is negative (%v): give a time limit, or 0 for the default %v",
			cfg.FetchTimeout, DefaultFetchTimeout))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
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
	def(&cfg.MissTimeout, DefaultMissTimeout)
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
// when fresh. A stale entry within the stale window is returned at once
// while one background refresh runs (see ResolverConfig.StaleIfError).
// A missing asset gives an error matching fotoweb.ErrNotFound; an
// unreachable FotoWeb gives the stale entry within the stale window, then
// an error matching [ErrUpstream]; a caller that waited MissTimeout for
// FotoWeb gets an error matching ErrUpstream and
// context.DeadlineExceeded.
func (r *Resolver) Resolve(ctx context.Context, ref string) (*Info, error) {
	// Fast path: a ref spelled exactly as a stored key is that canonical
	// href (the store holds only ParseRef results, and ParseRef returns a
	// canonical href unchanged), so a stored entry needs no parsing.
	looked := ""
	if strings.HasPrefix(ref, "/") {
		if e, st := r.lookup(ctx, ref); st == entryFresh || st == entryRevalidate {
			return r.serve(ctx, ref, e, st)
		}
		looked = ref
	}
	key, err := r.Key(ref)
	if err != nil {
		return nil, err
	}
	if key != looked {
		if e, st := r.lookup(ctx, key); st == entryFresh || st == entryRevalidate {
			return r.serve(ctx, key, e, st)
		}
	}
	return r.wait(ctx, key)
}

// Cached reports whether resolving ref now would be answered from a
// stored entry without waiting for FotoWeb (a fresh entry, or a stale one
// served while it is refreshed in the background): the same lookups as
// Resolve, nothing counted, no refresh started. A ref that does not parse
// reports true (it is refused without FotoWeb). ctx bounds the store's
// lookups (see [Store]).
func (r *Resolver) Cached(ctx context.Context, ref string) bool {
	if strings.HasPrefix(ref, "/") {
		if _, st := r.lookup(ctx, ref); st == entryFresh || st == entryRevalidate {
			return true
		}
	}
	key, err := r.cfg.Source.ParseRef(ref)
	if err != nil {
		return true
	}
	_, st := r.lookup(ctx, key)
	return st == entryFresh || st == entryRevalidate
}

// fresh returns the stored entry for key if it is fresh.
func (r *Resolver) fresh(ctx context.Context, key string) (*Entry, bool) {
	e, st := r.lookup(ctx, key)
	return e, st == entryFresh
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
// time when the store is a [FillLocker]. Other callers may be waiting for
// it, so neither the fetch nor its store calls end with ctx: they have
// FetchTimeout.
func (r *Resolver) refresh(ctx context.Context, key string) (*Entry, error) {
	epoch := r.epoch(key).Load()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.FetchTimeout)
	defer cancel()
	if fl, ok := r.cfg.Store.(FillLocker); ok {
		unlock, _ := fl.LockFill(fctx, key) // on error: fetch without the lock
		if unlock != nil {
			defer unlock()
		}
		if e, ok := r.fresh(fctx, key); ok {
			return e, nil // another process filled it while we waited
		}
	}
	r.stats.fetches.Add(1)
	a, err := r.cfg.Source.Asset(fctx, key)
	now := r.cfg.Now()
	switch {
	case err == nil:
		e := r.entry(key, a, now)
		r.set(fctx, key, e, now, epoch)
		return e, nil
	case errors.Is(err, fotoweb.ErrNotFound) || errors.Is(err, fotoweb.ErrGone):
		e := &Entry{NotFound: true, Fetched: now, FreshUntil: now.Add(r.cfg.NotFoundTTL)}
		e.StaleUntil = e.FreshUntil
		if r.cfg.NotFoundTTL > 0 {
			r.set(fctx, key, e, now, epoch)
		}
		return e, nil
	}
	r.stats.upstreamErrors.Add(1)
	if old, ok := r.cfg.Store.Get(fctx, key); ok && now.Before(old.StaleUntil) {
		e := *old
		e.Stale = true
		e.FreshUntil = minTime(now.Add(r.cfg.ErrorBackoff), old.StaleUntil)
		r.set(fctx, key, &e, now, epoch)
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
// entry already stored is kept and returned. ctx bounds the store's calls
// (see [Store]).
func (r *Resolver) Prime(ctx context.Context, a *fotoweb.Asset) (*Info, error) {
	key, err := r.Key(a.Href)
	if err != nil {
		return nil, err
	}
	if e, ok := r.fresh(ctx, key); ok && e.Info != nil {
		return e.Info, nil
	}
	epoch := r.epoch(key).Load()
	now := r.cfg.Now()
	e := r.entry(key, a, now)
	r.set(ctx, key, e, now, epoch)
	return e.Info, nil
}

// set stores e unless the key (or another key of its shard) was
// invalidated since the fetch started: the answer may predate the change
// the invalidation announced.
func (r *Resolver) set(ctx context.Context, key string, e *Entry, now time.Time, epoch uint64) {
	if r.epoch(key).Load() != epoch {
		return
	}
	r.cfg.Store.Set(ctx, key, e, e.StaleUntil.Sub(now)+time.Second)
}

// Invalidate drops what is cached about ref, so that the next Resolve asks
// FotoWeb (use it from webhooks: the payload is a hint, never data). A
// fetch already under way is not stored. ctx is passed to the store's
// Delete, which does not lose the invalidation when ctx ends (see
// [Store]).
func (r *Resolver) Invalidate(ctx context.Context, ref string) error {
	key, err := r.Key(ref)
	if err != nil {
		return err
	}
	r.epoch(key).Add(1)
	r.group.Forget(key)
	r.cfg.Store.Delete(ctx, key)
	return nil
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
