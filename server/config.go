package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/internal/redact"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Defaults for Config fields left zero.
const (
	DefaultRedirectMaxAge     = 5 * time.Minute
	DefaultTokenMargin        = time.Minute
	DefaultProxyMaxAge        = time.Hour
	DefaultMaxBatch           = 100
	DefaultResolveConcurrency = 8
	DefaultRequestTimeout     = 30 * time.Second
	DefaultReadyInterval      = 5 * time.Second
	DefaultReadyTimeout       = 5 * time.Second
	DefaultOEmbedCacheAge     = time.Hour
	DefaultOEmbedWidth        = 1200
	DefaultProviderName       = "fotoembed"
	DefaultTitle              = "fotoembed"
	DefaultSearchLimit        = 24
	MaxSearchLimit            = 100
	// DefaultPickerTokenTTL is the lifetime of picker tokens.
	DefaultPickerTokenTTL = 10 * time.Minute
	// MinHookSecretLen is the shortest accepted Config.HookSecret.
	MinHookSecretLen = 16
)

// FotoWeb is what the server needs from the FotoWeb API client;
// *fotoweb.Client implements it.
type FotoWeb interface {
	// Asset fetches an asset uncached (proxy fallback with previewToken).
	Asset(ctx context.Context, ref string) (*fotoweb.Asset, error)
	// Archives lists the archives the token sees (for /v1/assets?archive=).
	Archives(ctx context.Context) ([]fotoweb.Collection, error)
	// Search searches one collection.
	Search(ctx context.Context, searchURL, query string, limit int) ([]fotoweb.Asset, error)
	// SearchAll searches every archive.
	SearchAll(ctx context.Context, query string, limit int) ([]fotoweb.Asset, error)
	// Open streams a file on the origin (proxy delivery, readiness probe).
	Open(ctx context.Context, href, previewToken string, h http.Header) (*fotoweb.Body, error)
	// Rendition streams a rendition through the Rendition Request API.
	Rendition(ctx context.Context, renditionHref string) (*fotoweb.Body, error)
}

