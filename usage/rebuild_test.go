package usage_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
)

const (
	testRebuildSecret = "Bearer REBUILDSECRET-0123456789"
	hookPath          = "/build_hooks/HOOKID-secret-in-path"
)

// hook is a build hook under httptest that records every POST and
// answers with the statuses given, then 204.
type hook struct {
	srv      *httptest.Server
	mu       sync.Mutex
	reqs     []*http.Request
	bodies   []string
	statuses []int
}

func newHook(t *testing.T, statuses ...int) *hook {
	h := &hook{statuses: statuses}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, r)
		h.bodies = append(h.bodies, string(b))
		status := http.StatusNoContent
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func (h *hook) body(t *testing.T, i int) usage.HookBody {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var b usage.HookBody
	if err := json.Unmarshal([]byte(h.bodies[i]), &b); err != nil {
		t.Fatalf("body %q: %v", h.bodies[i], err)
	}
	return b
}

// newRebuilder returns a Rebuilder POSTing to h, closed at cleanup, and
// its log.
func newRebuilder(t *testing.T, h *hook, cfg usage.RebuilderConfig) (*usage.Rebuilder, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	cfg.URL = h.srv.URL + hookPath + "?token=QUERYSECRET"
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	r, err := usage.NewRebuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		for _, secret := range []string{"REBUILDSECRET", "HOOKID", "QUERYSECRET"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log holds %s:\n%s", secret, logs.String())
			}
		}
	})
	return r, logs
}

func uses(pages ...string) []usage.Use {
	var u []usage.Use
	for _, p := range pages {
		u = append(u, usage.Use{Page: p, Seen: time.Now()})
	}
	return u
}

// TestRebuildPost: one rebuild is POSTed after the debounce with the
// exact body, the secret header and JSON content type.
func TestRebuildPost(t *testing.T) {
	h := newHook(t)
	r, _ := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Millisecond, Secret: testRebuildSecret})
	r.Rebuild("/fotoweb/archives/5001-Photos/a.jpg.info", uses("https://site.example/a.html", "/b/"), "deleted")
	testutil.WaitFor(t, 10*time.Second, "the POST", func() bool { return h.count() == 1 })
	h.mu.Lock()
	req, body := h.reqs[0], h.bodies[0]
	h.mu.Unlock()
	want := `{"asset":"/fotoweb/archives/5001-Photos/a.jpg.info","reason":"deleted","pages":["https://site.example/a.html","/b/"]}`
	if body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
	if req.Method != http.MethodPost || req.URL.Path != hookPath || req.Header.Get("Authorization") != testRebuildSecret ||
		req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s %s, headers %v", req.Method, req.URL.Path, req.Header)
	}
	testutil.WaitFor(t, 10*time.Second, "sent counted", func() bool { return r.Stats().Sent == 1 })
}

// TestRebuildCoalesces: rebuilds arriving within the debounce make one
// POST: the union of pages, every asset with its latest reason.
func TestRebuildCoalesces(t *testing.T) {
	h := newHook(t)
	r, _ := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Hour, Header: "X-Build-Secret", Secret: "s3cret-REBUILDSECRET"})
	r.Rebuild("/a", uses("/1", "/2"), "modified")
	r.Rebuild("/b", uses("/2", "/3"), "unpublished")
	r.Rebuild("/a", uses("/4"), "deleted")
	if h.count() != 0 {
		t.Fatal("POSTed before the debounce ended")
	}
	r.Close() // sends what is pending at once
	if n := h.count(); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
	want := usage.HookBody{Asset: "/a", Reason: "deleted", Pages: []string{"/1", "/2", "/3", "/4"},
		Assets: []usage.HookAsset{{Asset: "/a", Reason: "deleted"}, {Asset: "/b", Reason: "unpublished"}}}
	if diff := cmp.Diff(want, h.body(t, 0)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if got := h.reqs[0].Header.Get("X-Build-Secret"); got != "s3cret-REBUILDSECRET" {
		t.Errorf("secret header %q", got)
	}
	if st := r.Stats(); st.Sent != 3 {
		t.Errorf("stats %+v, want 3 sent", st)
	}
	r.Rebuild("/c", uses("/5"), "modified") // after Close: dropped
	if st := r.Stats(); st.Dropped != 1 {
		t.Errorf("stats %+v after Close, want 1 dropped", st)
	}
}

