package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestUI(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.get("/")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{`<script src="/static/app.js">`, `href="/static/app.css"`, "<title>fotoembed</title>"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("UI lacks %s", want)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, e.fake.URL) {
		t.Errorf("CSP %q", csp)
	}

	for file, ctype := range map[string]string{"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"} {
		r := e.get("/static/" + file)
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("Content-Type") != ctype || r.Header.Get("ETag") == "" ||
			!strings.HasPrefix(r.Header.Get("Cache-Control"), "public, max-age=") || len(r.body) == 0 {
			t.Errorf("%s: headers %v, %d bytes", file, r.Header, len(r.body))
		}
		wantStatus(t, e.get("/static/"+file, "If-None-Match", r.Header.Get("ETag")), http.StatusNotModified)
	}
	for _, p := range []string{"/static/nope.js", "/static/../go.mod", "/static/", "/static/static.go"} {
		if r := e.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.StatusCode)
		}
	}
}

func TestRequestID(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.get("/healthz", "X-Request-Id", "abc-123.DEF_4")
	if got := r.Header.Get("X-Request-Id"); got != "abc-123.DEF_4" {
		t.Errorf("well-formed id not kept: %q", got)
	}
	for _, bad := range []string{"has space", strings.Repeat("x", 65), "<script>", "a\"b"} {
		r := e.get("/healthz", "X-Request-Id", bad)
		if got := r.Header.Get("X-Request-Id"); got == bad || !validRequestID(got) {
			t.Errorf("bad id %q answered with %q", bad, got)
		}
	}
	r = e.get("/healthz")
	id := r.Header.Get("X-Request-Id")
	if len(id) != 32 {
		t.Errorf("generated id %q", id)
	}
	var found bool
	for _, line := range strings.Split(e.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["request_id"] == id && m["msg"] == "request" {
			found = m["status"] == float64(200) && m["route"] == "/healthz"
		}
	}
	if !found {
		t.Errorf("no access log line for request %s:\n%s", id, e.logs.String())
	}
}

func TestErrorBodies(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.get("/no/such/route")
	wantStatus(t, r, http.StatusNotFound)
	var m map[string]string
	decode(t, r, &m)
	if m["message"] == "" {
		t.Errorf("404 body %s", r.body)
	}
	r = e.do(http.MethodDelete, "/healthz", nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	r = e.do(http.MethodHead, "/i/x/y", nil)
	wantStatus(t, r, http.StatusBadRequest)
	if len(r.body) != 0 {
		t.Errorf("HEAD error with a body")
	}
}

// TestPanicRecovered: a panicking handler (added through Echo) answers
// 500 with a generic message and logs the panic with the request id.
func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.Echo().GET("/boom", func(echo.Context) error { panic("kaboom " + testAPIKey) })
	r := e.get("/boom", "X-Request-Id", "panic-test-1")
	wantStatus(t, r, http.StatusInternalServerError)
	if strings.Contains(string(r.body), "kaboom") {
		t.Errorf("500 body leaks the panic: %s", r.body)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"panic","request_id":"panic-test-1"`) || strings.Contains(logs, testAPIKey) {
		t.Errorf("panic log line missing or unredacted:\n%s", logs)
	}
}
