package main

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/service"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

// signingConfig holds the keys of the service's signed URLs.
type signingConfig struct {
	Keys      []string // secret: environment or file only; the first signs
	MACLength int      // bytes of HMAC in a signature
}

func (c *signingConfig) register(f *flagSet) {
	f.SecretList(&c.Keys, "signing-keys", "FOTOEMBED_SIGNING_KEYS", "the signing keys",
		"HMAC keys of the signed image URLs, comma-separated (one per line in the file); the first signs, all verify, "+
			"so a new key can be put first; each at least 16 bytes, used as given (e.g. the output of `openssl rand -base64 32`)")
	f.Int(&c.MACLength, "mac-length", "FOTOEMBED_MAC_LENGTH", urlsig.MaxMACLength, urlsig.MinMACLength, urlsig.MaxMACLength,
		"bytes of HMAC-SHA256 kept in a signature (32 = full; fewer give shorter URLs)")
}

// Validate reports every problem with the keys, by index, never content.
func (c *signingConfig) Validate() error {
	if len(c.Keys) == 0 {
		return errors.New("no signing key: set FOTOEMBED_SIGNING_KEYS or use --signing-keys-file (make a key with `openssl rand -base64 32`)")
	}
	var errs []error
	for i, k := range c.Keys {
		if len(k) < urlsig.MinKeyLen {
			errs = append(errs, fmt.Errorf("signing key %d of %d is %d bytes; each key needs at least %d (make one with `openssl rand -base64 32`)",
				i+1, len(c.Keys), len(k), urlsig.MinKeyLen))
		}
	}
	return errors.Join(errs...)
}

// signer returns the urlsig.Signer for c.
func (c *signingConfig) signer() (*urlsig.Signer, error) {
	keys := make([][]byte, len(c.Keys))
	for i, k := range c.Keys {
		keys[i] = []byte(k)
	}
	return urlsig.New(urlsig.Config{Keys: keys, MACLength: c.MACLength})
}

// resolverConfig configures the asset cache and the metadata fields.
// Zero durations and limits mean "off" (the commands that register no
// cache flags resolve uncached, unbounded, without a miss budget).
type resolverConfig struct {
	CacheTTL, StaleWindow, NotFoundTTL time.Duration
	MissTimeout                        time.Duration
	CacheMaxEntries, CacheMaxNotFound  int   // 0: no limit
	CacheMaxBytes                      int64 // 0: no limit
	Fields                             embed.Fields
	CreditPrefix                       string
}

// register registers the cache and the metadata field flags, whose
// defaults are the service's (service.DefaultResolverConfig).
func (c *resolverConfig) register(f *flagSet) {
	def := service.DefaultResolverConfig()
	f.Duration(&c.CacheTTL, "cache-ttl", "FOTOEMBED_CACHE_TTL", def.TTL, "how long what FotoWeb said about an asset is reused; 0 turns caching off (every request asks FotoWeb; --stale-window is then off too)")
	f.Duration(&c.StaleWindow, "stale-window", "FOTOEMBED_STALE_WINDOW", def.StaleIfError,
		"how long after it went stale an entry is still served: at once while one background request refreshes it, and while FotoWeb fails "+
			"(never past the asset's licence end, nor with a previewToken about to expire); 0 turns it off")
	f.Duration(&c.NotFoundTTL, "not-found-ttl", "FOTOEMBED_NOT_FOUND_TTL", def.NotFoundTTL, "how long \"asset not found\" is remembered; 0 turns it off")
	f.Duration(&c.MissTimeout, "miss-timeout", "FOTOEMBED_MISS_TIMEOUT", def.MissTimeout,
		"how long a request waits for FotoWeb on an asset that is not cached before it fails with 504 (the fetch goes on and fills the cache); "+
			"0 waits for the fetch (at most 15s)")
	f.Int(&c.CacheMaxEntries, "cache-max-entries", "FOTOEMBED_CACHE_MAX_ENTRIES", def.Limits.MaxEntries, 0, math.MaxInt32,
		"most assets kept in memory (the in-process cache, or with --store Redis each replica's near cache); "+
			"the least recently used goes first; 0 means no limit")
	c.registerSize(f, &c.CacheMaxBytes, "cache-max-bytes", "FOTOEMBED_CACHE_MAX_BYTES", def.Limits.MaxBytes,
		"most memory the cached assets take, by the cache's own estimate (some 5 KB an asset; the process's resident size is larger by "+
			"the Go runtime's headroom), as bytes or with a unit (KiB, MiB, GiB, KB, MB, GB); the least recently used goes first; 0 means no limit")
	f.Int(&c.CacheMaxNotFound, "cache-max-not-found", "FOTOEMBED_CACHE_MAX_NOT_FOUND", def.Limits.MaxNotFound, 0, math.MaxInt32,
		"most \"asset not found\" answers kept, apart from the assets (so that a crawler's misses cannot push assets out); 0 means no limit")
	c.registerFields(f)
}

