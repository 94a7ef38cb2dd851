package purge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// Defaults for Config fields left zero.
const (
	DefaultQueueSize     = 1000
	DefaultWorkers       = 4
	DefaultMaxAttempts   = 6
	DefaultBackoffBase   = time.Second
	DefaultBackoffMax    = time.Minute
	DefaultMaxRetryAfter = 5 * time.Minute
	DefaultTimeout       = 10 * time.Second
	DefaultCloseTimeout  = 10 * time.Second
	DefaultLogInterval   = time.Minute
	// DefaultOnceWindow is the length of the time buckets that tell one
	// change from the next in Once keys.
	DefaultOnceWindow = 10 * time.Second
	// OnceTTL is how long a Config.Once implementation should remember a
	// key (redisstore's Once ttl): comfortably longer than two
	// DefaultOnceWindow buckets.
	OnceTTL = time.Minute
)

// Config configures a [Purger]. At least one backend must be set; zero
// numbers mean the defaults.
type Config struct {
	// Webhook posts each purge as JSON to a URL of the operator's.
	Webhook *WebhookConfig
	// Varnish bans the tag on one or more Varnish servers.
	Varnish *VarnishConfig
	// Fastly purges the tag as a Fastly surrogate key.
	Fastly *FastlyConfig
	// Cloudflare purges the tag as a Cloudflare cache tag.
	Cloudflare *CloudflareConfig

	// HTTPClient sends the purges (default: a client that follows no
	// redirects). Each attempt is bounded by Timeout either way.
	HTTPClient *http.Client
	// Timeout bounds one attempt of one request (default 10 s).
	Timeout time.Duration
	// QueueSize bounds the purges waiting to be sent (default 1000); a
	// purge that finds the queue full is dropped, counted and logged.
	QueueSize int
	// Workers is how many purges are sent at a time (default 4).
	Workers int
	// MaxAttempts bounds the requests one purge makes to one backend
	// (default 6).
	MaxAttempts int
	// BackoffBase and BackoffMax shape the wait between attempts: base,
	// doubled after each failure, at most max, half of it random
	// (defaults 1 s and 1 min).
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After (of a 429 or 503) that is
	// waited for (default 5 min); a backend asking for longer gets no
	// more attempts.
	MaxRetryAfter time.Duration
	// CloseTimeout bounds how long Close waits for the queue to drain
	// (default 10 s); what is left then is given up.
	CloseTimeout time.Duration

	// Once, when set, is asked once per change before a purge is sent;
	// false means another replica sends it (counted "skipped"). The key
	// names the asset's tag, the reason, a time bucket of OnceWindow and
	// how many times this process saw that (tag, reason) in the bucket,
	// so that every replica told of the same changes makes the same keys.
	// Implementations remember a key for OnceTTL and answer true when
	// unsure (two purges are better than none).
	Once func(ctx context.Context, key string) bool
	// OnceWindow is the length of Once's time buckets (default 10 s).
	OnceWindow time.Duration

	// Logger receives failures and dropped purges, rate-limited
	// (default slog.Default()). No secret is ever logged.
	Logger *slog.Logger
	// LogInterval is the least time between two identical warnings
	// (default 1 min); the repeats are counted in the next one.
	LogInterval time.Duration
	// Now is the clock of Once's buckets (default time.Now).
	Now func() time.Time
}

// Validate reports every problem with c at once (New calls it).
func (c Config) Validate() error {
	var errs []error
	if c.Webhook == nil && c.Varnish == nil && c.Fastly == nil && c.Cloudflare == nil {
		errs = append(errs, errors.New("no backend configured"))
	}
	if c.Webhook != nil {
		errs = append(errs, c.Webhook.validate())
	}
	if c.Varnish != nil {
		errs = append(errs, c.Varnish.validate())
	}
	if c.Fastly != nil {
		errs = append(errs, c.Fastly.validate())
	}
	if c.Cloudflare != nil {
		errs = append(errs, c.Cloudflare.validate())
	}
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"QueueSize", int64(c.QueueSize)}, {"Workers", int64(c.Workers)}, {"MaxAttempts", int64(c.MaxAttempts)},
		{"Timeout", int64(c.Timeout)}, {"BackoffBase", int64(c.BackoffBase)}, {"BackoffMax", int64(c.BackoffMax)},
		{"MaxRetryAfter", int64(c.MaxRetryAfter)}, {"CloseTimeout", int64(c.CloseTimeout)},
		{"OnceWindow", int64(c.OnceWindow)}, {"LogInterval", int64(c.LogInterval)},
	} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("%s is negative", n.name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("purge: invalid config: %w", err)
	}
	return nil
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defInt(&c.QueueSize, DefaultQueueSize)
	defInt(&c.Workers, DefaultWorkers)
	defInt(&c.MaxAttempts, DefaultMaxAttempts)
	def(&c.Timeout, DefaultTimeout)
	def(&c.BackoffBase, DefaultBackoffBase)
	def(&c.BackoffMax, DefaultBackoffMax)
	def(&c.MaxRetryAfter, DefaultMaxRetryAfter)
	def(&c.CloseTimeout, DefaultCloseTimeout)
	def(&c.OnceWindow, DefaultOnceWindow)
	def(&c.LogInterval, DefaultLogInterval)
	if c.BackoffMax < c.BackoffBase {
		c.BackoffMax = c.BackoffBase
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// checkURL checks that s is an absolute http(s) URL; what names it.
func checkURL(what, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute http(s) URL", what, safeURL(s))
	}
	return nil
}

// safeURL returns s without user info, query or fragment, and redacted
// (see package internal/redact), for messages and logs: a webhook URL
// may carry a secret there.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return redact.String(u.String())
}

// originOf returns scheme://host of s and "/…" for any path: a hook's
// path may be its secret (as build hooks' are), so logs show only where
// it goes.
func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	o := u.Scheme + "://" + u.Host
	if strings.Trim(u.EscapedPath(), "/") != "" || u.RawQuery != "" {
		o += "/…"
	}
	return o
}

// trimBase removes trailing slashes of a base URL.
func trimBase(s string) string { return strings.TrimRight(s, "/") }
