package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/server"
)

// Report is the outcome of a [Soak].
type Report struct {
	// Config is the soak's configuration, defaults filled in.
	Config SoakConfig
	// Schedule is when the faults came and went.
	Schedule Schedule
	// Start is the process's usage after warming, before the load; End
	// after the load, once settled (or when Config.Settle ran out).
	Start, End Usage
	// Settled is how long goroutines and heap took to return within the
	// slack of Start after the load; -1 when they did not in time.
	Settled time.Duration
	// Events are the faults switched on and off, by offset.
	Events []string
	// Samples are the counters, every sampleEvery.
	Samples []Sample
	// Requests is the number of requests answered (or failed).
	Requests int64
	// Statuses counts answers by class and status.
	Statuses map[string]map[int]int
	// Latency holds p50 and p99 of image answers by class.
	Latency map[string][2]time.Duration
	// Cached5xx counts 5xx answers for assets already cached.
	Cached5xx int
	// DeadTokenRedirects counts redirects after the revocation carrying
	// a token first seen before it; LastDead is the offset of the last.
	DeadTokenRedirects  int
	LastDead, RevokedAt time.Duration
	// Violations are the first broken per-request invariants.
	Violations []string
	// Failures lists every broken invariant; empty when all held.
	Failures []string
}

// Sample is the counters at one moment of the load.
type Sample struct {
	At   time.Duration // offset from the start of the load
	Done int64         // requests answered (or failed)
	// API, Token, Preview and Rest count the requests the fake FotoWeb
	// received: API calls, token requests, preview fetches, the others.
	API, Token, Preview, Rest int
	Stats                     embed.Stats // the resolver's counters
}

// takeSample records the counters at offset t.
func (r *Report) takeSample(t time.Duration, ld *load, fake *Fake, svc *Service) {
	api := fake.CountPrefix("/fotoweb/archives/") + fake.CountPrefix("/fotoweb/me")
	tok := fake.CountPrefix("/fotoweb/oauth2/token")
	pre := fake.CountPrefix("/fotoweb/cache/")
	s := Sample{At: t, Done: ld.done.Load(), API: api, Token: tok, Preview: pre,
		Rest: fake.CountPrefix("/") - api - tok - pre, Stats: svc.Resolver.Stats()}
	r.Samples = append(r.Samples, s)
	if w := r.Config.Progress; w != nil && len(r.Samples) > 4 && len(r.Samples)%4 == 1 {
		p := r.Samples[len(r.Samples)-5]
		secs := (s.At - p.At).Seconds()
		fmt.Fprintf(w, "%5.1fs %-20s %4.0f req/s, upstream %4.0f/s (api %d, token %d, preview %d)\n", t.Seconds(),
			r.Schedule.phaseOf(p.At), float64(s.Done-p.Done)/secs, float64(s.API+s.Token+s.Preview+s.Rest-p.API-p.Token-p.Preview-p.Rest)/secs,
			s.API-p.API, s.Token-p.Token, s.Preview-p.Preview)
	}
}

// event records a fault switched on or off.
func (r *Report) event(t time.Duration, what string) {
	r.Events = append(r.Events, fmt.Sprintf("%.1fs %s", t.Seconds(), what))
	if w := r.Config.Progress; w != nil {
		fmt.Fprintf(w, "%5.1fs -- %s\n", t.Seconds(), what)
	}
}

// Upper bounds the soak checks upstream work against.
const (
	// callsPerFetch: one fetch makes at most MaxAttempts (4) attempts,
	// plus one after a 401 with a new token.
	callsPerFetch = 5
)