// registerSize registers a byte-size flag accepting 0 and more.
func (c *resolverConfig) registerSize(f *flagSet, p *int64, name, env string, def int64, usage string) {
	f.add(&option{name: name, env: env, def: fmtSize(def), arg: "size", usage: usage,
		parse: func(s string) error {
			n, err := parseSize(s)
			if err != nil {
				return err
			}
			*p = n
			return nil
		}})
}

// sizeUnits are the units parseSize accepts, lower-case.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
}

// parseSize parses a byte count: a whole number, optionally followed by
// a unit (B, KiB, MiB, GiB, TiB, or the decimal KB, MB, GB, TB; any case,
// space allowed).
func parseSize(s string) (int64, error) {
	bad := errors.New("must be a size such as 268435456, 256MiB or 1GB")
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	if i == 0 {
		return 0, bad
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, bad
	}
	return n * unit, nil
}

// fmtSize formats a byte count with the largest binary unit dividing it.
func fmtSize(n int64) string {
	for _, u := range []struct {
		name string
		v    int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.v == 0 {
			return strconv.FormatInt(n/u.v, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// minCacheBytes is the least non-zero --cache-max-bytes: less holds a
// few hundred assets at most, and is most likely a missing unit.
const minCacheBytes = 1 << 20

// cacheLimits are the limits of the in-process store, and of the Redis
// store's near cache: this command's 0 ("no limit") is embed's negative.
func (c *resolverConfig) cacheLimits() embed.MemoryStoreConfig {
	off := func(n int64) int64 {
		if n == 0 {
			return -1
		}
		return n
	}
	return embed.MemoryStoreConfig{
		MaxEntries:  int(off(int64(c.CacheMaxEntries))),
		MaxBytes:    off(c.CacheMaxBytes),
		MaxNotFound: int(off(int64(c.CacheMaxNotFound))),
	}
}

// settings returns the service's resolver settings from c: this
// command's 0 ("off", "no limit") becomes embed's negative; what has no
// flag keeps the service's default. --cache-ttl 0 turns the stale window
// off with it: an entry that is never fresh but still served stale
// would be caching all the same.
func (c *resolverConfig) settings(previewTokens bool) service.ResolverConfig {
	s := service.DefaultResolverConfig()
	s.TTL, s.StaleIfError, s.NotFoundTTL = offIfZero(c.CacheTTL), offIfZero(c.StaleWindow), offIfZero(c.NotFoundTTL)
	if c.CacheTTL == 0 {
		s.StaleIfError = -1
	}
	s.MissTimeout, s.Limits = offIfZero(c.MissTimeout), c.cacheLimits()
	s.Fields, s.CreditPrefix, s.PreviewTokens = c.Fields, c.CreditPrefix, previewTokens
	return s
}

// registerFields registers the metadata field flags, whose defaults are
// the service's (service.DefaultFields).
func (c *resolverConfig) registerFields(f *flagSet) {
	def := service.DefaultResolverConfig()
	field := func(p *int, name, env string, def int, what string) {
		f.Int(p, name, env, def, -1, 1<<20, "metadata field id of "+what+"; -1 turns it off")
	}
	field(&c.Fields.Alt, "alt-field", "FOTOEMBED_ALT_FIELD", def.Fields.Alt,
		"the alt text (in a figure whose caption says the same, the title instead)")
	field(&c.Fields.Title, "title-field", "FOTOEMBED_TITLE_FIELD", def.Fields.Title,
		"the title (alt text when the alt field is empty or repeats a figure's caption)")
	field(&c.Fields.Caption, "caption-field", "FOTOEMBED_CAPTION_FIELD", def.Fields.Caption, "the figure caption")
	field(&c.Fields.Byline, "byline-field", "FOTOEMBED_BYLINE_FIELD", def.Fields.Byline, "the byline (photographer) in the credit line")
	field(&c.Fields.Credit, "credit-field", "FOTOEMBED_CREDIT_FIELD", def.Fields.Credit, "the credit in the credit line")
	field(&c.Fields.Copyright, "copyright-field", "FOTOEMBED_COPYRIGHT_FIELD", def.Fields.Copyright, "the copyright notice in the credit line")
	f.Text(&c.CreditPrefix, "credit-prefix", "FOTOEMBED_CREDIT_PREFIX", def.CreditPrefix, "text", "text before the credit line in figures")
	f.Int(&c.Fields.RightsExpiry, "rights-expiry-field", "FOTOEMBED_RIGHTS_EXPIRY_FIELD", def.Fields.RightsExpiry, -1, 1<<20,
		"metadata field id of the date the licence ends (ISO 8601: 2026-12-31 means through that day, or a date and time); "+
			"past it the asset is not shown; a date that does not parse counts as ended; -1 turns it off")
	f.Int(&c.Fields.Withdrawn, "withdrawn-field", "FOTOEMBED_WITHDRAWN_FIELD", def.Fields.Withdrawn, -1, 1<<20,
		"metadata field id that marks an asset withdrawn (consent revoked, taken down) when it holds one of --withdrawn-values; -1 turns it off")
	f.List(&c.Fields.WithdrawnValues, "withdrawn-values", "FOTOEMBED_WITHDRAWN_VALUES", strings.Join(def.Fields.WithdrawnValues, ","), "values",
		"comma-separated values of --withdrawn-field that mean \"do not publish\" (compared without regard to case)")
}

// Validate reports every problem with c.
func (c *resolverConfig) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		id   int
	}{{"alt", c.Fields.Alt}, {"title", c.Fields.Title}, {"caption", c.Fields.Caption},
		{"byline", c.Fields.Byline}, {"credit", c.Fields.Credit}, {"copyright", c.Fields.Copyright}} {
		if f.id == 0 {
			errs = append(errs, fmt.Errorf("--%s-field 0: give a FotoWeb metadata field id (such as 120) or -1 to turn it off", f.name))
		}
	}
	if n := c.CacheMaxBytes; n > 0 && n < minCacheBytes {
		errs = append(errs, fmt.Errorf("--cache-max-bytes %d is less than 1MiB, room for a few hundred assets at most (each takes some 5 KB): "+
			"give a size with its unit, such as 256MiB, or 0 for no limit", n))
	}
	if c.MissTimeout > 0 && c.MissTimeout < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("--miss-timeout %v is too short for FotoWeb to answer: give at least 100ms (such as 10s), or 0 to wait for the fetch", c.MissTimeout))
	}
	return errors.Join(errs...)
}

