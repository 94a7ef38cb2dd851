package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/usage"
)

// waitGoroutines polls until at most want goroutines run, failing after
// a deadline generous enough for a loaded machine.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", n, want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSlowBodiesClosed sends requests whose bodies stall, to every route
// that reads a body and to one that reads none: the server closes each
// connection after Config.BodyTimeout, and its goroutines end.
func TestSlowBodiesClosed(t *testing.T) {
	const bodyTimeout = 300 * time.Millisecond
	e := newEnv(t, envOptions{configure: func(c *Config) { c.BodyTimeout, c.Usage = bodyTimeout, usage.NewMemory() }})
	wantStatus(t, e.get("/healthz"), http.StatusOK)
	base := runtime.NumGoroutine()
	targets := []string{
		"POST /v1/resolve", "POST /v1/usage", "POST " + hookPrefix + testHookSecret,
		"GET /i/not-signed", "GET /healthz", "POST /nowhere",
	}
	const n = 24
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", e.ts.Listener.Addr().String())
		must(t, err)
		defer c.Close()
		conns[i] = c
		_, err = fmt.Fprintf(c, "%s HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: 1000\r\n\r\n{\"items\": [", targets[i%len(targets)], testAPIKey)
		must(t, err)
	}
	bound := time.Now().Add(60 * time.Second) // only a bound for a broken server
	for i, c := range conns {
		must(t, c.SetReadDeadline(bound))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			if err == nil {
				_, err = c.Read(make([]byte, 1)) // the server must close the connection
			}
			res.Body.Close()
		}
		if errors.Is(err, os.ErrDeadlineExceeded) || err == nil {
			t.Errorf("%s: connection not closed by the server: %v", targets[i%len(targets)], err)
		}
	}
	waitGoroutines(t, base+2)
}

// TestLongRequestNotCut checks that a request without a body outlives the
// body deadline and a server-wide ReadTimeout, and that a response
// streamed for longer than Config.WriteStallTimeout is not cut while the
// client reads.
func TestLongRequestNotCut(t *testing.T) {
	const short = 100 * time.Millisecond
	e := newEnv(t, envOptions{configure: func(c *Config) { c.BodyTimeout, c.WriteStallTimeout = short, 4*short }})
	var canceled atomic.Bool
	e.srv.Echo().GET("/test-stream", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		end := time.Now().Add(10 * short)
		for time.Now().Before(end) {
			if _, err := c.Response().Write(make([]byte, 1024)); err != nil {
				return err
			}
			c.Response().Flush()
			time.Sleep(short / 10)
		}
		canceled.Store(c.Request().Context().Err() != nil)
		return nil
	})
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout = short
	ts.Start()
	defer ts.Close()
	res, err := http.Get(ts.URL + "/test-stream")
	must(t, err)
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil || n < 10 || canceled.Load() {
		t.Fatalf("stream cut: %d bytes, %v, context canceled %v", n, err, canceled.Load())
	}
}

// TestMetricLabelsBounded sends thousands of made-up methods and paths:
// the request metric keeps a bounded set of series.
func TestMetricLabelsBounded(t *testing.T) {
	e := newEnv(t, envOptions{})
	h := e.srv.Handler()
	scrape := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec.Body.String()
	}
	before := len(scrape())
	for i := range 3000 {
		m := fmt.Sprintf("X%dQ%d", i, rand.Uint64())
		path := []string{"/healthz", "/v1/resolve", fmt.Sprintf("/made-up/%d", i)}[i%3]
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(m, path, nil))
	}
	body := scrape()
	series := 0
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "fotoembed_http_requests_total{") {
			series++
			if strings.Contains(l, `method="X`) {
				t.Errorf("made-up method kept as a label: %s", l)
			}
		}
	}
	if series == 0 || series >= 20 {
		t.Errorf("%d series of fotoembed_http_requests_total", series)
	}
	if len(body) > before+16<<10 {
		t.Errorf("/metrics grew from %d to %d bytes", before, len(body))
	}
	if !strings.Contains(body, `route="unmatched"`) || !strings.Contains(body, `method="other"`) {
		t.Errorf("no unmatched/other labels in:\n%s", body)
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// refused sends body to path straight to the handler and checks that it
// is refused with 400 naming want after reading at most maxRead bytes,
// and allocating far less than decoding it whole would (about 100 MB).
func refused(t *testing.T, e *env, path, ctype, body, want string, maxRead int64) {
	t.Helper()
	h := e.srv.Handler()
	cr := &countingReader{r: strings.NewReader(body)}
	req := httptest.NewRequest(http.MethodPost, path, cr)
	req.Header.Set("X-API-Key", testAPIKey)
	req.Header.Set("Content-Type", ctype)
	rec := httptest.NewRecorder()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	h.ServeHTTP(rec, req)
	runtime.ReadMemStats(&m1)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
		t.Errorf("%s: %d %s, want 400 naming %q", path, rec.Code, rec.Body, want)
	}
	if n := cr.n.Load(); n > maxRead {
		t.Errorf("%s: %d bytes of the body read before refusing it", path, n)
	}
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 4<<20 {
		t.Errorf("%s: %d bytes allocated to refuse the body", path, d)
	}
}

// TestBodyDecodingBounded sends a million items, and 10k levels of
// nesting, to every route that decodes a body.
func TestBodyDecodingBounded(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Usage = usage.NewMemory() }})
	million := func(name string) string {
		return `{"` + name + `": [` + strings.Repeat(`{},`, 1e6-1) + `{}]}`
	}
	limit := fmt.Sprintf("the limit is %d per request", DefaultMaxBatch)
	refused(t, e, "/v1/resolve", "application/json", million("items"), limit, 64<<10)
	refused(t, e, "/v1/usage", "application/json", million("uses"), limit, 64<<10)
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	nests := fmt.Sprintf("deeper than %d levels", maxJSONDepth)
	refused(t, e, "/v1/resolve", "application/json", `{"items": [{"x": `+deep+`}]}`, nests, 64<<10)
	refused(t, e, "/v1/resolve", "application/json", `{"other": `+deep+`}`, nests, 64<<10)
	refused(t, e, "/v1/usage", "application/json", `{"uses": `+deep+`}`, nests, 64<<10)
	refused(t, e, hookPrefix+testHookSecret, "application/json", `{"data": `+deep+`}`, nests, 64<<10)
	refused(t, e, hookPrefix+testHookSecret, "application/x-www-form-urlencoded",
		strings.Repeat("a=&", 1e5)+"href=x", fmt.Sprintf("more than %d fields", maxFormPairs), maxHookBody) // a form is read whole
}

func TestFormValue(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{"href=a%2Fb&x=1", "a/b"},
		{"x=1&href=first&href=second", "first"},
		{"h%72ef=y", "y"},
		{"x=1", ""},
		{"", ""},
	} {
		if got, err := formValue(tt.body, "href"); err != nil || got != tt.want {
			t.Errorf("formValue(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
	if _, err := formValue("a;b=1", "href"); err == nil {
		t.Error("semicolon accepted")
	}
}
