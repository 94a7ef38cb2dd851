package fotowebtest

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// faultSet holds injected faults and the seeded source for Rate.
type faultSet struct {
	mu     sync.Mutex
	byPref map[string]*faultState
	rng    *rand.Rand
}

type faultState struct {
	Fault
	left int // remaining applications when Times > 0
}

func (s *faultSet) init() {
	s.byPref = make(map[string]*faultState)
	s.rng = rand.New(rand.NewPCG(5001, 5002))
}

// SetFault injects fault on paths starting with prefix (escaped, as in an
// href, or not; query ignored), replacing an earlier fault on the same prefix. When several
// prefixes match, the longest wins. Times counts the requests the fault
// was applied to (a Rate miss does not count); the fault is removed after
// the last. Rate decisions use a seeded source, so a run is repeatable for
// a given request order.
func (f *Fake) SetFault(prefix string, fault Fault) {
	prefix = decoded(prefix)
	f.faults.mu.Lock()
	f.faults.byPref[prefix] = &faultState{Fault: fault, left: fault.Times}
	f.faults.mu.Unlock()
}

// ClearFaults removes every injected fault.
func (f *Fake) ClearFaults() {
	f.faults.mu.Lock()
	clear(f.faults.byPref)
	f.faults.mu.Unlock()
}

// pick returns the fault to apply to path, if any, consuming one of its
// Times.
func (s *faultSet) pick(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := ""
	var st *faultState
	for p, fs := range s.byPref {
		if strings.HasPrefix(path, p) && (st == nil || len(p) > len(best)) {
			best, st = p, fs
		}
	}
	if st == nil {
		return nil
	}
	if st.Rate > 0 && st.Rate < 1 && s.rng.Float64() >= st.Rate {
		return nil
	}
	if st.Times > 0 {
		st.left--
		if st.left <= 0 {
			delete(s.byPref, best)
		}
	}
	ft := st.Fault
	return &ft
}

// applyFault applies a matching fault. It reports whether the request
// was answered (or the connection dropped).
func (f *Fake) applyFault(w http.ResponseWriter, r *http.Request) bool {
	ft := f.faults.pick(r.URL.Path)
	if ft == nil {
		return false
	}
	if ft.Latency > 0 {
		t := time.NewTimer(ft.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if ft.Hang != nil {
		f.logf("fotowebtest: %s %s -> hanging (fault)", r.Method, r.URL.Path)
		select {
		case <-ft.Hang:
		case <-r.Context().Done():
			return true
		}
	}
	if ft.Reset {
		f.logf("fotowebtest: %s %s -> connection reset (fault)", r.Method, r.URL.Path)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // RST instead of FIN
			}
			conn.Close()
			return true
		}
		panic(http.ErrAbortHandler)
	}
	if ft.Status == 0 {
		return false
	}
	if ft.RetryAfter > 0 && (ft.Status == http.StatusTooManyRequests || ft.Status == http.StatusServiceUnavailable) {
		secs := int((ft.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	f.logf("fotowebtest: %s %s -> %d (fault)", r.Method, r.URL.Path, ft.Status)
	writeError(w, r, ft.Status, strconv.Itoa(ft.Status)+" "+http.StatusText(ft.Status)+" (injected fault)")
	return true
}

// counters counts requests per exact path, token requests per grant,
// EXPORT requests that created an export and the requests in flight.
type counters struct {
	mu       sync.Mutex
	paths    map[string]int
	grants   map[string]int
	tokens   int
	exports  int
	inflight atomic.Int64 // requests in ServeHTTP
}

func (c *counters) init() {
	c.paths = make(map[string]int)
	c.grants = make(map[string]int)
}

func (c *counters) hit(path string) {
	c.mu.Lock()
	c.paths[path]++
	c.mu.Unlock()
}

func (c *counters) token(grant string) {
	c.mu.Lock()
	c.tokens++
	if grant != "" {
		c.grants[grant]++
	}
	c.mu.Unlock()
}

// decoded unescapes an href so counts match however the client escaped it.
func decoded(p string) string {
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// Count returns how many requests reached the exact path (query ignored),
// faulted ones included. The path may be given escaped (an href) or not.
func (f *Fake) Count(path string) int {
	f.counts.mu.Lock()
	defer f.counts.mu.Unlock()
	return f.counts.paths[decoded(path)]
}

// CountPrefix returns how many requests reached paths with this prefix
// (escaped or not).
func (f *Fake) CountPrefix(prefix string) int {
	prefix = decoded(prefix)
	f.counts.mu.Lock()
	defer f.counts.mu.Unlock()
	n := 0
	for p, c := range f.counts.paths {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// CountDistinctPrefix returns how many distinct paths with this prefix
// (escaped or not) were requested, each counted once however often it
// was requested: a request its client retried counts once.
func (f *Fake) CountDistinctPrefix(prefix string) int {
	prefix = decoded(prefix)
	f.counts.mu.Lock()
	defer f.counts.mu.Unlock()
	n := 0
	for p := range f.counts.paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

// InFlight returns how many requests the fake is handling now (held by
// a Latency or Hang fault, or being answered).
func (f *Fake) InFlight() int { return int(f.counts.inflight.Load()) }

// TokenRequests returns how many token-endpoint requests used grant
// ("client_credentials", "authorization_code", "refresh_token"; "" = all,
// including malformed ones).
func (f *Fake) TokenRequests(grant string) int {
	f.counts.mu.Lock()
	defer f.counts.mu.Unlock()
	if grant == "" {
		return f.counts.tokens
	}
	return f.counts.grants[grant]
}

// ResetCounters zeroes every counter (ExportRequests included).
func (f *Fake) ResetCounters() {
	f.counts.mu.Lock()
	clear(f.counts.paths)
	clear(f.counts.grants)
	f.counts.tokens = 0
	f.counts.exports = 0
	f.counts.mu.Unlock()
}
