package rewrite

import (
	"context"
	"fmt"
	"net/url"
	"sync"
)

// UsageRecorder records where assets are used: a usage.Store, such as
// the service's where-used record, so that a change to an asset in
// FotoWeb can ask for the pages that show it to be rebuilt.
type UsageRecorder interface {
	// Record notes that page uses asset (a canonical asset href), now.
	Record(ctx context.Context, asset, page string) error
}

// use is one (asset, page) pair of a run.
type use struct{ asset, page string }

// noteUse remembers that page p uses the asset key, for Config.Usage.
func (r *run) noteUse(key string, p *page) {
	if r.cfg.Usage == nil {
		return
	}
	u := use{key, r.usagePage(p)}
	if r.used == nil {
		r.used = map[use]bool{}
	}
	if !r.used[u] {
		r.used[u] = true
		r.uses = append(r.uses, u)
	}
}

// usagePage is how the where-used record names page p: its public URL
// when Config.SiteURL is set, else its path from the site's root
// ("/blog/post/index.html").
func (r *run) usagePage(p *page) string {
	if r.cfg.SiteURL != "" {
		return pageURL(r.cfg.SiteURL, p.file.rel)
	}
	return (&url.URL{Path: "/" + p.file.rel}).EscapedPath()
}

// recordUses records every (asset, page) of a run that rewrote the site
// (several at once, so that a store batching concurrent writes can).
// Failures do not fail the run: they become one warning.
func (r *run) recordUses(ctx context.Context) {
	if r.cfg.Usage == nil || len(r.uses) == 0 {
		return
	}
	var mu sync.Mutex
	var failed int
	var first error
	forEach(ctx, len(r.uses), r.cfg.Concurrency, func(i int) {
		u := r.uses[i]
		if err := r.cfg.Usage.Record(ctx, u.asset, u.page); err != nil {
			mu.Lock()
			if failed++; first == nil {
				first = fmt.Errorf("%s on %s: %w", u.asset, u.page, err)
			}
			mu.Unlock()
		}
	})
	if err := ctx.Err(); err != nil && first == nil {
		first = err
	}
	if first != nil {
		r.rep.Warnings = append(r.rep.Warnings, fmt.Sprintf("rewrite: %d of %d where-used records not written (the pages were): %v",
			max(failed, 1), len(r.uses), first))
	}
}