// TestRebuildRetries: a 503 is tried again with the same body; a 400 is
// not; the counters say so.
func TestRebuildRetries(t *testing.T) {
	h := newHook(t, http.StatusServiceUnavailable, http.StatusBadGateway)
	r, _ := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Millisecond})
	r.Rebuild("/a", uses("/1"), "modified")
	testutil.WaitFor(t, 10*time.Second, "sent after two failures", func() bool { return r.Stats().Sent == 1 })
	if n := h.count(); n != 3 {
		t.Fatalf("%d POSTs, want 3", n)
	}
	for i := 1; i < 3; i++ {
		if diff := cmp.Diff(h.body(t, 0), h.body(t, i)); diff != "" {
			t.Errorf("retry %d body differs:\n%s", i, diff)
		}
	}
	if st := r.Stats(); st.Retries != 2 || st.Failed != 0 {
		t.Errorf("stats %+v, want 2 retries", st)
	}

	h.mu.Lock()
	h.statuses = []int{http.StatusBadRequest}
	h.mu.Unlock()
	r.Rebuild("/b", uses("/2"), "deleted")
	testutil.WaitFor(t, 10*time.Second, "failed", func() bool { return r.Stats().Failed == 1 })
	if n := h.count(); n != 4 {
		t.Errorf("%d POSTs, want 4: a 400 is not tried again", n)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(r)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			got[name] = m.GetCounter().GetValue()
		}
	}
	wantMetrics := map[string]float64{"fotoembed_rebuilds_total/sent": 1, "fotoembed_rebuilds_total/failed": 1,
		"fotoembed_rebuilds_total/dropped": 0, "fotoembed_rebuild_retries_total": 2}
	if diff := cmp.Diff(wantMetrics, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// TestRebuildGivesUp: MaxAttempts bounds the tries.
func TestRebuildGivesUp(t *testing.T) {
	h := newHook(t, 500, 500, 500, 500)
	r, _ := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Millisecond, MaxAttempts: 3})
	r.Rebuild("/a", uses("/1"), "modified")
	testutil.WaitFor(t, 10*time.Second, "failed", func() bool { return r.Stats().Failed == 1 })
	if n := h.count(); n != 3 {
		t.Errorf("%d POSTs, want 3", n)
	}
}

// TestRebuildBounds: past MaxQueue assets a rebuild is dropped; past
// MaxPages the body says truncated.
func TestRebuildBounds(t *testing.T) {
	h := newHook(t)
	r, logs := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Hour, MaxQueue: 2, MaxPages: 3})
	r.Rebuild("/a", uses("/1", "/2"), "modified")
	r.Rebuild("/b", uses("/2", "/3", "/4"), "modified")
	r.Rebuild("/c", uses("/5"), "modified")
	r.Rebuild("/a", uses("/1"), "deleted") // known asset: still taken
	if st := r.Stats(); st.Dropped != 1 || !strings.Contains(logs.String(), "dropped") {
		t.Errorf("stats %+v, log %s; want 1 dropped", st, logs.String())
	}
	r.Close()
	b := h.body(t, 0)
	if !b.Truncated || len(b.Pages) != 3 || len(b.Assets) != 2 {
		t.Errorf("body %+v, want 3 pages, truncated, 2 assets", b)
	}
}

// TestRebuildNoRedirect: a redirect is not followed, so the secret
// reaches no other URL.
func TestRebuildNoRedirect(t *testing.T) {
	other := newHook(t)
	h := &hook{srv: httptest.NewServer(http.RedirectHandler(other.srv.URL+"/elsewhere", http.StatusTemporaryRedirect))}
	t.Cleanup(h.srv.Close)
	r, _ := newRebuilder(t, h, usage.RebuilderConfig{Debounce: time.Millisecond, Secret: testRebuildSecret})
	r.Rebuild("/a", uses("/1"), "modified")
	testutil.WaitFor(t, 10*time.Second, "failed", func() bool { return r.Stats().Failed == 1 })
	if other.count() != 0 {
		t.Error("the redirect was followed")
	}
}

func TestRebuilderConfigValidate(t *testing.T) {
	for _, c := range []usage.RebuilderConfig{
		{}, {URL: "ftp://h/x"}, {URL: "/relative"}, {URL: "https://h/x", Header: "Bad Header"},
		{URL: "https://h/x", Secret: "a\nb"}, {URL: "https://h/x", Debounce: -1},
	} {
		if _, err := usage.NewRebuilder(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
