// Package service wires fotoembed's HTTP service: the transport to
// FotoWeb under the service's metrics, the token source's and the API's
// clients, the FotoWeb client, the caching resolver, the embedder and the
// server, with the defaults of `fotoembed serve`. The command and the load
// harness (bench) both build the service here, so that what the harness
// measures is the binary's wiring.
//
// Building takes two steps because the command decides some settings
// from the FotoWeb client (the URL token policy, the export ledger):
// [NewUpstream] makes the side toward FotoWeb, [Upstream.Build] the rest.
// What is the command's alone (flags, a store shared between replicas,
// the asset lifecycle's workers, warnings, listening) stays in cmd.
package service

import (
	"errors"
	"net/http"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

// UpstreamConfig configures [NewUpstream].
type UpstreamConfig struct {
	// FotoWeb configures the FotoWeb API client; BaseURL is required.
	// Tokens and HTTPClient are set by NewUpstream.
	FotoWeb fotoweb.Config
	// Transport is the base transport to FotoWeb, under the metrics'
	// instrumentation; nil means fotoweb.NewTransport().
	Transport http.RoundTripper
	// Wrap, when not nil, wraps the instrumented transport (the command's
	// URL token prober watches refusals there).
	Wrap func(http.RoundTripper) http.RoundTripper
	// Tokens returns the token source given the client its token
	// requests go through (the instrumented transport, with
	// tokens.DefaultTimeout); required.
	Tokens func(hc *http.Client) (*tokens.Source, error)
	// Metrics counts the FotoWeb requests (and, through Build, the
	// service's); nil means a new server.NewMetrics().
	Metrics *server.Metrics
}

// Upstream is the service's side toward FotoWeb.
type Upstream struct {
	// Metrics are the service's metrics.
	Metrics *server.Metrics
	// Transport is the base transport under the instrumentation (the
	// caller's, or the fotoweb.NewTransport made).
	Transport http.RoundTripper
	// Tokens is the live token source.
	Tokens *tokens.Source
	// Client is the FotoWeb API client.
	Client *fotoweb.Client
	origin string // UpstreamConfig.FotoWeb.BaseURL
}

// NewUpstream makes the transport, the token source and the FotoWeb
// client. No request is made.
func NewUpstream(cfg UpstreamConfig) (*Upstream, error) {
	if cfg.Tokens == nil {
		return nil, errors.New("service: UpstreamConfig.Tokens is required")
	}
	u := &Upstream{Metrics: cfg.Metrics, Transport: cfg.Transport, origin: cfg.FotoWeb.BaseURL}
	if u.Metrics == nil {
		u.Metrics = server.NewMetrics()
	}
	if u.Transport == nil {
		u.Transport = fotoweb.NewTransport()
	}
	rt := u.Metrics.InstrumentTransport(u.Transport)
	if cfg.Wrap != nil {
		rt = cfg.Wrap(rt)
	}
	var err error
	if u.Tokens, err = cfg.Tokens(&http.Client{Transport: rt, Timeout: tokens.DefaultTimeout}); err != nil {
		return nil, err
	}
	if u.Tokens == nil {
		return nil, errors.New("service: UpstreamConfig.Tokens returned no token source")
	}
	fc := cfg.FotoWeb
	fc.Tokens, fc.HTTPClient = u.Tokens, &http.Client{Transport: rt}
	if u.Client, err = fotoweb.New(fc); err != nil {
		return nil, err
	}
	return u, nil
}

// Config configures [Upstream.Build].
type Config struct {
	// Resolver configures the cache and the metadata fields; start from
	// DefaultResolverConfig.
	Resolver ResolverConfig
	// Store holds the resolver's entries (one shared between replicas);
	// nil means an in-process store bounded by Resolver.Limits.
	Store embed.Store
	// Signer signs the service's URLs; required.
	Signer *urlsig.Signer
	// BaseURL is the service's public base URL, such as
	// "https://img.example.com".
	BaseURL string
	// Embed holds the embedder's settings beyond the chain (URLTokens,
	// Exporter). Build sets Resolver, Signer, BaseURL, Origin, Tokens and
	// CreditPrefix; its link mode is left as given (the default, signed
	// URLs, is the service's).
	Embed embed.Config
	// Server holds the server's settings (Delivery, keys, limits, logs,
	// the lifecycle's parts). Build sets FotoWeb, Embedder, Signer,
	// Tokens, Origin, BaseURL, Fields and Metrics.
	Server server.Config
}

// Service is the wired service: its parts, for the caller to serve,
// close or reach into.
type Service struct {
	*Upstream                 // metrics, transport, token source, FotoWeb client
	Resolver  *embed.Resolver // the caching resolver
	Embedder  *embed.Embedder // HTML and URLs
	Server    *server.Server  // the HTTP handler
}

// Build makes the resolver over u's client, the embedder and the server,
// as `fotoembed serve` runs them.
func (u *Upstream) Build(cfg Config) (*Service, error) {
	if cfg.Signer == nil {
		return nil, errors.New("service: Config.Signer is required")
	}
	res, err := cfg.Resolver.NewResolver(u.Client, cfg.Store)
	if err != nil {
		return nil, err
	}
	ec := cfg.Embed
	ec.Resolver, ec.Signer, ec.BaseURL, ec.Origin, ec.Tokens = res, cfg.Signer, cfg.BaseURL, u.origin, u.Tokens
	ec.CreditPrefix = cfg.Resolver.CreditPrefix
	emb, err := embed.New(ec)
	if err != nil {
		return nil, err
	}
	sc := cfg.Server
	sc.FotoWeb, sc.Embedder, sc.Signer, sc.Tokens = u.Client, emb, cfg.Signer, u.Tokens
	sc.Origin, sc.BaseURL, sc.Fields, sc.Metrics = u.origin, cfg.BaseURL, cfg.Resolver.Fields, u.Metrics
	srv, err := server.New(sc)
	if err != nil {
		return nil, err
	}
	return &Service{Upstream: u, Resolver: res, Embedder: emb, Server: srv}, nil
}