// offIfZero maps this command's "0 turns it off" to the libraries'
// negative (embed, server, redisstore).
func offIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// Ways to deliver signed URLs (--delivery).
const (
	deliveryAuto     = "auto"
	deliveryRedirect = "redirect"
	deliveryProxy    = "proxy"
	deliveryExport   = "export"
)

// serverConfig configures the HTTP service.
type serverConfig struct {
	Addr            string
	BaseURL         string
	Delivery        string
	AllowAdminToken bool
	APIKeys         []string // secret
	HookSecret      string   // secret
	HookAllow       []string
	TrustedProxies  []string
	PublicArchives  []string
	MaxBatch        int
	RedirectMaxAge  time.Duration
	ProxyMaxAge     time.Duration
	RequestTimeout  time.Duration
	BodyTimeout     time.Duration // server.Config.BodyTimeout
	ShutdownTimeout time.Duration
	ReadyStrict     bool // server.Config.ReadyStrict
	Title           string
	Store           string // "memory" or a Redis URL (may hold a password)
	StoreNearTTL    time.Duration
	StoreTimeout    time.Duration
	Unpublished     string // "gone" or "placeholder"
	// Per-client rate limits (server.Config.RateLimit*); 0 turns one off.
	RateLimitPublic            float64 // /p/ and /oembed
	RateLimitBurst             int
	RateLimitImages            float64 // every signed image request; burst: 10 s of it
	RateLimitImageFetches      float64 // signed image requests that need FotoWeb
	RateLimitImageFetchesBurst int
	RateLimitExempt            []string
	// The picker a CMS embeds (server.Config.PickerOrigins and
	// PickerTokenTTL).
	PickerOrigins  []string
	PickerTokenTTL time.Duration
}

