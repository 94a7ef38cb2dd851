package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/server"
)

// SoakConfig configures [Soak]. Zero values mean the defaults.
type SoakConfig struct {
	// Duration is how long the load runs (default 60s).
	Duration time.Duration
	// Rate is the steady request rate, open loop (default 300 per second).
	Rate int
	// Delivery of the service under test (default redirect).
	Delivery server.Delivery
	// Auth of the service under test (default AuthUser).
	Auth Auth
	// Outage is how long the token endpoint is down (default 10s, at most
	// a sixth of Duration).
	Outage time.Duration
	// CacheTTL is the resolver's TTL, and its error back-off (default
	// Duration/12 within 1s..5m), short so that cached entries are
	// refreshed, and so meet the faults, during the soak.
	CacheTTL time.Duration
	// ColdAssets is the number of assets first requested during the load
	// (default 300).
	ColdAssets int
	// Settle bounds the wait for goroutines and memory to return to
	// their starting level once the load stops (default 10s).
	Settle time.Duration
	// Progress receives a line per second while the load runs; nil is quiet.
	Progress io.Writer
}

// withDefaults fills the zero fields.
func (c SoakConfig) withDefaults() SoakConfig {
	if c.Duration <= 0 {
		c.Duration = time.Minute
	}
	if c.Rate <= 0 {
		c.Rate = 300
	}
	if c.Auth == "" {
		c.Auth = AuthUser
	}
	if c.Outage <= 0 {
		c.Outage = 10 * time.Second
	}
	c.Outage = min(c.Outage, c.Duration/6)
	if c.CacheTTL <= 0 {
		c.CacheTTL = min(max(c.Duration/12, time.Second), 5*time.Minute)
	}
	if c.ColdAssets <= 0 {
		c.ColdAssets = 300
	}
	if c.Settle <= 0 {
		c.Settle = 10 * time.Second
	}
	return c
}

// Schedule is when the soak does what, as offsets from the start of the
// load: faults on and off, the token revocation, the token endpoint's
// outage, the end of the load.
type Schedule struct {
	FaultsOn, Revoke, OutageStart, OutageEnd, FaultsOff, End time.Duration
}

// newSchedule places the events: faults from 10% to 90% of the run; the
// token revocation at 15%; the token endpoint outage centred on the
// moment the token obtained after the revocation is due for replacing
// (half its lifetime), so that the outage meets refreshes that must fail
// without harm (but no later than the faults).
func newSchedule(c SoakConfig) Schedule {
	d := c.Duration
	s := Schedule{FaultsOn: d / 10, Revoke: d * 15 / 100, FaultsOff: d * 9 / 10, End: d}
	s.OutageStart = s.Revoke + tokenLifetime(c)/2 - c.Outage/2
	if s.OutageStart+c.Outage > s.FaultsOff {
		s.OutageStart = s.FaultsOff - c.Outage
	}
	s.OutageEnd = s.OutageStart + c.Outage
	return s
}

// tokenFallbackSlack is fotoweb/tokens' fallbackSlack: a token due for
// replacing is still handed out while the endpoint fails, until this
// long before it expires.
const tokenFallbackSlack = 5 * time.Second

// tokenLifetime is the fake's access-token lifetime in the soak: a token
// is due for replacing at half its life, and this leaves it usable for
// the whole outage after that, as a real token (hours) would be.
func tokenLifetime(c SoakConfig) time.Duration { return 2*(c.Outage+tokenFallbackSlack) + c.Outage }

// phaseOf names the phase of the load at offset t.
func (s Schedule) phaseOf(t time.Duration) string {
	switch {
	case t < s.FaultsOn:
		return "clean"
	case t >= s.OutageStart && t < s.OutageEnd:
		return "faults+token outage"
	case t < s.FaultsOff:
		return "faults"
	}
	return "recovery"
}

// phases are the phase names in order.
var phases = []string{"clean", "faults", "faults+token outage", "recovery"}

