package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/logbuf"
	"github.com/fotoembed/fotoembed/internal/service"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urltoken"
)

// serveConfig is everything `serve` needs, one part per concern.
type serveConfig struct {
	FotoWeb  fotowebConfig
	Signing  signingConfig
	Resolver resolverConfig
	Server   serverConfig
	Access   accessConfig
	Rebuild  rebuildConfig
	Purge    purgeConfig
	Log      logConfig
}

func (c *serveConfig) register(f *flagSet, defTokenFile string) {
	c.Server.register(f)
	c.Access.register(f, defaultLedgerFile(defTokenFile, "exports.db"))
	c.Rebuild.register(f)
	c.Purge.register(f)
	c.FotoWeb.registerURL(f, "required")
	c.FotoWeb.registerAuth(f, authUser, defTokenFile)
	c.Signing.register(f)
	c.Resolver.register(f)
	c.Log.register(f)
}

// Validate reports every problem at once.
func (c *serveConfig) Validate() error {
	errs := []error{c.FotoWeb.Validate(), c.Signing.Validate(), c.Resolver.Validate(), c.Server.Validate(c.FotoWeb.Auth), c.Rebuild.Validate(), c.Purge.Validate()}
	if c.Server.delivery(c.FotoWeb.Auth) == deliveryExport {
		errs = append(errs, c.Access.Validate(c.Server.Store))
	}
	if c.Server.delivery(c.FotoWeb.Auth) == deliveryRedirect && c.Access.URLToken == "access" &&
		c.FotoWeb.Auth == authClientCredentials && !c.Server.AllowAdminToken {
		errs = append(errs, errAdminToken)
	}
	return errors.Join(errs...)
}

const serveSummary = "Run the fotoembed service: signed image URLs (/i/...), HTML snippets (/v1/embed), batch\n" +
	"resolve (/v1/resolve), search (/v1/assets), oEmbed, FotoWeb webhooks, health checks, metrics\n" +
	"and the web UI. SIGINT or SIGTERM stop it after in-flight requests finish."

// serveFlags returns serve's flags, filling c.
func serveFlags(env lookupFunc, c *serveConfig) *flagSet {
	f := newFlagSet("serve", "", serveSummary, env)
	c.register(f, defaultTokenFile(env))
	return f
}

// serve runs the service until ctx ends.
func (a *app) serve(ctx context.Context, args []string) error {
	var c serveConfig
	f := serveFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	ln, err := listen(c.Server.Addr, "--addr")
	if err != nil {
		return err
	}
	return a.runService(ctx, &c, ln, c.Log.logger(a.stderr), nil)
}

// listen listens on addr, explaining a busy port and naming the flag.
func listen(addr, flag string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the port is already in use; choose another with %s (such as %s 127.0.0.1:0 for any free port)", addr, flag, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (%s): %w", addr, flag, err)
	}
	return ln, nil
}

// runService wires the configuration into the service, serves it on ln
// until ctx ends, then shuts down gracefully. announce, when set, is
// called with the base URL once the service accepts connections.
func (a *app) runService(ctx context.Context, c *serveConfig, ln net.Listener, log *slog.Logger, announce func(baseURL string)) error {
	defer ln.Close()
	// The access log (a line per request) is buffered and written in
	// batches; the rest of the log is written at once. Close, after the
	// graceful shutdown below, writes out every line still pending.
	access := logbuf.New(a.stderr, logbuf.Options{})
	defer access.Close()
	srv, base, closeStore, err := a.newServer(ctx, c, ln, log, access)
	if err != nil {
		return err
	}
	defer closeStore() // after the shutdown: in-flight requests may use it
	defer srv.Close()
	// Every part of reading a request has a deadline: the headers
	// readHeaderTimeout, then the server's front middleware sets one per
	// route (a body gets --body-timeout, nothing more is read from a
	// request without one); ReadTimeout is only the outer bound of both,
	// should a request escape the middleware. No WriteTimeout: it is one
	// deadline for a whole answer and would cut long proxied streams; the
	// middleware bounds each write instead (server.Config.WriteStallTimeout),
	// extending the deadline while bytes flow.
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readHeaderTimeout + c.Server.BodyTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("fotoembed listening", "addr", ln.Addr().String(), "base_url", base, "fotoweb", c.FotoWeb.URL,
		"auth", c.FotoWeb.Auth, "delivery", c.Server.delivery(c.FotoWeb.Auth), "url_token", c.Access.URLToken)
	if announce != nil {
		announce(base)
	}
	if a.ready != nil {
		a.ready(readyInfo{URL: base})
	}
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for in-flight requests", "timeout", c.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Server.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: requests still running after %s (--shutdown-timeout) were cut off", c.Server.ShutdownTimeout)
	}
	log.Info("stopped")
	return nil
}

