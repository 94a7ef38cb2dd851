package main

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/usage"
)

// rebuildConfig is serve's build hook: asked to rebuild the pages that
// use an asset FotoWeb changed, deleted or may no longer show.
type rebuildConfig struct {
	URL      string
	Header   string
	Secret   string // secret: environment or file only
	Debounce time.Duration
}

// register registers the --rebuild-* flags and FOTOEMBED_REBUILD_SECRET.
func (c *rebuildConfig) register(f *flagSet) {
	f.String(&c.URL, "rebuild-url", "FOTOEMBED_REBUILD_URL", "", "URL",
		"build hook of the static site or CI (such as a Netlify, Vercel or Cloudflare Pages build hook) that fotoembed POSTs "+
			`{"asset", "reason", "pages": [...]} to when FotoWeb changes or deletes an asset that recorded pages use; empty: no rebuilds. `+
			"Such URLs are often secret: set it in FOTOEMBED_REBUILD_URL, not on the command line")
	f.String(&c.Header, "rebuild-header", "FOTOEMBED_REBUILD_HEADER", usage.DefaultRebuildHeader, "name",
		"request header carrying FOTOEMBED_REBUILD_SECRET to the build hook")
	f.SecretString(&c.Secret, "rebuild-secret", "FOTOEMBED_REBUILD_SECRET", "the build hook's secret",
		"sent to the build hook in --rebuild-header, as given (such as Bearer TOKEN for Authorization); empty sends none")
	f.PositiveDuration(&c.Debounce, "rebuild-debounce", "FOTOEMBED_REBUILD_DEBOUNCE", usage.DefaultDebounce,
		"changes arriving this long after the first are sent in one POST (the union of their pages)")
}

// Validate reports every problem with c.
func (c *rebuildConfig) Validate() error {
	if c.URL == "" {
		if c.Secret != "" {
			return errors.New("FOTOEMBED_REBUILD_SECRET is set but --rebuild-url is not")
		}
		return nil
	}
	if err := (usage.RebuilderConfig{URL: c.URL, Header: c.Header, Secret: c.Secret, Debounce: c.Debounce}).Validate(); err != nil {
		return errors.New("--rebuild-url, --rebuild-header or FOTOEMBED_REBUILD_SECRET: " +
			"the hook must be an absolute http(s) URL, the header a header name, the secret one line")
	}
	return nil
}

// rebuilder returns the Rebuilder c asks for, nil without --rebuild-url.
// hc, when not nil, is the base client (tests). The caller registers it
// with the metrics and closes it at shutdown.
func (c *rebuildConfig) rebuilder(hc *http.Client, log *slog.Logger) (*usage.Rebuilder, error) {
	if c.URL == "" {
		return nil, nil
	}
	return usage.NewRebuilder(usage.RebuilderConfig{URL: c.URL, Header: c.Header, Secret: c.Secret,
		Debounce: c.Debounce, HTTPClient: hc, Logger: log})
}

// whereUsedStore returns serve's where-used record: in Redis when the
// store is shared, else in the export ledger's file (the design's one
// durable store). It is nil, with a warning, when neither is open (the
// ledger file could not be opened). It needs no closing of its own: the
// ledger or the shared store owns what it uses.
func whereUsedStore(ledger exports.Ledger, shared *redisstore.Store, log *slog.Logger) (usage.Store, error) {
	opts := usage.Options{Logger: log}
	if shared != nil {
		return shared.Usage(opts), nil
	}
	fl, ok := ledger.(*exports.FileLedger)
	if !ok {
		log.Warn("where-used is not recorded: the export ledger file is not open, so /v1/usage answers 404 and changed assets ask for no rebuild")
		return nil, nil
	}
	s, err := usage.NewBolt(fl.DB(), opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}
