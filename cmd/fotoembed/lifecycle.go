package main

import (
	"context"
	"log/slog"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/server"
)

// wireLifecycle wires what follows an asset's life beyond the service:
// the exporter and its ledger (export delivery), the where-used record,
// the rebuild hook and the CDN purger. It fills ecfg and scfg (whose
// Delivery is set) and returns the closing of what it started, in order,
// which the caller runs after the HTTP server has shut down; on error,
// what was started so far is in it.
func (a *app) wireLifecycle(ctx context.Context, c *serveConfig, fw *fotoweb.Client, shared *redisstore.Store, baseURL string,
	metrics *server.Metrics, log *slog.Logger, ecfg *embed.Config, scfg *server.Config) (func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	exporter, ledger, closeLedger, err := c.Access.exporter(ctx, fw, shared, baseURL, scfg.Delivery == server.DeliveryExport, log)
	if err != nil {
		return closeAll, err
	}
	if closeLedger != nil {
		closers = append(closers, closeLedger)
	}
	if exporter != nil {
		ecfg.Exporter, scfg.Exports = exporter, exporter
	}
	uses, err := whereUsedStore(ledger, shared, log)
	if err != nil {
		return closeAll, err
	}
	if uses != nil {
		scfg.Usage = uses
	}
	rb, err := c.Rebuild.rebuilder(a.httpClient, log)
	if err != nil {
		return closeAll, err
	}
	if rb != nil {
		scfg.Rebuilder = rb
		metrics.Registry().MustRegister(rb)
		closers = append(closers, func() { rb.Close() })
	}
	pg, err := c.Purge.purger(log, purgeOnce(shared))
	if err != nil {
		return closeAll, err
	}
	if pg != nil { // a nil *purge.Purger in the interface would not be nil
		scfg.Purger = pg
		metrics.Registry().MustRegister(pg)
		closers = append(closers, func() { pg.Close() })
	}
	return closeAll, nil
}