// readHeaderTimeout bounds the reading of a request's headers.
const readHeaderTimeout = 10 * time.Second

// newServer builds the service from c through internal/service (the
// load harness builds it there too), adding what is this command's: the
// shared store, the URL token policy, the asset lifecycle, warnings. It
// returns the server, its base URL and the closing of the shared store
// (a no-op without one).
func (a *app) newServer(ctx context.Context, c *serveConfig, ln net.Listener, log *slog.Logger, access *logbuf.Writer) (_ *server.Server, _ string, closeStore func(), err error) {
	closeStore = func() {}
	shared, err := c.Server.sharedStore(ctx, c.Resolver.cacheLimits(), log)
	if err != nil {
		return nil, "", closeStore, err
	}
	var store embed.Store           // nil: in-process
	var userStore tokens.TokenStore // nil: the token file
	if shared != nil {
		closeStore = func() { shared.Close() }
		defer func() {
			if err != nil {
				shared.Close()
			}
		}()
		store = shared
		if c.FotoWeb.Auth == authUser {
			userStore = userTokenStore(ctx, shared, c.FotoWeb.TokenFile, log)
		}
		log.Info("resolved assets are shared through Redis", "store", redisstore.RedactURL(c.Server.Store))
	}
	metrics := server.NewMetrics()
	metrics.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fotoembed_access_log_dropped_total",
		Help: "Access log lines dropped because the log output could not keep up (its buffer was full)."},
		func() float64 { return float64(access.Dropped()) }))
	var base http.RoundTripper // nil: fotoweb.NewTransport()
	if a.httpClient != nil {
		base = a.httpClient.Transport
	}
	var recheck rechecker // asks the URL token prober to probe again when FotoWeb refuses a fetch
	up, err := service.NewUpstream(service.UpstreamConfig{FotoWeb: c.FotoWeb.apiConfig(log), Transport: base, Metrics: metrics,
		Wrap:   func(rt http.RoundTripper) http.RoundTripper { return urltoken.RecheckTransport(rt, recheck.recheck) },
		Tokens: func(hc *http.Client) (*tokens.Source, error) { return c.FotoWeb.tokenSource(hc, userStore, log) }})
	if err != nil {
		return nil, "", closeStore, err
	}
	fw, ts := up.Client, up.Tokens
	sc := c.Server
	delivery := map[string]server.Delivery{deliveryRedirect: server.DeliveryRedirect, deliveryProxy: server.DeliveryProxy,
		deliveryExport: server.DeliveryExport}[sc.delivery(c.FotoWeb.Auth)]
	var pol policy
	allow := c.Access.allowAccess(c.FotoWeb.Auth, sc.AllowAdminToken, fw)
	if delivery == server.DeliveryRedirect {
		if pol, err = c.Access.urlTokens(fw, ts, allow, log); err != nil {
			return nil, "", closeStore, err
		}
		recheck.set(pol.prober)
	}
	keepPreviewTokens := pol.u != nil && pol.u.URLToken() != embed.URLTokenNone && pol.u.URLToken() != embed.URLTokenAccess ||
		pol.prober != nil
	signer, err := c.Signing.signer()
	if err != nil {
		return nil, "", closeStore, err
	}
	baseURL := c.Server.BaseURL
	if baseURL == "" {
		baseURL = "http://" + displayAddr(ln.Addr())
	}
	var ecfg embed.Config
	scfg := server.Config{Delivery: delivery}
	if pol.u != nil {
		ecfg.URLTokens, scfg.URLTokens = pol.u, pol.u
	}
	closeLife, err := a.wireLifecycle(ctx, c, fw, shared, baseURL, metrics, log, &ecfg, &scfg)
	if closeLife != nil {
		prev := closeStore
		closeStore = func() { closeLife(); prev() } // the lifecycle's workers and ledger close before the store
	}
	if err != nil {
		return nil, "", closeStore, err
	}
	hookAllow, _ := parsePrefixes("hook-allow", sc.HookAllow) // checked by Validate
	trusted, _ := parsePrefixes("trusted-proxies", sc.TrustedProxies)
	scfg.AllowAdminTokenInURL = sc.AllowAdminToken
	scfg.APIKeys, scfg.HookSecret, scfg.HookAllow, scfg.TrustedProxies = sc.APIKeys, sc.HookSecret, hookAllow, trusted
	scfg.PublicArchives, scfg.MaxBatch, scfg.RedirectMaxAge = sc.PublicArchives, sc.MaxBatch, offIfZero(sc.RedirectMaxAge)
	scfg.ProxyMaxAge, scfg.RequestTimeout, scfg.Title = offIfZero(sc.ProxyMaxAge), sc.RequestTimeout, sc.Title
	scfg.Logger, scfg.AccessLogger = log, c.Log.logger(access)
	scfg.UnpublishedPlaceholder = sc.Unpublished == "placeholder"
	scfg.BodyTimeout, scfg.ReadyStrict = sc.BodyTimeout, sc.ReadyStrict
	scfg.PickerOrigins, scfg.PickerTokenTTL = sc.PickerOrigins, sc.PickerTokenTTL
	sc.rateLimits(&scfg)
	svc, err := up.Build(service.Config{Resolver: c.Resolver.settings(keepPreviewTokens), Store: store, Signer: signer,
		BaseURL: baseURL, Embed: ecfg, Server: scfg})
	if err != nil {
		return nil, "", closeStore, err
	}
	srv := svc.Server
	checkToken(ctx, ts, log)
	if pol.u != nil {
		if err := startPolicy(ctx, pol, allow, log); err != nil {
			return nil, "", closeStore, err
		}
	}
	if c.FotoWeb.Auth == authStatic && delivery == server.DeliveryRedirect {
		log.Warn("redirect delivery puts the static token in URLs every visitor sees; make sure it belongs to a least-privilege user")
	}
	if c.Server.BaseURL == "" && !isLoopback(ln.Addr()) {
		log.Warn("--base-url is not set: absolute links use " + baseURL + "; set it to the public URL of the service")
	}
	if len(sc.APIKeys) == 0 {
		log.Warn("no API key configured (FOTOEMBED_API_KEYS or --api-keys-file): /v1/* answers 401 to everyone")
	}
	return srv, baseURL, closeStore, nil
}

// checkToken gets a first token so that a wrong client secret or an
// expired login shows in the log at once. FotoWeb may just be down, so a
// failure does not stop the service (/readyz reports it).
func checkToken(ctx context.Context, ts *tokens.Source, log *slog.Logger) {
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := ts.TokenContext(tctx); err != nil {
		log.Warn("no FotoWeb token yet; images will fail until this is fixed", "kind", ts.Kind().String(), "err", err.Error())
	}
}

// displayAddr is addr for a URL: an unspecified host becomes localhost.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// isLoopback reports whether addr is a loopback address.
func isLoopback(addr net.Addr) bool {
	host, _, err := net.SplitHostPort(addr.String())
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}