// Config is everything the server needs. cmd/ fills it; nothing here
// reads the environment. Required: FotoWeb, Embedder (with a Resolver),
// Signer, Origin and BaseURL.
//
// Zero values: a zero duration or count means its default, a zero rate
// limit means none. A negative max-age (RedirectMaxAge, ProxyMaxAge)
// means the answer is not cached; any other negative duration or count
// is an error from [New].
type Config struct {
	// FotoWeb is the FotoWeb API client (*fotoweb.Client).
	FotoWeb FotoWeb
	// Embedder renders HTML and URLs; it must have a Resolver, signed
	// delivery with the same Signer and BaseURL, and Tokens and Origin for
	// redirects and direct delivery.
	Embedder *embed.Embedder
	// Signer verifies signed paths; its Prefix is the image route.
	Signer *urlsig.Signer
	// Tokens is the live token source, checked by /readyz. If it has a
	// Kind() tokens.Kind method (tokens.Source does), a client-credentials
	// source is refused for redirect delivery unless AllowAdminTokenInURL.
	// nil means guest access.
	Tokens oauth2.TokenSource
	// Origin is the FotoWeb origin, "https://tenant.fotoware.cloud". Every
	// redirect's Location is checked to be on it.
	Origin string
	// BaseURL is the service's absolute public base URL, such as
	// "https://img.example.com": per-asset pages and oEmbed URLs start with it.
	BaseURL string
	// Delivery of signed URLs: DeliveryRedirect (default) or DeliveryProxy.
	Delivery Delivery
	// AllowAdminTokenInURL acknowledges that a client-credentials token
	// (full administrative access) is put in URLs browsers see (redirect
	// delivery, direct HTML). Without it such a configuration is refused.
	AllowAdminTokenInURL bool
	// URLTokens is the URL token policy of FotoWeb URLs handed to
	// browsers, the same the Embedder applies; /readyz and the metric
	// fotoembed_url_token_policy report it. nil reports nothing.
	URLTokens URLTokens
	// Exports, when set, is the exporter of export delivery; an
	// asset-deleted webhook drops the asset's export records.
	Exports Exports
	// UnpublishedPlaceholder answers a signed URL of an asset whose
	// licence ended or that was withdrawn with a neutral grey PNG of the
	// same size (200) instead of 410, so that layouts hold.
	UnpublishedPlaceholder bool
	// Purger, when set, purges a changed asset from the CDN in front.
	Purger Purger
	// Usage, when set, records the pages that /v1/embed and /v1/resolve
	// are asked for (page=) and answers GET /v1/usage.
	Usage Usage
	// Rebuilder, when set with Usage, is asked to rebuild the pages that
	// use a changed asset.
	Rebuilder Rebuilder
	// APIKeys are the accepted keys for /v1/*; empty closes the API
	// (every request 401).
	APIKeys []string
	// HookSecret is the secret path segment of /hooks/fotoweb/{secret}, at
	// least MinHookSecretLen characters; "" disables the webhook route.
	HookSecret string
	// HookAllow, when not empty, restricts webhooks to these source
	// prefixes (client IP as below); others get 404.
	HookAllow []netip.Prefix
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// finding the client IP (logs, HookAllow); empty means the connection's
	// address is the client.
	TrustedProxies []netip.Prefix
	// PublicArchives are the archives whose assets get pages and oEmbed:
	// archive ids ("5001"), href segments ("5001-Photos") or hrefs
	// ("/fotoweb/archives/5001-Photos/").
	PublicArchives []string
	// RedirectMaxAge caps Cache-Control max-age of redirects (default
	// 5m); the token's remaining life minus TokenMargin caps it too.
	// Negative: redirects are not cached ("private, no-store").
	RedirectMaxAge time.Duration
	// TokenMargin is subtracted from a token's expiry (default 1m).
	TokenMargin time.Duration
	// ProxyMaxAge is the public max-age of proxied files (default 1h;
	// capped by a signed expiry). Negative: proxied files are not cached
	// ("no-store").
	ProxyMaxAge time.Duration
	// MaxBatch bounds the items of one /v1/resolve (default 100).
	MaxBatch int
	// ResolveConcurrency bounds the items resolved at once (default 8).
	ResolveConcurrency int
	// RequestTimeout bounds the upstream work of one request (default 30s).
	RequestTimeout time.Duration
	// BodyTimeout is how long a client has, once the headers are read, to
	// send the body of a request to a route that reads one (/v1/resolve,
	// POST /v1/usage, the webhook); a request without a body has nothing
	// more to read, and a body to any other route must already be there
	// (default 10s). See limits.go.
	BodyTimeout time.Duration
	// WriteStallTimeout is how long a response write may make no progress
	// before the connection is cut; it is extended while bytes flow, so a
	// long proxied stream is never cut (default 30s).
	WriteStallTimeout time.Duration
	// ReadyInterval is how long a /readyz result is reused (default 5s).
	ReadyInterval time.Duration
	// ReadyTimeout bounds one readiness check (default 5s).
	ReadyTimeout time.Duration
	// ReadyStrict makes /readyz fail (503) when FotoWeb does not answer
	// its probe or no token can be had. Without it those checks are
	// "degraded" and /readyz stays 200: FotoWeb and its login are shared
	// by every replica, so failing readiness on them would take every
	// replica out of the load balancer at once while cached assets could
	// still be served. Set it when a load balancer should rather send no
	// traffic than traffic only the cache can answer (a single replica
	// behind a fallback, a canary gate).
	ReadyStrict bool
	// OEmbedCacheAge is oEmbed's cache_age (default 1h).
	OEmbedCacheAge time.Duration
	// OEmbedWidth is the widest preview oEmbed offers when the consumer
	// gives no maxwidth (default 1200).
	OEmbedWidth int
	// ProviderName and ProviderURL are oEmbed's provider fields (defaults
	// "fotoembed" and BaseURL).
	ProviderName, ProviderURL string
	// Title is the web UI's title (default "fotoembed").
	Title string
	// PickerOrigins are the origins ("https://cms.example.com") of the
	// CMSs that may embed the picker (/picker) in an iframe: its
	// Content-Security-Policy frame-ancestors, and the only targets of its
	// postMessage. Empty disables the picker and POST /v1/picker-tokens.
	PickerOrigins []string
	// PickerTokenTTL is the lifetime of picker tokens, and the longest a
	// token request may ask for (default DefaultPickerTokenTTL, at most
	// MaxPickerTokenTTL).
	PickerTokenTTL time.Duration
	// Fields are the metadata fields of Infos built outside the Resolver
	// (the proxy's fallback to a fresh asset); use the Resolver's.
	Fields embed.Fields
	// RateLimitPublic is how many requests a second each client may make
	// to /p/:asset and /oembed together (each may cost a FotoWeb request);
	// RateLimitPublicBurst how many at once (0 means the rate rounded up).
	// A client is its address as Echo's RealIP finds it (TrustedProxies),
	// an IPv6 client its /64. Over the limit: 429 with Retry-After. 0
	// turns the limit off; cmd's default is DefaultRateLimitPublic.
	RateLimitPublic      float64
	RateLimitPublicBurst int
	// RateLimitImages and RateLimitImagesBurst limit every signed image
	// request of a client, cached or not, as RateLimitPublic does.
	RateLimitImages      float64
	RateLimitImagesBurst int
	// RateLimitImageFetches and RateLimitImageFetchesBurst limit the
	// signed image requests of a client that need FotoWeb: every one in
	// proxy delivery, else those whose asset the resolver's store holds no
	// fresh entry for (foreseen with one store lookup).
	RateLimitImageFetches      float64
	RateLimitImageFetchesBurst int
	// RateLimitExempt are the client networks no rate limit applies to.
	RateLimitExempt []netip.Prefix
	// Metrics receives the server's metrics; nil means NewMetrics().
	Metrics *Metrics
	// Logger receives error and event logs; nil discards.
	Logger *slog.Logger
	// AccessLogger receives the access log, one line per request; nil
	// means Logger. Give it a buffered writer (internal/logbuf) so that a
	// busy service does not pay a write system call per request.
	AccessLogger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("server: Config.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.FotoWeb == nil {
		bad("FotoWeb", "required")
	}
	if c.Embedder == nil {
		bad("Embedder", "required")
	} else if c.Embedder.Resolver() == nil {
		bad("Embedder", "has no Resolver")
	}
	if c.Signer == nil {
		bad("Signer", "required")
	}
	if _, err := absOrigin(c.Origin, false); err != nil {
		bad("Origin", "%v", err)
	}
	if _, err := absOrigin(c.BaseURL, true); err != nil {
		bad("BaseURL", "%v", err)
	}
	if c.Delivery < DeliveryRedirect || c.Delivery > DeliveryExport {
		bad("Delivery", "unknown delivery %d", int(c.Delivery))
	}
	if c.Delivery == DeliveryExport && (c.Embedder == nil || !c.Embedder.CanExport()) {
		bad("Delivery", "export delivery needs an Embedder with an Exporter")
	}
	if c.Delivery == DeliveryRedirect && adminToken(c.Tokens) && !c.AllowAdminTokenInURL && mayHandAccess(c.URLTokens) {
		bad("Delivery", "redirect delivery would hand a client-credentials token (full administrative access) "+
			"to every visitor; use proxy delivery or a user token (fotoembed login), or set AllowAdminTokenInURL")
	}
	for i, k := range c.APIKeys {
		if len(k) < 16 {
			bad("APIKeys", "key %d is shorter than 16 characters", i)
		}
	}
	if c.HookSecret != "" && (len(c.HookSecret) < MinHookSecretLen || strings.ContainsAny(c.HookSecret, "/?#% ")) {
		bad("HookSecret", "must be at least %d characters without / ? # %% or space", MinHookSecretLen)
	}
	for _, p := range append(append([]netip.Prefix(nil), c.HookAllow...), c.TrustedProxies...) {
		if !p.IsValid() {
			bad("HookAllow/TrustedProxies", "invalid prefix %v", p)
		}
	}
	for _, a := range c.PublicArchives {
		if archiveKey(a) == "" {
			bad("PublicArchives", "%q is not an archive id, segment or href", a)
		}
	}
	for _, o := range c.PickerOrigins {
		if n, err := absOrigin(o, false); err != nil || origin.Parse(n) == "" {
			bad("PickerOrigins", "%q is not an origin such as https://cms.example.com", o)
		}
	}
	if c.PickerTokenTTL != 0 && (c.PickerTokenTTL < MinPickerTokenTTL || c.PickerTokenTTL > MaxPickerTokenTTL) {
		bad("PickerTokenTTL", "%v outside %v..%v", c.PickerTokenTTL, MinPickerTokenTTL, MaxPickerTokenTTL)
	}
	errs = append(errs, c.checkNumbers()...)
	errs = append(errs, c.checkRateLimits()...)
	return errors.Join(errs...)
}

