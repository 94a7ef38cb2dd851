package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unsafe"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// funcPtr is the closure a func value points to.
func funcPtr(f echo.HandlerFunc) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&f)) }

// TestFrontHandlersKept: front makes its handler once per wrapped
// handler (Echo applies it on every request), and each handler runs the
// handler it wraps, also past the cache's bound.
func TestFrontHandlersKept(t *testing.T) {
	e := newEnv(t, envOptions{})
	s := e.srv
	var hs []echo.HandlerFunc
	var called int
	for i := range maxCachedHandlers + 10 {
		hs = append(hs, func(c echo.Context) error {
			called = i
			return c.NoContent(http.StatusNoContent)
		})
	}
	for i, h := range hs {
		f := s.front(h)
		if again := s.front(h); i < maxCachedHandlers-len(s.e.Routes())-2 && funcPtr(again) != funcPtr(f) {
			t.Fatalf("handler %d: front made a second handler", i)
		}
		c := s.e.NewContext(httptest.NewRequest(http.MethodGet, "/x", nil), httptest.NewRecorder())
		if err := f(c); err != nil || called != i || c.Response().Status != http.StatusNoContent {
			t.Fatalf("handler %d: err %v, ran handler %d, status %d", i, err, called, c.Response().Status)
		}
	}
	if n := s.limits.fronts.n.Load(); n > maxCachedHandlers {
		t.Errorf("%d handlers kept, more than %d", n, maxCachedHandlers)
	}
	if raceDetector {
		return
	}
	h := hs[0]
	if n := testing.AllocsPerRun(100, func() { _ = s.front(h) }); n != 0 {
		t.Errorf("front allocates %v times per request", n)
	}
}

// TestEscapedPath: escapedPath is url.URL.EscapedPath.
func TestEscapedPath(t *testing.T) {
	for _, raw := range []string{
		"/i/abc_-DEF/w200-sq/L2Zv.jpg", "/i/a%2Fb/c", "/i/a b/c", "/i/ä/x", "/i/a;b/c=d", "/", "*", "/i/a%20b", "/i/~x/y.z",
		"/i/a+b/c", "/i/a$b:c@d/e,f&g",
	} {
		u, err := url.ParseRequestURI(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Errorf("escapedPath(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestAccessLogSource: an access log handler with AddSource shows
// logRequest as the source, as slog.Logger.LogAttrs would.
func TestAccessLogSource(t *testing.T) {
	var access testutil.SyncBuffer
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.AccessLogger = slog.New(slog.NewJSONHandler(&access, &slog.HandlerOptions{AddSource: true}))
	}})
	for range 2 {
		wantStatus(t, e.get("/healthz"), http.StatusOK)
	}
	for _, line := range strings.Split(strings.TrimSpace(access.String()), "\n") {
		var rec struct {
			Msg    string `json:"msg"`
			Source struct {
				Function, File string
				Line           int
			} `json:"source"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Msg != "request" || !strings.HasSuffix(rec.Source.Function, ".(*Server).logRequest") ||
			!strings.HasSuffix(rec.Source.File, "/middleware.go") || rec.Source.Line == 0 {
			t.Errorf("access line %s", line)
		}
	}
}
