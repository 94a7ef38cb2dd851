package urltoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// Client is what a Prober needs from FotoWeb; *fotoweb.Client has it.
type Client interface {
	// Archives lists the archives the token sees.
	Archives(ctx context.Context) ([]fotoweb.Collection, error)
	// Search searches one collection.
	Search(ctx context.Context, searchURL, query string, limit int) ([]fotoweb.Asset, error)
	// TryURL fetches href as a browser would, with token as access_token.
	TryURL(ctx context.Context, href, token string) (int, error)
}

// Prober defaults.
const (
	DefaultInterval      = time.Hour
	DefaultRetryInterval = time.Minute
	DefaultMinRecheck    = 30 * time.Second
	DefaultProbeTimeout  = 20 * time.Second
)

// Config configures a [Prober]. A zero field means its default; a
// negative interval or time limit is an error from [New].
type Config struct {
	// Client fetches the sample preview; required.
	Client Client
	// Tokens is the live token source whose access token is the last
	// form tried; nil skips that form (guest access).
	Tokens oauth2.TokenSource
	// AllowAccess, when set, is asked before the access token is taken
	// into use (the read-only check); an error keeps it out, and no
	// policy is in force.
	AllowAccess func(ctx context.Context) error
	// Initial is the policy in force until a probe has answered (default
	// embed.URLTokenPreview: the narrowest form current FotoWeb servers
	// are reported to accept).
	Initial embed.URLToken
	// Interval is the time between probes (default 1h); RetryInterval
	// the time after a probe that could not tell (default 1 min).
	Interval, RetryInterval time.Duration
	// MinRecheck is the shortest time between two probes that Recheck
	// asks for (default 30s), so that a burst of refusals makes one.
	MinRecheck time.Duration
	// Timeout bounds one probe (default 20s).
	Timeout time.Duration
	// Logger receives a line whenever the policy changes; nil discards.
	Logger *slog.Logger
	// OnChange, when set, is called with every new state.
	OnChange func(State)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// State is the policy in force and why.
type State struct {
	// Policy is the URL token policy in force.
	Policy embed.URLToken `json:"policy"`
	// Reason says in a sentence why.
	Reason string `json:"reason"`
	// Checked is when a probe last answered; zero before the first.
	Checked time.Time `json:"checked,omitzero"`
	// Sample is the preview the probe fetched (an href without token).
	Sample string `json:"sample,omitempty"`
	// AccessRefused reports that only the access token works and
	// Config.AllowAccess refused it (the reason says why).
	AccessRefused bool `json:"accessRefused,omitempty"`
}

// Prober finds out the narrowest URL token policy the FotoWeb instance
// accepts. It implements embed.URLTokenPolicy. Create it with [New]; it
// is safe for concurrent use.
type Prober struct {
	cfg     Config
	policy  atomic.Int32
	mu      sync.Mutex // guards state and last
	state   State
	last    time.Time // when the last probe started
	failed  bool      // the last probe could not tell
	probing sync.Mutex
	kick    chan struct{}
}

// New returns a Prober in its initial state; call Probe or Run.
func New(cfg Config) (*Prober, error) {
	var errs []error
	if cfg.Client == nil {
		errs = append(errs, errors.New("urltoken: Config.Client is required"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Interval", cfg.Interval}, {"RetryInterval", cfg.RetryInterval}, {"MinRecheck", cfg.MinRecheck}, {"Timeout", cfg.Timeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("urltoken: Config.%s is negative (%v): give 0 for the default, or more", d.name, d.v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Interval, DefaultInterval)
	def(&cfg.RetryInterval, DefaultRetryInterval)
	def(&cfg.MinRecheck, DefaultMinRecheck)
	def(&cfg.Timeout, DefaultProbeTimeout)
	if cfg.Initial == embed.URLTokenUnknown {
		cfg.Initial = embed.URLTokenPreview
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Prober{cfg: cfg, kick: make(chan struct{}, 1)}
	p.state = State{Policy: cfg.Initial, Reason: "not probed yet: " + cfg.Initial.String() + " until FotoWeb has answered a probe"}
	p.policy.Store(int32(cfg.Initial))
	return p, nil
}

// URLToken implements embed.URLTokenPolicy.
func (p *Prober) URLToken() embed.URLToken { return embed.URLToken(p.policy.Load()) }

// State returns the policy in force and why.
func (p *Prober) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Recheck asks for a probe soon (FotoWeb refused a server-side fetch with
// 401 or 403). It does not wait; probes closer together than MinRecheck
// are not made.
func (p *Prober) Recheck() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run probes (at once unless a probe has answered already), then every
// Interval (RetryInterval after a probe that could not tell or found
// nothing that works) and on Recheck, until ctx ends.
func (p *Prober) Run(ctx context.Context) {
	if p.State().Checked.IsZero() {
		p.Probe(ctx)
	}
	for {
		wait := p.cfg.Interval
		if st := p.State(); st.Checked.IsZero() || st.Policy == embed.URLTokenUnknown || p.lastFailed() {
			wait = p.cfg.RetryInterval
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-p.kick:
			t.Stop()
			p.mu.Lock()
			early := p.cfg.Now().Sub(p.last) < p.cfg.MinRecheck
			p.mu.Unlock()
			if early {
				select {
				case <-ctx.Done():
					return
				case <-time.After(p.cfg.MinRecheck):
				}
			}
		}
		p.Probe(ctx)
	}
}

// Probe probes now and returns the resulting state. A probe that cannot
// tell (FotoWeb unreachable, no asset with a preview) keeps the policy in
// force and says so in the reason.
func (p *Prober) Probe(ctx context.Context) State {
	p.probing.Lock()
	defer p.probing.Unlock()
	p.mu.Lock()
	p.last = p.cfg.Now()
	prev := p.state
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(probeContext(ctx), p.cfg.Timeout)
	defer cancel()
	st, err := p.probe(ctx)
	p.mu.Lock()
	p.failed = err != nil
	p.mu.Unlock()
	if err != nil {
		st = prev
		st.Reason = fmt.Sprintf("%s (kept: the last probe could not tell: %v)", baseReason(prev.Reason), err)
	}
	p.set(prev, st)
	return st
}

// lastFailed reports whether the last probe could not tell.
func (p *Prober) lastFailed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// baseReason strips what a failed probe appended to a reason.
func baseReason(r string) string {
	base, _, _ := strings.Cut(r, " (kept: ")
	return base
}

// set installs st and tells about a change.
func (p *Prober) set(prev, st State) {
	p.mu.Lock()
	p.state = st
	p.policy.Store(int32(st.Policy))
	p.mu.Unlock()
	if st.Policy != prev.Policy || prev.Checked.IsZero() && !st.Checked.IsZero() {
		lvl := slog.LevelInfo
		if st.Policy == embed.URLTokenUnknown || st.Policy == embed.URLTokenAccess {
			lvl = slog.LevelWarn
		}
		p.cfg.Logger.Log(context.Background(), lvl, "URL token policy", "policy", st.Policy.String(),
			"previous", prev.Policy.String(), "reason", st.Reason)
	}
	if p.cfg.OnChange != nil {
		p.cfg.OnChange(st)
	}
}