// finish copies the observations and checks the invariants.
func (r *Report) finish(ld *load, fake *Fake, svc *Service) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	r.Requests = ld.done.Load()
	r.Statuses, r.Latency = map[string]map[int]int{}, map[string][2]time.Duration{}
	for c := range numClasses {
		r.Statuses[classNames[c]] = ld.statuses[c]
		if l := ld.latency[c]; len(l) > 0 {
			slices.Sort(l)
			r.Latency[classNames[c]] = [2]time.Duration{l[len(l)/2], l[len(l)*99/100]}
		}
	}
	r.Cached5xx, r.Violations = ld.cached5xx, ld.violations
	r.DeadTokenRedirects, r.LastDead, r.RevokedAt = ld.deadTokens, ld.lastDead, ld.revokedAt
	fail := func(format string, args ...any) { r.Failures = append(r.Failures, fmt.Sprintf(format, args...)) }
	if r.Cached5xx > 0 {
		fail("%d answers were 5xx for assets already cached", r.Cached5xx)
	}
	if n := ld.nViolation - ld.cached5xx; n > 0 {
		fail("%d answers had a status the design does not give them, or none (%d)", n, ld.transport)
	}
	first, last := r.Samples[0], r.Samples[len(r.Samples)-1]
	fetches := last.Stats.Fetches - first.Stats.Fetches
	api, tok, pre := last.API-first.API, last.Token-first.Token, last.Preview-first.Preview
	if bound := callsPerFetch*int(fetches) + pre; api > bound {
		fail("retry storm: %d API calls for %d fetches (at most %d per fetch)", api, fetches, callsPerFetch)
	}
	keys := len(ld.okSince) + len(ld.targets[classUnknown])
	refreshes := int(r.Config.Duration/r.Config.CacheTTL) + 2
	if int(fetches) > keys*refreshes {
		fail("no coalescing: %d fetches for %d assets (at most %d each with a TTL of %s)", fetches, keys, refreshes, r.Config.CacheTTL)
	}
	if tok > api+pre+10 {
		fail("token storm: %d token requests for %d API and %d preview calls", tok, api, pre)
	}
	if r.Settled < 0 {
		fail("goroutines %d→%d or heap in use %s→%s did not return within %s of their start (slack %d goroutines, %s)",
			r.Start.Goroutines, r.End.Goroutines, mb(r.Start.HeapInuse), mb(r.End.HeapInuse), r.Config.Settle, goroutineSlack, mb(heapSlack))
	}
}

