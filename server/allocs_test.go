package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/logbuf"
	"github.com/fotoembed/fotoembed/internal/textlog"
	"github.com/fotoembed/fotoembed/urlsig"
)

// maxRedirectAllocs is the allocation budget of one signed redirect at a
// warm cache (issue 15): what the service's handler (Echo, the front
// middleware, the rate limit, the handler and the access log line)
// allocates, on top of net/http's own per-request allocations (reading
// the request, the response, its header map and the header snapshot at
// WriteHeader), which a bare Echo 302 pays the same. Issue 15 set the
// budget at 12; the redirect makes 6, and the guard keeps most of that.
const maxRedirectAllocs = 8

// connWriter is a minimal http.ResponseWriter as net/http's own: a fresh
// header map, and connection deadlines that the front middleware sets
// (httptest.ResponseRecorder has none, so the middleware would take a
// path a real connection does not, with allocations of its own).
type connWriter struct {
	h      http.Header
	status int
	n      int
	rd, wd time.Time
}

func (w *connWriter) Header() http.Header { return w.h }

func (w *connWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *connWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *connWriter) SetReadDeadline(t time.Time) error  { w.rd = t; return nil }
func (w *connWriter) SetWriteDeadline(t time.Time) error { w.wd = t; return nil }

// redirectRig is the service wired as `fotoembed serve` wires it by
// default (rate limits on, access log at info through a buffered
// writer), its cache warm for one signed path, and the requests and
// writers of n runs made beforehand: each request has a context of its
// own under a connection's, as net/http gives it.
type redirectRig struct {
	e    *env
	path string
	reqs []*http.Request
	ws   []*connWriter
	conn context.Context
}

func newRedirectRig(t testing.TB) *redirectRig {
	t.Helper()
	access := logbuf.New(io.Discard, logbuf.Options{})
	t.Cleanup(func() { access.Close() })
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.AccessLogger = slog.New(textlog.New(access, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.RateLimitPublic, c.RateLimitPublicBurst = DefaultRateLimitPublic, DefaultRateLimitPublicBurst
		c.RateLimitImages, c.RateLimitImagesBurst = DefaultRateLimitImages, DefaultRateLimitImagesBurst
		c.RateLimitImageFetches, c.RateLimitImageFetchesBurst = DefaultRateLimitImageFetches, DefaultRateLimitImageFetchesBurst
	}})
	path := e.signer.Sign(urlsig.Options{Width: 400}, fotowebtest.LandscapeAsset, ".jpg")
	r := &redirectRig{e: e, path: path}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.conn = ctx
	// Warm the cache and check the answer once through a real connection.
	if res := e.get(path); res.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302: %s", res.StatusCode, res.body)
	}
	return r
}

// prepare makes n requests and writers.
func (r *redirectRig) prepare(t testing.TB, n int) {
	r.reqs, r.ws = make([]*http.Request, n), make([]*connWriter, n)
	for i := range n {
		ctx, cancel := context.WithCancel(r.conn)
		t.Cleanup(cancel)
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, r.path, nil)
		req.RemoteAddr = "192.0.2.7:40000"
		r.reqs[i] = req
		r.ws[i] = &connWriter{h: make(http.Header)}
	}
}

// serve answers request i, advancing the clock 10 ms (a client at the
// image rate limit's 100 a second never runs out).
func (r *redirectRig) serve(h http.Handler, i int) *connWriter {
	r.e.clock.Advance(10 * time.Millisecond)
	w := r.ws[i]
	h.ServeHTTP(w, r.reqs[i])
	return w
}

// TestSignedRedirectAllocs guards the allocations of a signed redirect at
// a warm cache, through the service's handler as production wires it
// (CI runs it without -race; see .ci/run).
func TestSignedRedirectAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector changes allocation counts")
	}
	r := newRedirectRig(t)
	h := r.e.srv.Handler()
	const runs = 1000
	r.prepare(t, runs+1)
	i := 0
	allocs := testing.AllocsPerRun(runs, func() {
		r.serve(h, i)
		i++
	})
	for _, w := range r.ws {
		if w.status != http.StatusFound || !strings.HasPrefix(w.h.Get("Location"), r.e.fake.URL+"/") ||
			w.h.Get("X-Request-Id") == "" || w.h.Get("Surrogate-Key") == "" || w.wd.IsZero() {
			t.Fatalf("status %d, headers %v", w.status, w.h)
		}
	}
	t.Logf("%.1f allocations per signed redirect", allocs)
	if allocs > maxRedirectAllocs {
		t.Errorf("%.1f allocations per signed redirect, want at most %d", allocs, maxRedirectAllocs)
	}
}

// BenchmarkSignedRedirectHandler is the signed redirect at a warm cache
// through the service's handler, as TestSignedRedirectAllocs runs it.
// Each iteration also makes what net/http would per request (a context
// under the connection's, the request, the writer and its header map: 5
// allocations), so allocs/op is the handler's plus 5.
func BenchmarkSignedRedirectHandler(b *testing.B) {
	r := newRedirectRig(b)
	benchHandler(b, r, r.e.srv.Handler())
}

// benchHandler serves r's request to h b.N times, each with a fresh
// context, request and writer.
func benchHandler(b *testing.B, r *redirectRig, h http.Handler) {
	base := httptest.NewRequest(http.MethodGet, r.path, nil)
	base.RemoteAddr = "192.0.2.7:40000"
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(r.conn)
		w := &connWriter{h: make(http.Header)}
		r.e.clock.Advance(10 * time.Millisecond)
		h.ServeHTTP(w, base.WithContext(ctx))
		cancel()
		if w.status != http.StatusFound {
			b.Fatalf("status %d", w.status)
		}
	}
}

// BenchmarkEcho302Handler is the bare Echo 302 (bench.Echo302) measured
// the same way, for reference.
func BenchmarkEcho302Handler(b *testing.B) {
	r := newRedirectRig(b)
	e := echo.New()
	e.Match([]string{http.MethodGet, http.MethodHead}, "/i/*", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderLocation, "https://fotoweb.example.com/fotoweb/cache/preview.jpg")
		return c.NoContent(http.StatusFound)
	})
	benchHandler(b, r, e)
}
