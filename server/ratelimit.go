package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/urlsig"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of the per-client rate limits, for cmd's flags: a zero Config
// field turns its limit off. A client is an address as Echo's RealIP
// finds it (through TrustedProxies), an IPv6 client its /64.
const (
	// DefaultRateLimitPublic and DefaultRateLimitPublicBurst limit /p/
	// and /oembed together: a burst of 50 covers a CMS rendering a page
	// with 50 embeds at once, 5 a second a person reading pages; an
	// enumeration of missing assets costs FotoWeb at most 5 requests a
	// second per client.
	DefaultRateLimitPublic      = 5.0
	DefaultRateLimitPublicBurst = 50
	// DefaultRateLimitImageFetches and DefaultRateLimitImageFetchesBurst
	// limit the signed image requests that need FotoWeb: a page of 200
	// images none of which is cached loads at once, then 20 new assets a
	// second.
	DefaultRateLimitImageFetches      = 20.0
	DefaultRateLimitImageFetchesBurst = 200
	// DefaultRateLimitImages and DefaultRateLimitImagesBurst limit every
	// signed image request, cached or not: far above what a browser asks.
	DefaultRateLimitImages      = 100.0
	DefaultRateLimitImagesBurst = 1000
)

// maxRateLimitClients bounds the clients each limit remembers (about
// 200 bytes each). When full, the least recently seen client is forgotten
// and starts afresh with a full bucket.
const maxRateLimitClients = 1 << 16

// msgRateLimited is the public message of a 429.
const msgRateLimited = "too many requests, retry later"

// Route templates of the public pages, as routes registers them.
const (
	routePage   = "/p/:asset"
	routeOEmbed = "/oembed"
)

// rateLimits are the per-client limits of the routes anyone can reach
// that may cost FotoWeb requests. nil tables are limits turned off.
type rateLimits struct {
	s          *Server
	exempt     []netip.Prefix
	public     *clientTable // /p/:asset and /oembed together
	images     *clientTable // every signed image request
	fetches    *clientTable // signed image requests that need FotoWeb
	imageRoute string
	limited    map[string]prometheus.Counter // fotoembed_rate_limited_total by route
	on         bool                          // public or images is set

	// fronts are the front middleware's handlers (middleware.go): the
	// rateLimits are the server's state of its middleware chain.
	fronts handlerCache
}

// rateLimit sets up Config's rate limits, which act on /p/:asset,
// /oembed and the signed image route only, after routing. front applies
// them (see rateLimits.check), just before the route's handler, where
// this middleware used to: the middleware returned is a no-op, kept so
// that routes shows where the limits apply. (Echo v4 applies middleware
// on every request: a middleware of its own would cost a closure per
// request.)
//
// A signed image request counts toward the generous RateLimitImages
// here, and toward RateLimitImageFetches in signedImage (see
// chargeFetch), after its signature is verified, only when it needs
// FotoWeb.
func (s *Server) rateLimit() echo.MiddlewareFunc {
	cfg := s.cfg
	rl := &rateLimits{s: s, exempt: cfg.RateLimitExempt, imageRoute: cfg.Signer.Prefix() + "/*",
		limited: map[string]prometheus.Counter{}}
	counter := rateLimitedCounter(s.metrics.Registry())
	table := func(perSecond float64, burst int, routes ...string) *clientTable {
		if perSecond <= 0 {
			return nil
		}
		for _, r := range routes {
			rl.limited[r] = counter.WithLabelValues(r)
		}
		return newClientTable(perSecond, burst, maxRateLimitClients)
	}
	rl.public = table(cfg.RateLimitPublic, cfg.RateLimitPublicBurst, routePage, routeOEmbed)
	rl.images = table(cfg.RateLimitImages, cfg.RateLimitImagesBurst, rl.imageRoute)
	rl.fetches = table(cfg.RateLimitImageFetches, cfg.RateLimitImageFetchesBurst, rl.imageRoute)
	rl.on = rl.public != nil || rl.images != nil
	s.limits = rl
	return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
}

