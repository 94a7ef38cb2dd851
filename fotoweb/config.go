package fotoweb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeout               = 30 * time.Second
	DefaultMaxAttempts           = 4
	DefaultMaxRetryAfter         = 16 * time.Second
	DefaultBackoffBase           = 250 * time.Millisecond
	DefaultRenditionPollMax      = 30
	DefaultRenditionPollInterval = 250 * time.Millisecond
	DefaultRenditionPollCap      = 2 * time.Second
	DefaultUserAgent             = "fotoembed-fotoweb/1"
)

// Config configures a Client. Only BaseURL is required. A zero field
// means its default (a zero RateLimit: no limit); a negative duration,
// count or rate is an error from [New].
type Config struct {
	// BaseURL is the FotoWeb origin, "https://tenant.fotoware.cloud":
	// scheme and host[:port], no path, query or user info.
	BaseURL string
	// Tokens supplies access tokens; nil means guest access (no auth).
	// A [ContextTokenSource] (*tokens.Source) is asked with each
	// request's context, so that a request whose context ends stops
	// waiting for a token.
	Tokens TokenSource
	// HTTPClient sends the requests; nil means a client of the package's
	// own with a [NewTransport]. Its Timeout should be 0: the client
	// bounds each attempt itself and streams large files.
	HTTPClient *http.Client
	// Timeout bounds each attempt until the response headers and, for a
	// JSON answer, its whole body; for a streamed body it is the longest
	// pause between reads. Default 30s.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one retryable request. Default 4.
	MaxAttempts int
	// MaxRetryAfter caps a server's Retry-After and any backoff pause.
	// Default 16s.
	MaxRetryAfter time.Duration
	// BackoffBase is the first backoff step (doubled per attempt, full
	// jitter). Default 250ms.
	BackoffBase time.Duration
	// TokenInQuery sends ?access_token= instead of Authorization: Bearer,
	// for reverse proxies that strip the header. The rendition request
	// (Rendition's POST) still uses the header: the rendition service
	// refuses a token in the query.
	TokenInQuery bool
	// RateLimit is a client-side limit in requests per second; 0 means
	// unlimited, negative is an error.
	RateLimit float64
	// Burst is the rate limiter's bucket size: how many requests may go
	// at once before RateLimit holds them back (0 means 1; negative is
	// an error). Without RateLimit it does nothing.
	Burst int
	// UserAgent is sent with every request; default DefaultUserAgent.
	UserAgent string
	// Logger receives debug lines about retries; nil discards. Tokens are
	// never logged.
	Logger *slog.Logger
	// RenditionPollMax bounds the GETs of a pending rendition. Default 30.
	RenditionPollMax int
	// RenditionPollInterval is the pause after the first 202 of a
	// rendition, doubled per poll up to RenditionPollCap. Defaults 250ms
	// and 2s.
	RenditionPollInterval time.Duration
	// RenditionPollCap caps the pause between rendition polls.
	RenditionPollCap time.Duration
}

// Client talks to one FotoWeb origin. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    *url.URL // scheme://host[:port], path ""
	origin  string   // Origin(base)
	hc      *http.Client
	limiter *rate.Limiter
	log     *slog.Logger

	// Test hooks: sleep waits between attempts, jitter draws from [0,n).
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(n int64) int64
	now    func() time.Time

	descMu   sync.Mutex
	desc     *Descriptor
	descCall *descCall
}

// New validates cfg and returns a Client. A Config error names every bad
// field at once.
func New(cfg Config) (*Client, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	cfg.setDefaults()
	c := &Client{
		cfg:    cfg,
		base:   base,
		origin: Origin(base),
		hc:     cfg.HTTPClient,
		log:    cfg.Logger,
		sleep:  sleepCtx,
		jitter: rand.Int64N,
		now:    time.Now,
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: NewTransport(), CheckRedirect: checkRedirect}
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RateLimit > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), cfg.Burst)
	}
	return c, nil
}

// BaseURL returns a copy of the configured origin.
func (c *Client) BaseURL() *url.URL {
	u := *c.base
	return &u
}

func (cfg *Config) validate() (*url.URL, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("fotoweb: Config.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		bad("BaseURL", "%v", err)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"Timeout", cfg.Timeout}, {"MaxRetryAfter", cfg.MaxRetryAfter}, {"BackoffBase", cfg.BackoffBase},
		{"RenditionPollInterval", cfg.RenditionPollInterval}, {"RenditionPollCap", cfg.RenditionPollCap},
	} {
		if d.d < 0 {
			bad(d.name, "negative duration %v", d.d)
		}
	}
	if cfg.MaxAttempts < 0 {
		bad("MaxAttempts", "negative (%d)", cfg.MaxAttempts)
	}
	if cfg.RenditionPollMax < 0 {
		bad("RenditionPollMax", "negative (%d)", cfg.RenditionPollMax)
	}
	if cfg.RateLimit < 0 || math.IsNaN(cfg.RateLimit) || math.IsInf(cfg.RateLimit, 0) {
		bad("RateLimit", "must be a finite number >= 0 (got %v)", cfg.RateLimit)
	}
	if cfg.Burst < 0 {
		bad("Burst", "negative (%d)", cfg.Burst)
	}
	if strings.ContainsAny(cfg.UserAgent, "\r\n") {
		bad("UserAgent", "contains a line break")
	}
	if cfg.HTTPClient != nil && cfg.HTTPClient.Timeout != 0 {
		bad("HTTPClient", "Timeout must be 0 (use Config.Timeout; streamed bodies would be cut)")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return base, nil
}

// parseBaseURL accepts scheme://host[:port] with an optional trailing "/".
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("required (the FotoWeb origin, e.g. https://tenant.fotoware.cloud)")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %s", quoteRef(s))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("scheme must be http or https: %s", quoteRef(s))
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("no host: %s", quoteRef(s))
	case u.User != nil:
		return nil, errors.New("must not contain user info")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return nil, fmt.Errorf("must be an origin without path, query or fragment: %s", quoteRef(s))
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func (cfg *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.MaxRetryAfter, DefaultMaxRetryAfter)
	def(&cfg.BackoffBase, DefaultBackoffBase)
	def(&cfg.RenditionPollInterval, DefaultRenditionPollInterval)
	def(&cfg.RenditionPollCap, DefaultRenditionPollCap)
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RenditionPollMax == 0 {
		cfg.RenditionPollMax = DefaultRenditionPollMax
	}
	if cfg.Burst == 0 {
		cfg.Burst = 1
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
}

// checkRedirect stops redirect loops; the error is not retried.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("%w: more than 10 redirects", errRedirect)
	}
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
