package redisstore

import (
	"errors"
	"fmt"
	"github.com/fotoembed/fotoembed/embed"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// Defaults for Config fields left zero.
const (
	DefaultKeyPrefix      = "fotoembed:"
	DefaultNearTTL        = 5 * time.Second
	DefaultTimeout        = 200 * time.Millisecond
	DefaultFillLockTTL    = 15 * time.Second
	DefaultFillWait       = 3 * time.Second
	DefaultTokenLockTTL   = 30 * time.Second
	DefaultHealthInterval = time.Second
	DefaultLogInterval    = time.Minute
	DefaultLockPoll       = 20 * time.Millisecond
	// MaxPendingDeletes bounds the invalidations kept for replay while
	// Redis is unreachable.
	MaxPendingDeletes = 10000
)

// Config configures a [Store]. Only URL is required; zero durations mean
// the defaults. A negative NearTTL turns the near cache off; any other
// negative duration is an error from Validate.
type Config struct {
	// URL locates the Redis server: redis://[user:password@]host:port/db,
	// rediss://... for TLS, or unix:///path/to/socket. go-redis query
	// options (e.g. ?pool_size=20) are honoured; its timeouts are replaced
	// by Timeout.
	URL string
	// KeyPrefix starts every key and the invalidation channel (default
	// "fotoembed:"), so that several deployments can share one Redis.
	KeyPrefix string
	// NearTTL is how long an entry read from Redis is kept in the
	// in-process near cache (default 5 s). It bounds how long a replica
	// can serve an entry another replica has replaced. Negative: no near
	// cache while Redis answers (every Get asks Redis). While Redis is
	// down, entries are kept in it for their full TTL whatever NearTTL
	// is, so that a replica then behaves like a single one.
	NearTTL time.Duration
	// NearLimits bound the near cache (entries, estimated bytes,
	// not-found markers) as they bound the in-process store; the zero
	// value means embed's defaults. Cleanup and Now are set by the store.
	NearLimits embed.MemoryStoreConfig
	// Timeout bounds every Redis call (default 200 ms). A call that takes
	// longer counts as a miss (Get), is dropped (Set) or is held and sent
	// when Redis answers again (Delete).
	Timeout time.Duration
	// FillLockTTL is how long a replica's fill lock lives unless released
	// (default 15 s): if the replica dies while fetching, the others can
	// go on after this.
	FillLockTTL time.Duration
	// FillWait bounds how long a replica waits for another replica's fill
	// before fetching from FotoWeb itself (default 3 s).
	FillWait time.Duration
	// TokenLockTTL is how long the token-refresh lock lives unless
	// released (default 30 s).
	TokenLockTTL time.Duration
	// HealthInterval is how often Redis is pinged to track up/down and to
	// replay invalidations that could not be sent (default 1 s).
	HealthInterval time.Duration
	// LogInterval is the least time between two log lines about Redis
	// errors (default 1 min); the errors in between are counted.
	LogInterval time.Duration
	// LockPoll is how often a waiting replica tries a held lock again
	// (default 20 ms).
	LockPoll time.Duration
	// Logger receives warnings (rate-limited); nil means slog.Default().
	Logger *slog.Logger
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.URL) == "" {
		errs = append(errs, errors.New("URL is missing"))
	} else if _, err := redis.ParseURL(c.URL); err != nil {
		errs = append(errs, fmt.Errorf("URL %s: %v", RedactURL(c.URL), redactErr(err, c.URL)))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"Timeout", c.Timeout}, {"FillLockTTL", c.FillLockTTL}, {"FillWait", c.FillWait},
		{"TokenLockTTL", c.TokenLockTTL}, {"HealthInterval", c.HealthInterval},
		{"LogInterval", c.LogInterval}, {"LockPoll", c.LockPoll},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s is negative (%v)", d.name, d.v))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("redisstore: invalid config: %w", errors.Join(errs...))
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.NearTTL, DefaultNearTTL)
	def(&c.Timeout, DefaultTimeout)
	def(&c.FillLockTTL, DefaultFillLockTTL)
	def(&c.FillWait, DefaultFillWait)
	def(&c.TokenLockTTL, DefaultTokenLockTTL)
	def(&c.HealthInterval, DefaultHealthInterval)
	def(&c.LogInterval, DefaultLogInterval)
	def(&c.LockPoll, DefaultLockPoll)
	if c.NearTTL < 0 {
		c.NearTTL = 0
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = DefaultKeyPrefix
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// options returns the go-redis options for c: every socket operation and
// dial bounded by Timeout, one retry (a pooled connection that died with
// a restarted server is replaced at once), one dial attempt (a refused
// connection fails at once), no maintenance-notification
// handshake (plain Redis servers do not know it).
func (c Config) options() (*redis.Options, error) {
	o, err := redis.ParseURL(c.URL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: URL %s: %v", RedactURL(c.URL), redactErr(err, c.URL))
	}
	o.DialTimeout = c.Timeout
	o.ReadTimeout = c.Timeout
	o.WriteTimeout = c.Timeout
	o.PoolTimeout = c.Timeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DialerRetries = 1
	o.MinRetryBackoff = -1
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return o, nil
}

// RedactURL returns u for logs and error messages: without user info
// (the password), with secret query values replaced (see package
// internal/redact).
func RedactURL(u string) string { return redact.URL(u) }

// redactErr removes the password of rawURL, in every encoding, and
// anything token-like from err's message.
func redactErr(err error, rawURL string) string {
	var pw string
	if p, perr := url.Parse(rawURL); perr == nil {
		pw, _ = p.User.Password()
	}
	msg := err.Error()
	if pw != "" && len(pw) < redact.MinSecretLen {
		msg = strings.ReplaceAll(msg, pw, redact.Marker) // too short for a Redactor
	}
	return redact.New(pw).String(msg)
}
