package server

import (
	"context"
	"net/http"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/usage"
)

// Purger drops what a CDN in front of the service cached for an asset
// (a *purge.Purger).
type Purger interface {
	// Purge queues the purge of the asset's cache tag and returns at
	// once; the purger retries in the background. reason is "modified",
	// "deleted" or "unpublished".
	Purge(asset, reason string)
}

// Usage records and answers where assets are used (a usage store).
type Usage interface {
	// Record notes that page uses asset, now.
	Record(ctx context.Context, asset, page string) error
	// Pages lists the pages that use asset, most recently seen first.
	Pages(ctx context.Context, asset string) ([]usage.Use, error)
}

// Rebuilder asks for the pages that use a changed asset to be rebuilt (a
// static site's build hook).
type Rebuilder interface {
	// Rebuild queues the request and returns at once. reason is as for
	// Purger.Purge.
	Rebuild(asset string, pages []usage.Use, reason string)
}

// assetChanged tells every place that may hold the asset about a change
// FotoWeb reported or a licence that ended: the CDN (purge) and the
// pages that use it (rebuild). Neither delays the caller.
func (s *Server) assetChanged(ctx context.Context, asset, reason string) {
	if s.cfg.Purger != nil {
		s.cfg.Purger.Purge(asset, reason)
	}
	if s.cfg.Rebuilder != nil && s.cfg.Usage != nil {
		pages, err := s.cfg.Usage.Pages(ctx, asset)
		if err != nil {
			s.log.Warn("where-used: cannot list the pages of a changed asset; no rebuild asked for", "asset", s.redact(asset), "err", s.redact(err.Error()))
			return
		}
		if len(pages) > 0 {
			s.cfg.Rebuilder.Rebuild(asset, pages, reason)
		}
	}
}

// setCacheTags names the asset in the cache-tag headers CDNs purge by:
// Surrogate-Key (Fastly, Varnish) and Cache-Tag (Cloudflare).
func setCacheTags(h http.Header, in *embed.Info) {
	tag := in.Tag()
	h.Set("Surrogate-Key", tag)
	h.Set("Cache-Tag", tag)
}
