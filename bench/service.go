package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/service"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Auth is how the service under test gets its FotoWeb tokens.
type Auth string

// Token sources of the service under test.
const (
	// AuthUser is a least-privilege user's token from the
	// authorization-code + PKCE flow (approved by the fake without a
	// browser), kept fresh with its refresh token: what `fotoembed login`
	// sets up, and the default.
	AuthUser Auth = "user"
	// AuthClientCredentials is a non-interactive application's token. Its
	// redirect delivery needs server.Config.AllowAdminTokenInURL, which the
	// harness sets (the fake's tokens grant nothing real).
	AuthClientCredentials Auth = "client-credentials"
)

// ParseAuth parses "user" (or "") and "client-credentials".
func ParseAuth(s string) (Auth, error) {
	switch Auth(s) {
	case "", AuthUser:
		return AuthUser, nil
	case AuthClientCredentials:
		return AuthClientCredentials, nil
	}
	return "", fmt.Errorf("bench: unknown auth %q (want user or client-credentials)", s)
}

// DefaultSigningKey is the harness's URL signing key. Load targets and
// soak share it so that they can mint signed URLs for a service.
var DefaultSigningKey = []byte("fotoembed-bench-signing-key-0001")

// DefaultAPIKey is the harness's API key for /v1/*.
const DefaultAPIKey = "bench-api-key-0123456789"