// mb formats bytes in MiB.
func mb(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// phaseRates returns, per phase, requests and upstream calls per second.
func (r *Report) phaseRates() map[string][4]float64 {
	type acc struct {
		secs                     float64
		req, api, token, preview int
	}
	by := map[string]*acc{}
	for i := 1; i < len(r.Samples); i++ {
		p, s := r.Samples[i-1], r.Samples[i]
		ph := r.Schedule.phaseOf(p.At + (s.At-p.At)/2)
		a := by[ph]
		if a == nil {
			a = &acc{}
			by[ph] = a
		}
		a.secs += (s.At - p.At).Seconds()
		a.req += int(s.Done - p.Done)
		a.api += s.API - p.API + s.Rest - p.Rest
		a.token += s.Token - p.Token
		a.preview += s.Preview - p.Preview
	}
	out := map[string][4]float64{}
	for ph, a := range by {
		if a.secs > 0 {
			out[ph] = [4]float64{float64(a.req) / a.secs, float64(a.api) / a.secs, float64(a.token) / a.secs, float64(a.preview) / a.secs}
		}
	}
	return out
}

// Write prints the report in Markdown.
func (r *Report) Write(w io.Writer) {
	c := r.Config
	sch := r.Schedule
	fmt.Fprintf(w, "### Fault soak: %s delivery, %s token, %s at %d req/s\n\n", deliveryName(c), c.Auth, c.Duration, c.Rate)
	fmt.Fprintf(w, "Faults from %s to %s: 5%% 500 on the API, 20%% +700 ms latency (Folder 19), 10%% connection resets (Landscapes),\n"+
		"10%% 429 with Retry-After: 1 (Synthetic), 100%% 502 (Nordic)%s; access tokens revoked at %s; token endpoint down\n"+
		"from %s to %s. Cache TTL and error back-off %s; the fake's tokens live %s. Events: %s.\n\n",
		sch.FaultsOn, sch.FaultsOff, map[bool]string{true: ", 2% 503 on previews", false: ""}[c.Delivery == server.DeliveryProxy],
		sch.Revoke, sch.OutageStart, sch.OutageEnd, c.CacheTTL, tokenLifetime(c), strings.Join(r.Events, "; "))
	rates := r.phaseRates()
	fmt.Fprintln(w, "| Phase | requests/s | upstream API calls/s | token requests/s | preview fetches/s | upstream calls per request |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, ph := range phases {
		v, ok := rates[ph]
		if !ok {
			continue
		}
		per := 0.0
		if v[0] > 0 {
			per = (v[1] + v[2] + v[3]) / v[0]
		}
		fmt.Fprintf(w, "| %s | %.0f | %.1f | %.1f | %.1f | %.3f |\n", ph, v[0], v[1], v[2], v[3], per)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Request class | answers | statuses | p50 / p99 of image answers |")
	fmt.Fprintln(w, "|---|---:|---|---:|")
	for cl := range numClasses {
		name := classNames[cl]
		st := r.Statuses[name]
		n := 0
		var parts []string
		codes := make([]int, 0, len(st))
		for code := range st {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			n += st[code]
			parts = append(parts, fmt.Sprintf("%d×%d", st[code], code))
		}
		lat := "–"
		if l, ok := r.Latency[name]; ok {
			lat = fmt.Sprintf("%s / %s", l[0].Round(10*time.Microsecond), l[1].Round(10*time.Microsecond))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", name, n, strings.Join(parts, ", "), lat)
	}
	first, last := r.Samples[0], r.Samples[len(r.Samples)-1]
	st := last.Stats
	fmt.Fprintf(w, "\nUpstream: %d API calls for %d coalesced fetches, %d token requests, %d preview fetches; resolver: %d hits, %d stale serves, %d upstream errors.\n",
		last.API-first.API+last.Rest-first.Rest, st.Fetches-first.Stats.Fetches, last.Token-first.Token, last.Preview-first.Preview,
		st.Hits-first.Stats.Hits, st.StaleServes-first.Stats.StaleServes, st.UpstreamErrors-first.Stats.UpstreamErrors)
	if r.RevokedAt > 0 {
		fmt.Fprintf(w, "Redirects carrying a revoked token: %d", r.DeadTokenRedirects)
		if r.DeadTokenRedirects > 0 {
			fmt.Fprintf(w, ", the last %s after the revocation", (r.LastDead - r.RevokedAt).Round(time.Millisecond))
		}
		fmt.Fprintln(w, " (fotoembed learns of a revocation from FotoWeb's next 401).")
	}
	settled := "did not return in time"
	if r.Settled >= 0 {
		settled = fmt.Sprintf("back within the slack %s after the load", r.Settled.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "Goroutines %d → %d, heap in use %s → %s, RSS %s → %s: %s.\n\n",
		r.Start.Goroutines, r.End.Goroutines, mb(r.Start.HeapInuse), mb(r.End.HeapInuse), mb(r.Start.RSS), mb(r.End.RSS), settled)
	if len(r.Failures) == 0 {
		fmt.Fprintf(w, "All invariants held over %d requests: no 5xx for cached assets, every status as designed, "+
			"at most %d upstream calls per fetch, goroutines and memory back to their start.\n", r.Requests, callsPerFetch)
		return
	}
	fmt.Fprintln(w, "INVARIANTS BROKEN:")
	for _, f := range r.Failures {
		fmt.Fprintln(w, "- "+f)
	}
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  - e.g. "+v)
	}
}

// deliveryName names the soak's delivery.
func deliveryName(c SoakConfig) string { return c.Delivery.String() }