// faults are the faults injected from faultsOn to faultsOff: 5% 5xx on
// the whole API, and on parts of it latency spikes, connection resets,
// 429 with Retry-After, and one folder failing every time (so that only
// stale-if-error can answer for its assets). In proxy delivery previews
// answer 503 2% of the time.
func faults(proxy bool) map[string]fotowebtest.Fault {
	const photos = "/fotoweb/archives/5001-Photos/"
	f := map[string]fotowebtest.Fault{
		"/fotoweb/archives/":   {Status: http.StatusInternalServerError, Rate: 0.05},
		photos + "Folder 19/":  {Latency: 700 * time.Millisecond, Rate: 0.2},
		photos + "Landscapes/": {Reset: true, Rate: 0.1},
		photos + "Synthetic/":  {Status: http.StatusTooManyRequests, RetryAfter: time.Second, Rate: 0.1},
		photos + "Nordic/":     {Status: http.StatusBadGateway}, // every time: only stale-if-error helps
	}
	if proxy {
		f["/fotoweb/cache/"] = fotowebtest.Fault{Status: http.StatusServiceUnavailable, Rate: 0.02}
	}
	return f
}

// Soak starts the fake and the service in this process, warms the cache,
// drives steady load while injecting faults, then checks that the
// service held its invariants. The report is returned even when an
// invariant broke (Report.Failures); the error is for a soak that could
// not run at all.
func Soak(ctx context.Context, cfg SoakConfig) (*Report, error) {
	cfg = cfg.withDefaults()
	sch := newSchedule(cfg)
	fake, err := StartFake("", fotowebtest.Options{ExtraAssets: cfg.ColdAssets + 10, AccessTokenLifetime: tokenLifetime(cfg)})
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	// Idle connections to FotoWeb expire after a second instead of 90, so
	// that the goroutines they hold are gone when the check looks.
	tr := fotoweb.NewTransport()
	tr.IdleConnTimeout = time.Second
	svc, err := StartService(ctx, ServiceConfig{FotoWebURL: fake.URL, Auth: cfg.Auth, Delivery: cfg.Delivery,
		CacheTTL: cfg.CacheTTL, ErrorBackoff: cfg.CacheTTL, Transport: tr})
	if err != nil {
		return nil, err
	}
	defer svc.Close()
	ld, err := newLoad(ctx, cfg, fake, svc)
	if err != nil {
		return nil, err
	}
	time.Sleep(tr.IdleConnTimeout + 200*time.Millisecond) // the warm-up's idle connections go
	start := baseline()
	rep := &Report{Config: cfg, Schedule: sch, Start: start}
	ld.run(ctx, sch, func(t time.Duration) { rep.takeSample(t, ld, fake, svc) }, func(ev string) { rep.event(ld.since(), ev) })
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	ld.client.CloseIdleConnections()
	rep.End, rep.Settled = settle(start, cfg.Settle)
	rep.finish(ld, fake, svc)
	return rep, nil
}

// Usage is the process's goroutines and memory at one moment.
type Usage struct {
	Goroutines int
	HeapInuse  uint64 // bytes, runtime.MemStats.HeapInuse after a GC
	RSS        uint64 // bytes; 0 when /proc is not there
}

// baseline measures usage after a GC.
func baseline() Usage {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, _ := ReadRSS()
	return Usage{Goroutines: runtime.NumGoroutine(), HeapInuse: ms.HeapInuse, RSS: rss}
}

// Slack allowed when comparing the end of a soak with its start.
const (
	goroutineSlack = 4
	heapSlack      = 16 << 20
)

// settle polls until goroutines and heap are back within the slack of
// start, or d passes; it returns the last measurement and how long it
// took (-1 when they never got there).
func settle(start Usage, d time.Duration) (Usage, time.Duration) {
	t0 := time.Now()
	for {
		u := baseline()
		if u.Goroutines <= start.Goroutines+goroutineSlack && u.HeapInuse <= start.HeapInuse+heapSlack {
			return u, time.Since(t0)
		}
		if time.Since(t0) > d {
			return u, -1
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// errSoakFailed reports a soak whose invariants broke.
var errSoakFailed = errors.New("bench: soak invariants broken")

// Err returns nil when every invariant held, or an error listing the
// broken ones.
func (r *Report) Err() error {
	if len(r.Failures) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %v", errSoakFailed, r.Failures)
}
