package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// MissConfig configures [MeasureMiss].
type MissConfig struct {
	// Latency is what the fake FotoWeb adds before answering each request
	// (default 20 ms).
	Latency time.Duration
	// Requests is the number of cache misses measured (default 200).
	Requests int
}

// MissReport is what [MeasureMiss] measured: quantiles over the
// requests of the whole request (as the client saw it), of FotoWeb's
// answers to the service (summed per request, from sending the request
// to the end of the answer's body), and of the difference, the service's
// own time (which includes the loopback hop from the client).
type MissReport struct {
	Latency  time.Duration
	Requests int
	// Upstream is the number of FotoWeb requests the misses made.
	Upstream int
	// Total, FotoWeb and Own are p50, p90 and p99.
	Total, FotoWeb, Own [3]time.Duration
	// Hit is the p50 of a signed redirect at a warm cache measured the
	// same way (the service's time with FotoWeb out of the way).
	Hit time.Duration
}

// String formats the report as lines of text.
func (r MissReport) String() string {
	q := func(d [3]time.Duration) string {
		return fmt.Sprintf("p50 %7.0f µs  p90 %7.0f µs  p99 %7.0f µs", us(d[0]), us(d[1]), us(d[2]))
	}
	return fmt.Sprintf("cache misses: %d requests, FotoWeb latency %v added, %d FotoWeb requests\n"+
		"  whole request    %s\n  FotoWeb answers  %s\n  fotoembed's own  %s\n"+
		"  (a warm-cache redirect, the same way: p50 %.0f µs)\n",
		r.Requests, r.Latency, r.Upstream, q(r.Total), q(r.FotoWeb), q(r.Own), us(r.Hit))
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// MeasureMiss measures what a cache miss costs on top of FotoWeb's
// answer: it starts the fake FotoWeb adding cfg.Latency to every answer
// and the service (redirect delivery, as `fotoembed serve` wires it, its
// access log at info, discarded), then sends, one at
// a time, signed image requests for assets whose cache entry was dropped
// just before, timing each as a client and timing the service's requests
// to FotoWeb as the service's transport sees them.
func MeasureMiss(ctx context.Context, cfg MissConfig) (MissReport, error) {
	if cfg.Latency <= 0 {
		cfg.Latency = 20 * time.Millisecond
	}
	if cfg.Requests <= 0 {
		cfg.Requests = 200
	}
	rep := MissReport{Latency: cfg.Latency, Requests: cfg.Requests}
	fake, err := StartFake("", fotowebtest.Options{})
	if err != nil {
		return rep, err
	}
	defer fake.Close()
	up := &upstreamTimer{}
	s, err := StartService(ctx, ServiceConfig{FotoWebURL: fake.URL,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { up.rt = rt; return up }})
	if err != nil {
		return rep, err
	}
	defer s.Close()
	paths := make([]string, len(WarmAssets))
	for i, href := range WarmAssets {
		paths[i] = s.Signer.Sign(urlsig.Options{Width: 400}, href, ".jpg")
	}
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	get := func(path string) (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(start)
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), fake.URL+"/") {
			return 0, fmt.Errorf("bench: %s: status %d, want 302 to FotoWeb", path, res.StatusCode)
		}
		return d, nil
	}
	// Warm everything (connections, token, first-use costs) at no latency.
	for _, p := range paths {
		if _, err := get(p); err != nil {
			return rep, err
		}
	}
	hits := make([]time.Duration, 0, 100)
	for i := range cap(hits) {
		d, err := get(paths[i%len(paths)])
		if err != nil {
			return rep, err
		}
		hits = append(hits, d)
	}
	rep.Hit = quantiles(hits)[0]

	fake.SetFault("/fotoweb/", fotowebtest.Fault{Latency: cfg.Latency})
	defer fake.ClearFaults()
	var total, fw, own []time.Duration
	for i := range cfg.Requests {
		href := WarmAssets[i%len(WarmAssets)]
		if err := s.Resolver.Invalidate(ctx, href); err != nil {
			return rep, err
		}
		up.reset()
		d, err := get(paths[i%len(paths)])
		if err != nil {
			return rep, err
		}
		n, f := up.sum()
		if n == 0 {
			return rep, fmt.Errorf("bench: request %d made no FotoWeb request: not a cache miss", i)
		}
		rep.Upstream += n
		total, fw, own = append(total, d), append(fw, f), append(own, d-f)
	}
	rep.Total, rep.FotoWeb, rep.Own = quantiles(total), quantiles(fw), quantiles(own)
	return rep, nil
}

// quantiles returns the p50, p90 and p99 of ds (sorted in place).
func quantiles(ds []time.Duration) [3]time.Duration {
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return [3]time.Duration{at(0.5), at(0.9), at(0.99)}
}

// upstreamTimer is a RoundTripper that adds up, between resets, the
// number of requests and the time from sending each until its answer's
// body is read to its end or closed.
type upstreamTimer struct {
	rt  http.RoundTripper
	mu  sync.Mutex
	n   int
	tot time.Duration
}

func (u *upstreamTimer) reset() {
	u.mu.Lock()
	u.n, u.tot = 0, 0
	u.mu.Unlock()
}

func (u *upstreamTimer) sum() (int, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n, u.tot
}

func (u *upstreamTimer) add(start time.Time) {
	d := time.Since(start)
	u.mu.Lock()
	u.n++
	u.tot += d
	u.mu.Unlock()
}

// RoundTrip implements http.RoundTripper.
func (u *upstreamTimer) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := u.rt.RoundTrip(req)
	if err != nil {
		u.add(start)
		return nil, err
	}
	res.Body = &timedBody{ReadCloser: res.Body, done: func() { u.add(start) }}
	return res, nil
}

// timedBody calls done once, at the end of the body or at Close.
type timedBody struct {
	io.ReadCloser
	done func()
	once sync.Once
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.once.Do(b.done)
	return b.ReadCloser.Close()
}
