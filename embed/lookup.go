package embed

import (
	"context"
	"fmt"
	"time"
)

// entryState is what a stored entry allows a lookup to do.
type entryState int

const (
	// entryAbsent: nothing stored; wait for a fetch.
	entryAbsent entryState = iota
	// entryFresh: serve it.
	entryFresh
	// entryRevalidate: stale but servable; serve it while one background
	// refresh runs.
	entryRevalidate
	// entryExpired: stale and not servable; wait for the refresh.
	entryExpired
)

// minStaleTokenLife is the least previewToken life a stale entry must
// have left to be served while it is refreshed, whatever
// PreviewTokenMargin says.
const minStaleTokenLife = time.Minute

// lookup returns the stored entry for key and what it allows now. ctx
// bounds the store's Get; when it ends the lookup finds nothing.
func (r *Resolver) lookup(ctx context.Context, key string) (*Entry, entryState) {
	e, ok := r.cfg.Store.Get(ctx, key)
	if !ok || e == nil {
		return nil, entryAbsent
	}
	now := r.cfg.Now()
	switch {
	case now.Before(e.FreshUntil):
		return e, entryFresh
	case r.servableStale(e, now):
		return e, entryRevalidate
	}
	return e, entryExpired
}

// servableStale reports whether the stale entry e may be served at now
// while it is refreshed: within its stale window, an asset (never a
// not-found marker), whose previewToken (when kept) has at least
// PreviewTokenMargin (and a minute) left, before its rights expire.
func (r *Resolver) servableStale(e *Entry, now time.Time) bool {
	in := e.Info
	if e.NotFound || in == nil || !now.Before(e.StaleUntil) {
		return false
	}
	if exp := in.PreviewTokenExpires; !exp.IsZero() &&
		!now.Add(max(r.cfg.PreviewTokenMargin, minStaleTokenLife)).Before(exp) {
		return false
	}
	if exp := in.Rights.Expires; !exp.IsZero() && !now.Before(exp) {
		return false
	}
	return true
}

// serve answers a lookup from stored entry e in state st (fresh or
// revalidate), starting the background refresh of a stale one.
func (r *Resolver) serve(ctx context.Context, key string, e *Entry, st entryState) (*Info, error) {
	switch {
	case st == entryRevalidate:
		r.stats.swr.Add(1)
		r.revalidate(ctx, key)
	case e.Stale:
		r.stats.staleServes.Add(1)
	default:
		r.stats.hits.Add(1)
	}
	return r.result(key, e)
}

// wait answers a miss: it joins or starts the fetch of key and waits for
// it, for ctx and for at most MissTimeout. A caller whose ctx has already
// ended starts no fetch: nobody would wait for it.
func (r *Resolver) wait(ctx context.Context, key string) (*Info, error) {
	r.stats.misses.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embed: resolving %q: %w", key, err)
	}
	ch := r.group.DoChan(key, func() (any, error) { return r.refresh(ctx, key) })
	var budget <-chan time.Time
	if r.cfg.MissTimeout > 0 {
		t := time.NewTimer(r.cfg.MissTimeout)
		defer t.Stop()
		budget = t.C
	}
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
	case <-budget:
		r.stats.missTimeouts.Add(1)
		return nil, fmt.Errorf("%w: %q: no answer within %v: %w", ErrUpstream, key, r.cfg.MissTimeout, context.DeadlineExceeded)
	}
}

// revalidate starts the background refresh of key unless one is under
// way (in this resolver: one per key, shared with the misses waiting
// through the singleflight group). The refresh outlives the caller: it
// runs, store calls included, with ctx detached from the caller's
// cancellation (its values kept), bounded by FetchTimeout; its answer
// replaces the entry unless key was invalidated meanwhile (see set).
func (r *Resolver) revalidate(ctx context.Context, key string) {
	if _, busy := r.bg.LoadOrStore(key, struct{}{}); busy {
		return
	}
	ctx = context.WithoutCancel(ctx)
	r.bgWG.Add(1)
	go func() {
		defer r.bgWG.Done()
		defer r.bg.Delete(key)
		r.group.Do(key, func() (any, error) {
			r.stats.bgRefreshes.Add(1)
			return r.refresh(ctx, key)
		})
	}()
}
