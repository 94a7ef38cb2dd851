package purge

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// failing answers status the first n times, then 200.
func failing(n, status int, hdr ...string) func(int, http.ResponseWriter) {
	return func(i int, w http.ResponseWriter) {
		if i <= n {
			for k := 0; k+1 < len(hdr); k += 2 {
				w.Header().Set(hdr[k], hdr[k+1])
			}
			w.WriteHeader(status)
			io.WriteString(w, "try later; your key "+testFastlyToken+" is fine")
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	}
}

func TestRetryThenOK(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 429, 408} {
		s := newStandIn(t, "", failing(2, status))
		p, logs := newTestPurger(t, Config{Fastly: &FastlyConfig{ServiceID: "s", Token: testFastlyToken, BaseURL: s.URL}})
		p.Purge(testAsset, "modified")
		waitCount(t, p, "fastly", "ok", 1)
		if r, f := p.Count("fastly", "retry"), p.Count("fastly", "failed"); r != 2 || f != 0 || s.count() != 3 {
			t.Errorf("status %d: retry %d failed %d requests %d, want 2 0 3", status, r, f, s.count())
		}
		if strings.Contains(logs.String(), testFastlyToken) {
			t.Errorf("token logged: %s", logs)
		}
	}
}

// TestGiveUp: a transient failure is tried MaxAttempts times, a
// permanent one once; the failure is logged without secrets.
func TestGiveUp(t *testing.T) {
	for _, tc := range []struct {
		status   int
		attempts int
	}{{500, 3}, {400, 1}, {401, 1}, {404, 1}} {
		s := newStandIn(t, "", failing(100, tc.status))
		p, logs := newTestPurger(t, Config{Fastly: &FastlyConfig{ServiceID: "s", Token: testFastlyToken, BaseURL: s.URL}, MaxAttempts: 3})
		p.Purge(testAsset, "deleted")
		waitCount(t, p, "fastly", "failed", 1)
		if n := s.count(); n != tc.attempts {
			t.Errorf("status %d: %d attempts, want %d", tc.status, n, tc.attempts)
		}
		if r := p.Count("fastly", "retry"); r != uint64(tc.attempts-1) {
			t.Errorf("status %d: %d retries, want %d", tc.status, r, tc.attempts-1)
		}
		l := logs.String()
		if !strings.Contains(l, "purge failed") || !strings.Contains(l, testTag) || strings.Contains(l, testFastlyToken) {
			t.Errorf("status %d: log %s", tc.status, l)
		}
	}
}

// TestRetryAfter: the wait after a 429 or 503 is at least its
// Retry-After; a Retry-After beyond MaxRetryAfter ends the attempts.
func TestRetryAfter(t *testing.T) {
	s := newStandIn(t, "", failing(1, http.StatusTooManyRequests, "Retry-After", "1"))
	p, _ := newTestPurger(t, Config{Fastly: &FastlyConfig{ServiceID: "s", Token: testFastlyToken, BaseURL: s.URL}})
	start := time.Now()
	p.Purge(testAsset, "modified")
	waitCount(t, p, "fastly", "ok", 1)
	if el := time.Since(start); el < time.Second {
		t.Errorf("second attempt after %v, before Retry-After: 1", el)
	}

	s2 := newStandIn(t, "", failing(100, http.StatusServiceUnavailable, "Retry-After", "3600"))
	p2, _ := newTestPurger(t, Config{Fastly: &FastlyConfig{ServiceID: "s", Token: testFastlyToken, BaseURL: s2.URL}, MaxRetryAfter: time.Minute})
	p2.Purge(testAsset, "modified")
	waitCount(t, p2, "fastly", "failed", 1)
	if n := s2.count(); n != 1 {
		t.Errorf("%d attempts despite Retry-After: 3600, want 1", n)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "-3": 0, "junk": 0, "120": 2 * time.Minute,
		"Fri, 01 May 2026 12:00:30 GMT": 30 * time.Second, "Fri, 01 May 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	p := &Purger{cfg: Config{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 80: time.Second} {
		for range 50 {
			if d := p.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

// blocker is a stand-in answer that holds every request until release
// and reports each arrival.
type blocker struct {
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

// newBlocker returns a blocker and its stand-in; the blocker opens at
// cleanup, before the stand-in closes.
func newBlocker(t *testing.T) (*blocker, *standIn) {
	b := &blocker{arrived: make(chan struct{}, 100), release: make(chan struct{})}
	s := newStandIn(t, "", b.answer)
	t.Cleanup(b.open)
	return b, s
}

func (b *blocker) open() { b.once.Do(func() { close(b.release) }) }

func (b *blocker) answer(int, http.ResponseWriter) {
	b.arrived <- struct{}{}
	<-b.release
}

// TestQueueFull: with the one worker busy and the queue full, Purge
// returns at once and the purge is dropped, counted and logged once per
// interval.
func TestQueueFull(t *testing.T) {
	b, s := newBlocker(t)
	p, logs := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{s.URL}}, Workers: 1, QueueSize: 1})
	p.Purge(testAsset, "modified")
	<-b.arrived // the worker is busy
	p.Purge(testAsset+"2", "modified")
	p.Purge(testAsset+"3", "modified")
	p.Purge(testAsset+"4", "modified")
	if d := p.Count("varnish", "dropped"); d != 2 {
		t.Errorf("dropped %d, want 2", d)
	}
	if n := strings.Count(logs.String(), "queue full"); n != 1 {
		t.Errorf("%d queue-full warnings, want 1 (rate-limited):\n%s", n, logs)
	}
	b.open()
	waitCount(t, p, "varnish", "ok", 2)
}

// TestCloseDrains: Close sends what is queued.
func TestCloseDrains(t *testing.T) {
	s := newStandIn(t, "", nil)
	p, _ := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{s.URL}}, Workers: 2})
	for i := range 20 {
		p.Purge(testAsset+string(rune('a'+i)), "modified")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if ok := p.Count("varnish", "ok"); ok != 20 || s.count() != 20 {
		t.Errorf("after Close: ok %d, requests %d, want 20", ok, s.count())
	}
	p.Purge(testAsset, "modified")
	if d := p.Count("varnish", "dropped"); d != 1 {
		t.Errorf("purge after Close: dropped %d, want 1", d)
	}
}