// storeMemory is --store for the in-process cache.
const storeMemory = "memory"

// defaultAddr is the listen address of `serve`: loopback, so that a
// service started without configuration is not reachable from the
// network; set --addr :8080 (FOTOEMBED_ADDR) in a container.
const defaultAddr = "127.0.0.1:8080"

func (c *serverConfig) register(f *flagSet) {
	f.String(&c.Addr, "addr", "FOTOEMBED_ADDR", defaultAddr, "host:port",
		"listen address; loopback by default, use :8080 to listen on every interface (e.g. in a container)")
	registerBaseURL(f, &c.BaseURL, "used in absolute links (default: http:// and the listen address)")
	f.Enum(&c.Delivery, "delivery", "FOTOEMBED_DELIVERY", deliveryAuto, []string{deliveryAuto, deliveryRedirect, deliveryProxy, deliveryExport},
		"how a signed image URL is answered: redirect (302 to the FotoWeb preview URL with what --url-token puts on it), proxy (the service streams the bytes; "+
			"the token stays on the server), export (302 to a permanent public URL from FotoWeb's Export API, exported once and recorded in the export ledger), "+
			"auto (proxy for client_credentials and static tokens, redirect for a user token)")
	f.Bool(&c.AllowAdminToken, "i-understand-admin-token-in-urls", "FOTOEMBED_ALLOW_ADMIN_TOKEN_IN_URLS", false,
		"allow redirect delivery and direct HTML with a client_credentials token, whose full admin rights every visitor then gets")
	f.SecretList(&c.APIKeys, "api-keys", "FOTOEMBED_API_KEYS", "the API keys",
		"API keys accepted in X-API-Key for /v1/*, comma-separated (one per line in the file), each at least 16 characters; none closes the API")
	f.SecretString(&c.HookSecret, "hook-secret", "FOTOEMBED_HOOK_SECRET", "the webhook secret",
		"secret path segment of the FotoWeb webhook URL /hooks/fotoweb/SECRET (at least 16 characters); none disables webhooks")
	f.List(&c.HookAllow, "hook-allow", "FOTOEMBED_HOOK_ALLOW", "", "CIDRs", "comma-separated networks webhooks may come from (e.g. 10.0.0.0/8); empty allows any")
	f.List(&c.TrustedProxies, "trusted-proxies", "FOTOEMBED_TRUSTED_PROXIES", "", "CIDRs",
		"comma-separated networks of reverse proxies whose X-Forwarded-For is believed")
	f.List(&c.PublicArchives, "public-archives", "FOTOEMBED_PUBLIC_ARCHIVES", "", "archives",
		"comma-separated archives (ids like 5001, or hrefs) whose assets get public pages and oEmbed; empty means none")
	f.Int(&c.MaxBatch, "max-batch", "FOTOEMBED_MAX_BATCH", server.DefaultMaxBatch, 1, 10000, "most items in one POST /v1/resolve")
	f.Duration(&c.RedirectMaxAge, "redirect-max-age", "FOTOEMBED_REDIRECT_MAX_AGE", server.DefaultRedirectMaxAge,
		"longest browser cache time of a redirect (never beyond the token's expiry); 0 turns it off (no-store)")
	f.Duration(&c.ProxyMaxAge, "proxy-max-age", "FOTOEMBED_PROXY_MAX_AGE", server.DefaultProxyMaxAge,
		"public cache time of proxied images; 0 turns it off (no-store)")
	f.PositiveDuration(&c.RequestTimeout, "request-timeout", "FOTOEMBED_REQUEST_TIMEOUT", server.DefaultRequestTimeout, "time limit of the FotoWeb work of one request")
	f.PositiveDuration(&c.BodyTimeout, "body-timeout", "FOTOEMBED_BODY_TIMEOUT", server.DefaultBodyTimeout,
		"time a client has to send the body of a POST (/v1/resolve, /v1/usage, webhooks) once its headers are in")
	f.PositiveDuration(&c.ShutdownTimeout, "shutdown-timeout", "FOTOEMBED_SHUTDOWN_TIMEOUT", 15*time.Second,
		"on SIGINT or SIGTERM, how long in-flight requests may take to finish")
	f.Bool(&c.ReadyStrict, "ready-strict", "FOTOEMBED_READY_STRICT", false,
		"/readyz answers 503 when FotoWeb does not answer or no token can be had (a lost login included); "+
			"by default those are reported as degraded and /readyz stays 200, since every replica shares FotoWeb "+
			"and cached images can still be served")
	f.String(&c.Title, "title", "FOTOEMBED_TITLE", server.DefaultTitle, "text", "title of the web UI")
	f.String(&c.Store, "store", "FOTOEMBED_STORE", storeMemory, "memory|URL",
		"where resolved assets are cached: memory (this process), or a Redis URL such as redis://redis:6379/0 (rediss:// for TLS) "+
			"that several replicas share, with webhook invalidations and the --auth user token; set a URL with a password in FOTOEMBED_STORE, not on the command line")
	f.Duration(&c.StoreNearTTL, "store-near-ttl", "FOTOEMBED_STORE_NEAR_TTL", redisstore.DefaultNearTTL,
		"with a Redis store: how long a replica keeps what it read from Redis in memory (how stale another replica's change can look); 0 turns it off")
	f.Enum(&c.Unpublished, "unpublished", "FOTOEMBED_UNPUBLISHED", "gone", []string{"gone", "placeholder"},
		"what a signed image URL answers for an asset whose licence ended (--rights-expiry-field) or that was withdrawn (--withdrawn-field): "+
			"gone (410) or placeholder (a neutral grey image of the same size, so layouts hold)")
	f.PositiveDuration(&c.StoreTimeout, "store-timeout", "FOTOEMBED_STORE_TIMEOUT", redisstore.DefaultTimeout,
		"with a Redis store: time limit of one Redis call; a slower or failed call counts as a miss, and FotoWeb is asked")
	c.registerRateLimits(f)
	f.List(&c.PickerOrigins, "picker-origins", "FOTOEMBED_PICKER_ORIGINS", "", "origins",
		"comma-separated origins of the CMSs that may embed the image picker /picker in an iframe (such as https://cms.example.com); "+
			"the picker talks to no other page; empty disables the picker and POST /v1/picker-tokens")
	f.Duration(&c.PickerTokenTTL, "picker-token-ttl", "FOTOEMBED_PICKER_TOKEN_TTL", server.DefaultPickerTokenTTL,
		"lifetime of the picker tokens a CMS asks for (POST /v1/picker-tokens), and the longest a request may ask for; 1m to 24h")
}

