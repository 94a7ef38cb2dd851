package usage

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RebuilderConfig.
const (
	DefaultDebounce        = 10 * time.Second
	DefaultRebuildHeader   = "Authorization"
	DefaultMaxQueue        = 1000
	DefaultMaxRebuildPages = 10000
	DefaultMaxAttempts     = 6
	DefaultBackoff         = time.Second
	DefaultMaxBackoff      = time.Minute
	DefaultHookTimeout     = 30 * time.Second
)

// RebuilderConfig configures [NewRebuilder]. A zero field means its
// default; a negative duration or count is an error from Validate.
type RebuilderConfig struct {
	// URL is the build hook to POST to: a static host's or CI's "build
	// hook" URL (required, absolute http(s)). It is never logged beyond
	// its scheme and host (build hook URLs often hold a secret).
	URL string
	// Header is the request header that carries Secret (default
	// DefaultRebuildHeader, "Authorization": give Secret as
	// "Bearer TOKEN" then).
	Header string
	// Secret, when set, is sent in Header with every POST. It is never
	// logged.
	Secret string
	// Debounce is how long the first rebuild asked for waits for others,
	// which are sent with it in one POST (default DefaultDebounce).
	Debounce time.Duration
	// MaxQueue bounds the assets waiting for one POST; further rebuilds
	// are dropped, counted and logged (default DefaultMaxQueue).
	MaxQueue int
	// MaxPages bounds the pages named in one POST; the body then says
	// "truncated": true (default DefaultMaxRebuildPages).
	MaxPages int
	// MaxAttempts bounds the tries of one POST (default
	// DefaultMaxAttempts). A network error, 408, 429 or 5xx answer is
	// tried again; any other non-2xx answer is not.
	MaxAttempts int
	// Backoff is the wait before the second try, doubled for each next
	// one up to MaxBackoff (defaults DefaultBackoff, DefaultMaxBackoff);
	// a Retry-After in seconds is honoured up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one POST (default DefaultHookTimeout).
	Timeout time.Duration
	// HTTPClient sends the POSTs (default http.DefaultClient's
	// transport). Redirects are never followed, so that the secret
	// reaches no other URL.
	HTTPClient *http.Client
	// Logger receives what happened to each POST (default
	// slog.Default()).
	Logger *slog.Logger
}

// Validate reports every problem with c.
func (c RebuilderConfig) Validate() error {
	var errs []error
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, errors.New("usage: the rebuild hook URL must be an absolute http(s) URL"))
	}
	if strings.ContainsAny(c.Secret, "\r\n") {
		errs = append(errs, errors.New("usage: the rebuild hook secret holds a line break"))
	}
	if c.Header != "" && !validHeaderName(c.Header) {
		errs = append(errs, fmt.Errorf("usage: %q is not a valid header name", c.Header))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Debounce", c.Debounce}, {"Backoff", c.Backoff}, {"MaxBackoff", c.MaxBackoff}, {"Timeout", c.Timeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("usage: RebuilderConfig.%s is negative (%v): give 0 for the default, or more", d.name, d.v))
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"MaxQueue", c.MaxQueue}, {"MaxPages", c.MaxPages}, {"MaxAttempts", c.MaxAttempts}} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("usage: RebuilderConfig.%s is negative (%d): give 0 for the default, or more", n.name, n.v))
		}
	}
	return errors.Join(errs...)
}

// validHeaderName reports whether s is an HTTP token.
func validHeaderName(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return s != ""
}

// withDefaults fills in zero fields.
func (c RebuilderConfig) withDefaults() RebuilderConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Debounce, DefaultDebounce)
	def(&c.Backoff, DefaultBackoff)
	def(&c.MaxBackoff, DefaultMaxBackoff)
	def(&c.Timeout, DefaultHookTimeout)
	if c.Header == "" {
		c.Header = DefaultRebuildHeader
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = DefaultMaxQueue
	}
	if c.MaxPages == 0 {
		c.MaxPages = DefaultMaxRebuildPages
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	hc := http.Client{}
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.HTTPClient = &hc
	return c
}