// ServiceConfig configures [StartService]. Zero durations mean the
// defaults of `fotoembed serve`.
type ServiceConfig struct {
	// FotoWebURL is the FotoWeb origin; required.
	FotoWebURL string
	// Addr is the listen address; "" means 127.0.0.1:0.
	Addr string
	// Auth is the token source (default AuthUser).
	Auth Auth
	// Delivery of signed URLs (default redirect).
	Delivery server.Delivery
	// SigningKey signs URLs (default DefaultSigningKey).
	SigningKey []byte
	// APIKey is the accepted /v1 key (default DefaultAPIKey).
	APIKey string
	// Logger is the service's logger; nil means what `fotoembed serve`
	// does by default, an info-level text log, written to io.Discard.
	Logger *slog.Logger
	// AccessLogger is the access log (server.Config.AccessLogger); nil
	// means Logger.
	AccessLogger *slog.Logger
	// CacheTTL, StaleIfError, NotFoundTTL and ErrorBackoff tune the
	// resolver as in embed.ResolverConfig: 0 means serve's default,
	// negative turns it off.
	CacheTTL, StaleIfError, NotFoundTTL, ErrorBackoff time.Duration
	// Store is the resolver's store; nil means the default in-process one.
	Store embed.Store
	// RequestTimeout bounds one request's FotoWeb work (0 means the
	// server's default, 30s; negative is an error from StartService).
	RequestTimeout time.Duration
	// Transport is the base transport to FotoWeb; nil means
	// fotoweb.NewTransport(), as `fotoembed serve` has.
	Transport *http.Transport
	// WrapTransport, when not nil, wraps Transport (under the metrics'
	// instrumentation), to observe the service's FotoWeb requests.
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Service is fotoembed wired as `fotoembed serve` wires it (through the
// same builder, internal/service), serving on a loopback port.
type Service struct {
	// URL is the service's base URL, such as "http://127.0.0.1:41235".
	URL string
	// Config is the configuration the service was started with, defaults
	// filled in.
	Config ServiceConfig
	// The wiring's parts, for tests and benchmarks to reach into.
	Server    *server.Server
	Resolver  *embed.Resolver
	Embedder  *embed.Embedder
	Signer    *urlsig.Signer
	Tokens    *tokens.Source
	Client    *fotoweb.Client
	Metrics   *server.Metrics
	Transport *http.Transport // the base transport to FotoWeb
	hs        *http.Server
}

// StartService wires and serves fotoembed against cfg.FotoWebURL. It
// obtains a first token before returning, as `fotoembed serve` does.
func StartService(ctx context.Context, cfg ServiceConfig) (*Service, error) {
	if cfg.FotoWebURL == "" {
		return nil, errors.New("bench: ServiceConfig.FotoWebURL is required")
	}
	cfg = cfg.withDefaults()
	s := &Service{Config: cfg, Transport: cfg.Transport}
	var base http.RoundTripper = cfg.Transport
	if cfg.WrapTransport != nil {
		base = cfg.WrapTransport(base)
	}
	up, err := service.NewUpstream(service.UpstreamConfig{FotoWeb: fotoweb.Config{BaseURL: cfg.FotoWebURL, Logger: cfg.Logger},
		Transport: base, Tokens: func(hc *http.Client) (*tokens.Source, error) { return tokenSource(ctx, cfg, hc) }})
	if err != nil {
		return nil, err
	}
	s.Metrics, s.Tokens, s.Client = up.Metrics, up.Tokens, up.Client
	if s.Signer, err = urlsig.New(urlsig.Config{Keys: [][]byte{cfg.SigningKey}}); err != nil {
		return nil, err
	}
	ln, err := listenLoopback(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	svc, err := up.Build(cfg.wiring(s.Signer, s.URL))
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.Server, s.Resolver, s.Embedder = svc.Server, svc.Resolver, svc.Embedder
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.Tokens.TokenContext(tctx); err != nil {
		ln.Close()
		return nil, fmt.Errorf("bench: first token: %w", err)
	}
	s.hs = serve(ln, s.Server.Handler())
	return s, nil
}

// withDefaults fills in cfg's defaults.
func (cfg ServiceConfig) withDefaults() ServiceConfig {
	if cfg.Auth == "" {
		cfg.Auth = AuthUser
	}
	if cfg.SigningKey == nil {
		cfg.SigningKey = DefaultSigningKey
	}
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if cfg.Transport == nil {
		cfg.Transport = fotoweb.NewTransport()
	}
	return cfg
}

// resolverConfig is `fotoembed serve`'s default resolver settings with
// the durations cfg sets.
func (cfg ServiceConfig) resolverConfig() service.ResolverConfig {
	r := service.DefaultResolverConfig()
	set := func(d *time.Duration, v time.Duration) {
		if v != 0 {
			*d = v
		}
	}
	set(&r.TTL, cfg.CacheTTL)
	set(&r.StaleIfError, cfg.StaleIfError)
	set(&r.NotFoundTTL, cfg.NotFoundTTL)
	set(&r.ErrorBackoff, cfg.ErrorBackoff)
	return r
}

// wiring is what the builder makes the resolver, embedder and server
// from: the settings of `fotoembed serve` but for the harness's own
// (its key, the fake's public archive, the admin token allowed in URLs
// with client credentials, whose fake tokens grant nothing real, and no
// rate limits: the load generator is one client).
func (cfg ServiceConfig) wiring(signer *urlsig.Signer, baseURL string) service.Config {
	return service.Config{Resolver: cfg.resolverConfig(), Store: cfg.Store, Signer: signer, BaseURL: baseURL,
		Server: server.Config{Delivery: cfg.Delivery, AllowAdminTokenInURL: cfg.Auth == AuthClientCredentials,
			APIKeys: []string{cfg.APIKey}, PublicArchives: []string{"5001"}, RequestTimeout: cfg.RequestTimeout,
			Logger: cfg.Logger, AccessLogger: cfg.AccessLogger}}
}

// Close shuts the service down (in-flight requests get 5 s) and closes
// its idle connections to FotoWeb.
func (s *Service) Close() {
	shutdown(s.hs, 5*time.Second)
	s.Transport.CloseIdleConnections()
}

// SignedURL returns the signed URL of preview i of the asset href,
// resolving it through the service's resolver (which warms the cache).
func (s *Service) SignedURL(ctx context.Context, href string, i int) (string, error) {
	in, err := s.Resolver.Resolve(ctx, href)
	if err != nil {
		return "", err
	}
	return s.Embedder.SignedURL(in, i, time.Time{})
}