// registerRateLimits registers the per-client rate limit flags.
func (c *serverConfig) registerRateLimits(f *flagSet) {
	const client = "; counted per client (its address as found through --trusted-proxies, an IPv6 client by its /64; " +
		"put a CDN or reverse proxy in front in --trusted-proxies, or all its visitors are one client); " +
		"over it, 429 with Retry-After; 0 turns it off"
	f.Float(&c.RateLimitPublic, "rate-limit-public", "FOTOEMBED_RATE_LIMIT_PUBLIC", server.DefaultRateLimitPublic, "req/s",
		"requests a second to the public pages /p/ and /oembed together, each of which may cost a FotoWeb request"+client)
	f.Int(&c.RateLimitBurst, "rate-limit-burst", "FOTOEMBED_RATE_LIMIT_BURST", server.DefaultRateLimitPublicBurst, 1, 1_000_000,
		"requests a client may make at once to /p/ and /oembed before --rate-limit-public holds it back")
	f.Float(&c.RateLimitImageFetches, "rate-limit-image-fetches", "FOTOEMBED_RATE_LIMIT_IMAGE_FETCHES", server.DefaultRateLimitImageFetches, "req/s",
		"signed image requests a second that need FotoWeb (the asset is not cached; with --delivery proxy, every one)"+client)
	f.Int(&c.RateLimitImageFetchesBurst, "rate-limit-image-fetches-burst", "FOTOEMBED_RATE_LIMIT_IMAGE_FETCHES_BURST",
		server.DefaultRateLimitImageFetchesBurst, 1, 1_000_000, "signed image requests needing FotoWeb a client may make at once")
	f.Float(&c.RateLimitImages, "rate-limit-images", "FOTOEMBED_RATE_LIMIT_IMAGES", server.DefaultRateLimitImages, "req/s",
		"signed image requests a second, cached or not, with a burst of 10 seconds' worth"+client)
	f.List(&c.RateLimitExempt, "rate-limit-exempt", "FOTOEMBED_RATE_LIMIT_EXEMPT", "", "CIDRs",
		"comma-separated client networks no rate limit applies to (e.g. the CMS that calls /oembed)")
}