// check applies the limits of c's route; it returns the 429 to answer.
// A nil rl (a server without routes yet) has no limits.
func (rl *rateLimits) check(c echo.Context) error {
	if rl == nil || !rl.on {
		return nil
	}
	route := c.Path()
	var first *clientTable
	switch route {
	case routePage, routeOEmbed:
		first = rl.public
	case rl.imageRoute:
		first = rl.images
	default:
		return nil
	}
	return rl.charge(c, route, first)
}

// charge takes one request of c's client from t (nil: no limit) and
// returns the 429 to answer when the client has none left.
func (rl *rateLimits) charge(c echo.Context, route string, t *clientTable) error {
	if t == nil {
		return nil
	}
	addr, ok := rl.client(c)
	if !ok {
		return nil
	}
	if ok, wait := t.allow(addr, rl.s.cfg.Now()); !ok {
		return rl.refuse(c, route, wait)
	}
	return nil
}

// chargeFetch applies RateLimitImageFetches to a verified signed image
// request that needs FotoWeb: in proxy delivery always (the file is
// opened on FotoWeb), otherwise when the resolver has no fresh entry for
// the asset. Concurrent requests for one cold asset each count, though
// the resolver makes one request for them; export delivery's first
// export of an asset is not foreseen.
func (s *Server) chargeFetch(c echo.Context, p urlsig.Parsed) error {
	rl := s.limits
	if rl == nil || rl.fetches == nil || (s.cfg.Delivery != DeliveryProxy && s.res.Cached(c.Request().Context(), p.Asset)) {
		return nil
	}
	return rl.charge(c, rl.imageRoute, rl.fetches)
}

// client returns the table key of c's client, and false when the client
// is in an exempt network.
func (rl *rateLimits) client(c echo.Context) (netip.Addr, bool) {
	a, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return netip.Addr{}, true
	}
	a = a.WithZone("").Unmap()
	for _, p := range rl.exempt {
		if p.Contains(a) {
			return netip.Addr{}, false
		}
	}
	return clientAddr(a), true
}

// refuse counts a refusal and returns the 429, with Retry-After in whole
// seconds (at least 1); the error handler writes the body (text or JSON
// as for any error of the route) and Cache-Control: no-store.
func (rl *rateLimits) refuse(c echo.Context, route string, wait time.Duration) error {
	rl.limited[route].Inc()
	secs := max(1, int64(math.Ceil(wait.Seconds())))
	c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return errorf(http.StatusTooManyRequests, msgRateLimited)
}

// rateLimitedCounter returns fotoembed_rate_limited_total registered in
// reg (the one already there, when several servers share the metrics).
func rateLimitedCounter(reg *prometheus.Registry) *prometheus.CounterVec {
	cv := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fotoembed_rate_limited_total",
		Help: "Requests refused with 429 by the per-client rate limits, by route template.",
	}, []string{"route"})
	if err := reg.Register(cv); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return old
			}
		}
	}
	return cv
}

// checkRateLimits reports invalid rate limit fields.
func (c Config) checkRateLimits() []error {
	var errs []error
	for _, r := range []struct {
		name  string
		rate  float64
		burst int
	}{
		{"RateLimitPublic", c.RateLimitPublic, c.RateLimitPublicBurst},
		{"RateLimitImages", c.RateLimitImages, c.RateLimitImagesBurst},
		{"RateLimitImageFetches", c.RateLimitImageFetches, c.RateLimitImageFetchesBurst},
	} {
		if r.rate < 0 || math.IsNaN(r.rate) || math.IsInf(r.rate, 0) {
			errs = append(errs, fmt.Errorf("server: Config.%s: must be a finite number, 0 or more (%v)", r.name, r.rate))
		}
		if r.burst < 0 {
			errs = append(errs, fmt.Errorf("server: Config.%sBurst: negative (%d)", r.name, r.burst))
		}
	}
	for _, p := range c.RateLimitExempt {
		if !p.IsValid() {
			errs = append(errs, fmt.Errorf("server: Config.RateLimitExempt: invalid prefix %v", p))
		}
	}
	return errs
}