// Rebuilder asks a build hook to rebuild the pages that use changed
// assets (it implements server.Rebuilder). Rebuild returns at once; one
// worker POSTs, coalescing what arrives within Debounce into one request
// and retrying with backoff. It is a prometheus.Collector of
// fotoembed_rebuilds_total{outcome} and fotoembed_rebuild_retries_total.
// Create it with [NewRebuilder]; Close it when done.
type Rebuilder struct {
	cfg  RebuilderConfig
	host string // scheme://host of the hook, what the log says

	mu      sync.Mutex
	pending batch
	closed  bool

	kick      chan struct{} // a rebuild is pending
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	sent, failed, dropped, retries atomic.Uint64
}

// batch is what one POST carries.
type batch struct {
	assets    []HookAsset
	index     map[string]int  // asset -> position in assets
	pages     []string        // union, in arrival order
	seen      map[string]bool // pages already in pages
	truncated bool
	requests  uint64 // Rebuild calls merged in
}

// NewRebuilder checks cfg and starts the worker.
func NewRebuilder(cfg RebuilderConfig) (*Rebuilder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	u, _ := url.Parse(cfg.URL)
	r := &Rebuilder{cfg: cfg, host: u.Scheme + "://" + u.Host,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go r.work()
	return r, nil
}

// Rebuild queues a rebuild of pages, which use asset, for reason
// ("modified", "deleted", "unpublished") and returns at once. A rebuild
// arriving while the queue holds MaxQueue assets, or after Close, is
// dropped (counted and logged).
func (r *Rebuilder) Rebuild(asset string, pages []Use, reason string) {
	r.mu.Lock()
	b := &r.pending
	i, known := b.index[asset]
	if r.closed || !known && len(b.assets) >= r.cfg.MaxQueue {
		closed := r.closed
		r.mu.Unlock()
		r.dropped.Add(1)
		why := "too many assets wait for the build hook"
		if closed {
			why = "the rebuilder is closed"
		}
		r.cfg.Logger.Warn("rebuild: dropped: "+why, "asset", asset, "reason", reason, "max_queue", r.cfg.MaxQueue)
		return
	}
	if b.index == nil {
		b.index, b.seen = map[string]int{}, map[string]bool{}
	}
	if known {
		b.assets[i].Reason = reason // the latest FotoWeb reported
	} else {
		b.index[asset] = len(b.assets)
		b.assets = append(b.assets, HookAsset{asset, reason})
	}
	for _, p := range pages {
		switch {
		case b.seen[p.Page]:
		case len(b.pages) >= r.cfg.MaxPages:
			b.truncated = true
		default:
			b.seen[p.Page] = true
			b.pages = append(b.pages, p.Page)
		}
	}
	b.requests++
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// take removes and returns the pending batch.
func (r *Rebuilder) take() batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.pending
	r.pending = batch{}
	return b
}

// work is the worker: wait for a rebuild, then Debounce, then POST what
// arrived meanwhile.
func (r *Rebuilder) work() {
	defer close(r.done)
	for {
		select {
		case <-r.kick:
		case <-r.stop:
			r.final()
			return
		}
		t := time.NewTimer(r.cfg.Debounce)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			r.final()
			return
		}
		if b := r.take(); b.requests > 0 {
			r.send(b, true)
		}
	}
}

// final sends what is pending at Close, trying once.
func (r *Rebuilder) final() {
	if b := r.take(); b.requests > 0 {
		r.send(b, false)
	}
}

// Close sends what is pending at once (one try; retries under way stop)
// and stops the worker. Rebuilds asked for afterwards are dropped.
func (r *Rebuilder) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.stop)
	})
	<-r.done
	return nil
}