// rateLimits copies the per-client rate limits into sc.
func (c *serverConfig) rateLimits(sc *server.Config) {
	exempt, _ := parsePrefixes("rate-limit-exempt", c.RateLimitExempt) // checked by Validate
	sc.RateLimitPublic, sc.RateLimitPublicBurst = c.RateLimitPublic, c.RateLimitBurst
	sc.RateLimitImageFetches, sc.RateLimitImageFetchesBurst = c.RateLimitImageFetches, c.RateLimitImageFetchesBurst
	sc.RateLimitImages, sc.RateLimitImagesBurst = c.RateLimitImages, int(math.Ceil(10*c.RateLimitImages))
	sc.RateLimitExempt = exempt
}

// Validate reports every problem with c; auth is the token kind in use.
func (c *serverConfig) Validate(auth string) error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr is empty: give host:port, such as 127.0.0.1:8080 or :8080"))
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Store != storeMemory && (!strings.Contains(c.Store, "://") || (redisstore.Config{URL: c.Store}).Validate() != nil) {
		errs = append(errs, fmt.Errorf("--store %q must be memory or a Redis URL such as redis://host:6379/0 (rediss:// for TLS, unix:///path/redis.sock)", redisstore.RedactURL(c.Store)))
	}
	for _, o := range c.PickerOrigins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--picker-origins: %q is not an origin such as https://cms.example.com (scheme and host, no path)", safeURL(o)))
		}
	}
	if d := c.PickerTokenTTL; d < server.MinPickerTokenTTL || d > server.MaxPickerTokenTTL {
		errs = append(errs, fmt.Errorf("--picker-token-ttl %v: give from 1m to 24h (tokens should live minutes)", d))
	}
	for i, k := range c.APIKeys {
		if len(k) < 16 {
			errs = append(errs, fmt.Errorf("API key %d of %d is %d characters; each key needs at least 16 (make one with `openssl rand -hex 16`)", i+1, len(c.APIKeys), len(k)))
		}
	}
	if s := c.HookSecret; s != "" && (len(s) < server.MinHookSecretLen || strings.ContainsAny(s, "/?#% ")) {
		errs = append(errs, fmt.Errorf("the webhook secret (FOTOEMBED_HOOK_SECRET or --hook-secret-file) needs at least %d characters and no / ? # %% or space (make one with `openssl rand -hex 16`)", server.MinHookSecretLen))
	}
	for _, l := range []struct {
		flag string
		list []string
	}{{"hook-allow", c.HookAllow}, {"trusted-proxies", c.TrustedProxies}, {"rate-limit-exempt", c.RateLimitExempt}} {
		if _, err := parsePrefixes(l.flag, l.list); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// errAdminToken explains why redirect delivery with a client-credentials
// token is refused, and what to do instead.
var errAdminToken = errors.New("putting the --auth client_credentials access token in URLs (--delivery redirect with --url-token access, " +
	"or auto finding that only the access token works) is refused: a client-credentials token has full administrative access " +
	"to the whole FotoWeb tenant, and every visitor's browser would see it. Safe alternatives: --url-token none or preview " +
	"(what auto tries first), --delivery proxy (the token stays on the server) or --delivery export (public URLs, no token), " +
	"or run `fotoembed login` once as a read-only FotoWeb user and serve with --auth user. To accept the risk anyway, add " +
	"--i-understand-admin-token-in-urls (or set FOTOEMBED_ALLOW_ADMIN_TOKEN_IN_URLS=1)")

// delivery resolves "auto" for the token kind auth.
func (c *serverConfig) delivery(auth string) string {
	if c.Delivery != deliveryAuto {
		return c.Delivery
	}
	if auth == authUser {
		return deliveryRedirect
	}
	return deliveryProxy
}

// checkBaseURL checks --base-url.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--base-url %q must be an absolute http(s) URL without query or user info, such as https://img.example.com", safeURL(s))
	}
	return nil
}

// parsePrefixes parses CIDRs (a bare address means just that address).
func parsePrefixes(flag string, list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var bad []string
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				bad = append(bad, fmt.Sprintf("%q", s))
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("--%s: %s not a network such as 10.0.0.0/8 or an address", flag, strings.Join(bad, ", "))
	}
	return out, nil
}