// TestCloseGivesUp: a backend that never answers does not hold Close
// beyond CloseTimeout; in-flight purges count as failed, queued ones as
// dropped.
func TestCloseGivesUp(t *testing.T) {
	b, s := newBlocker(t)
	p, _ := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{s.URL}}, Workers: 1, CloseTimeout: 50 * time.Millisecond})
	p.Purge(testAsset, "modified")
	<-b.arrived
	p.Purge(testAsset+"2", "modified")
	p.Purge(testAsset+"3", "modified")
	err := p.Close()
	if err == nil || !strings.Contains(err.Error(), "purge: gave up") {
		t.Fatalf("Close: %v", err)
	}
	if f, d := p.Count("varnish", "failed"), p.Count("varnish", "dropped"); f != 1 || d != 2 {
		t.Errorf("failed %d dropped %d, want 1 and 2", f, d)
	}
	if err2 := p.Close(); err2 != err {
		t.Errorf("second Close: %v", err2)
	}
}

// memOnce is an in-memory Config.Once shared by "replicas".
type memOnce struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (m *memOnce) once(_ context.Context, key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]bool{}
	}
	if m.keys[key] {
		return false
	}
	m.keys[key] = true
	return true
}

// TestOnceAcrossReplicas: two purgers told of the same changes send one
// purge per change; a later bucket is a new change.
func TestOnceAcrossReplicas(t *testing.T) {
	s := newStandIn(t, "", nil)
	m := &memOnce{}
	clock := testutil.NewClock(time.Date(2026, 5, 1, 12, 0, 1, 0, time.UTC))
	cfg := Config{Varnish: &VarnishConfig{URLs: []string{s.URL}}, Once: m.once, Now: clock.Now}
	a, _ := newTestPurger(t, cfg)
	b, _ := newTestPurger(t, cfg)
	for _, p := range []*Purger{a, b} {
		p.Purge(testAsset, "modified")
		p.Purge(testAsset, "modified") // a second change, in the same bucket
		p.Purge(testAsset, "deleted")
	}
	testutil.WaitFor(t, 20*time.Second, "every purge sent or skipped", func() bool {
		n := func(p *Purger) uint64 { return p.Count("varnish", "ok") + p.Count("varnish", "skipped") }
		return n(a) == 3 && n(b) == 3
	})
	if got := a.Count("varnish", "ok") + b.Count("varnish", "ok"); got != 3 || s.count() != 3 {
		t.Errorf("%d purges sent (%d requests), want 3: one per change", got, s.count())
	}
	clock.Advance(DefaultOnceWindow)
	// Read the count before the purge: its worker may send it before the
	// argument below would be evaluated.
	before := b.Count("varnish", "ok")
	b.Purge(testAsset, "modified")
	waitCount(t, b, "varnish", "ok", before+1)
	if len(m.keys) != 4 {
		t.Errorf("Once keys %v", m.keys)
	}
	for k := range m.keys {
		if !strings.HasPrefix(k, "purge:"+testTag+":") {
			t.Errorf("Once key %q does not start with purge:<tag>:", k)
		}
	}
}

// TestMetrics: the purger is a Prometheus collector of
// fotoembed_purges_total by backend and outcome.
func TestMetrics(t *testing.T) {
	s := newStandIn(t, "", nil)
	cf := newStandIn(t, `{"success":true}`, nil)
	p, _ := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{s.URL}}, Cloudflare: &CloudflareConfig{ZoneID: "z", Token: testCFToken, BaseURL: cf.URL}})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(p)
	p.Purge(testAsset, "modified")
	waitCount(t, p, "varnish", "ok", 1)
	waitCount(t, p, "cloudflare", "ok", 1)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := 0
	for _, mf := range mfs {
		if mf.GetName() == "fotoembed_purge_queue_length" && mf.GetMetric()[0].GetGauge().GetValue() != 0 {
			t.Errorf("queue length %v, want 0", mf.GetMetric()[0].GetGauge().GetValue())
		}
		if mf.GetName() != "fotoembed_purges_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			series++
			lb := map[string]string{}
			for _, l := range m.GetLabel() {
				lb[l.GetName()] = l.GetValue()
			}
			want := 0.0
			if lb["outcome"] == "ok" {
				want = 1
			}
			if v := m.GetCounter().GetValue(); v != want {
				t.Errorf("%v = %v, want %v", lb, v, want)
			}
		}
	}
	if series != 10 {
		t.Errorf("%d series of fotoembed_purges_total, want 2 backends x 5 outcomes", series)
	}
}
