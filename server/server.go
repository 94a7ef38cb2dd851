package server

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/templates"
)

// Server is the fotoembed HTTP service. Create it with [New]; serve
// [Server.Handler]. It is safe for concurrent use.
type Server struct {
	cfg          Config
	e            *echo.Echo
	emb          *embed.Embedder
	res          *embed.Resolver
	log          *slog.Logger
	access       *slog.Logger // the access log (Config.AccessLogger)
	red          *redactor
	metrics      *Metrics
	tpl          *template.Template
	keys         [][32]byte // SHA-256 of each API key
	hookSum      [32]byte   // SHA-256 of the hook secret
	public       map[string]bool
	ready        *readiness
	static       *staticFiles
	origin       string          // FotoWeb origin, normalised
	tokenURL     bool            // tokens may go into browser-visible URLs (direct HTML)
	routeSet     map[string]bool // "METHOD /path" of every route, for metric labels
	placeholders placeholders    // unpublished assets' stand-in images
	expiry       expiryWatch     // timers of licence ends
	limits       *rateLimits     // per-client rate limits (ratelimit.go)
}

// New validates cfg and returns the server with its routes.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	tpl, err := templates.Parse(nil)
	if err != nil {
		return nil, fmt.Errorf("server: templates: %w", err)
	}
	st, err := newStaticFiles()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		emb:      cfg.Embedder,
		res:      cfg.Embedder.Resolver(),
		log:      cfg.Logger,
		access:   cfg.AccessLogger,
		red:      newRedactor(append([]string{cfg.HookSecret}, cfg.APIKeys...)...),
		metrics:  cfg.Metrics,
		tpl:      tpl,
		keys:     hashKeys(cfg.APIKeys),
		hookSum:  digest(cfg.HookSecret),
		public:   publicSet(cfg.PublicArchives),
		static:   st,
		origin:   origin.Parse(cfg.Origin),
		tokenURL: cfg.Delivery == DeliveryRedirect,
	}
	s.ready = newReadiness(s)
	s.metrics.watchResolver(s.res)
	s.metrics.watchStore(s.res.Store())
	s.metrics.watchURLTokens(cfg.URLTokens)
	s.metrics.watchExports(cfg.Exports)
	s.e = s.newEcho()
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.e }

// Echo returns the underlying Echo instance (to add routes or
// middleware before serving).
func (s *Server) Echo() *echo.Echo { return s.e }

// redact removes configured secrets and token-like text from s.
func (s *Server) redact(text string) string { return s.red.text(text) }

// newEcho builds the Echo instance with middleware and routes.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = ipExtractor(s.cfg.TrustedProxies)
	e.Use(s.front) // request id, recovery, metrics and access log
	s.routes(e)
	s.routeSet = map[string]bool{}
	for _, r := range e.Routes() {
		s.routeSet[r.Method+" "+r.Path] = true
	}
	return e
}

// routes registers every route.
func (s *Server) routes(e *echo.Echo) {
	get := []string{http.MethodGet, http.MethodHead}
	e.Use(s.rateLimit()) // per-client limits of /p/, /oembed and signed images (ratelimit.go)

	e.Match(get, s.cfg.Signer.Prefix()+"/*", s.signedImage) // bounds its own phases; see signed.go

	// The picker's read routes take an API key or a picker token
	// (editor.go); every other /v1 route an API key only.
	ed := newEditor(s)
	v1 := e.Group("/v1", s.noStore, s.timeout)
	v1.GET("/embed", s.embedSnippet, s.requireKey)
	v1.POST("/resolve", s.resolveBatch, ed.requireReader)
	v1.GET("/assets", ed.searchAssets, ed.requireReader)
	v1.GET("/archives", ed.listArchives, ed.requireReader)
	v1.POST("/picker-tokens", ed.mintPickerToken, s.requireKey)
	v1.GET("/usage", s.usageList, s.requireKey)
	v1.POST("/usage", s.usageRecord, s.requireKey)

	e.GET("/oembed", s.oembed, s.timeout)
	e.Match(get, "/p/:asset", s.assetPage, s.timeout)
	if s.cfg.HookSecret != "" {
		e.Any(hookPrefix+":secret", s.hook)
	}

	e.Match(get, "/healthz", s.healthz)
	e.Match(get, "/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()))
	e.Match(get, "/", s.ui)
	e.Match(get, pickerPath, ed.picker)
	e.Match(get, "/static/:file", s.staticFile)
}