// checkNumbers reports negative durations and counts.
func (c Config) checkNumbers() []error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"TokenMargin", c.TokenMargin}, {"RequestTimeout", c.RequestTimeout}, {"ReadyInterval", c.ReadyInterval},
		{"BodyTimeout", c.BodyTimeout}, {"WriteStallTimeout", c.WriteStallTimeout},
		{"ReadyTimeout", c.ReadyTimeout}, {"OEmbedCacheAge", c.OEmbedCacheAge},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("server: Config.%s: negative duration %v", d.name, d.v))
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"MaxBatch", c.MaxBatch}, {"ResolveConcurrency", c.ResolveConcurrency}, {"OEmbedWidth", c.OEmbedWidth}} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("server: Config.%s: negative (%d)", n.name, n.v))
		}
	}
	return errs
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	dur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	num := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	dur(&c.RedirectMaxAge, DefaultRedirectMaxAge)
	dur(&c.TokenMargin, DefaultTokenMargin)
	dur(&c.ProxyMaxAge, DefaultProxyMaxAge)
	dur(&c.RequestTimeout, DefaultRequestTimeout)
	dur(&c.BodyTimeout, DefaultBodyTimeout)
	dur(&c.WriteStallTimeout, DefaultWriteStallTimeout)
	dur(&c.ReadyInterval, DefaultReadyInterval)
	dur(&c.ReadyTimeout, DefaultReadyTimeout)
	dur(&c.OEmbedCacheAge, DefaultOEmbedCacheAge)
	dur(&c.PickerTokenTTL, DefaultPickerTokenTTL)
	num(&c.MaxBatch, DefaultMaxBatch)
	num(&c.ResolveConcurrency, DefaultResolveConcurrency)
	num(&c.OEmbedWidth, DefaultOEmbedWidth)
	c.BaseURL, _ = absOrigin(c.BaseURL, true)
	c.Origin, _ = absOrigin(c.Origin, false)
	if c.ProviderName == "" {
		c.ProviderName = DefaultProviderName
	}
	if c.ProviderURL == "" {
		c.ProviderURL = c.BaseURL + "/"
	}
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.AccessLogger == nil {
		c.AccessLogger = c.Logger
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// mayHandAccess reports whether the URL token policy may put the access
// token on URLs: a fixed access policy, or none configured (the
// Embedder's default). A prober refuses the access token by itself (its
// AllowAccess check).
func mayHandAccess(u URLTokens) bool {
	if u == nil {
		return true
	}
	_, probing := u.(interface{ Recheck() })
	return !probing && u.URLToken() == embed.URLTokenAccess
}

// adminToken reports whether ts is a client-credentials source.
func adminToken(ts oauth2.TokenSource) bool {
	k, ok := ts.(interface{ Kind() tokens.Kind })
	return ok && k.Kind() == tokens.KindClientCredentials
}

// absOrigin checks an absolute http(s) URL and returns it without a
// trailing "/". A path is allowed only when withPath is true.
func absOrigin(s string, withPath bool) (string, error) {
	if s == "" {
		return "", errors.New("required (an absolute http(s) URL)")
	}
	b, u, err := origin.Base(s)
	if err != nil {
		return "", err
	}
	if !withPath && u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("%q must be an origin without path", redact.URL(s))
	}
	return b, nil
}
