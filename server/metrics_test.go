package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, envOptions{})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 600) // one cache miss
	wantStatus(t, e.get(path), http.StatusFound)            // one hit
	wantStatus(t, e.get(tamper(path)), http.StatusForbidden)
	wantStatus(t, e.get("/healthz"), http.StatusOK)
	wantStatus(t, e.get("/no/such/route"), http.StatusNotFound)
	wantStatus(t, e.get(hookPrefix+"secret-in-path-0123456789"), http.StatusNotFound)

	r := e.get("/metrics")
	wantStatus(t, r, http.StatusOK)
	text := string(r.body)
	for _, want := range []string{
		`fotoembed_http_requests_total{method="GET",route="/i/*",status="302"} 1`,
		`fotoembed_http_requests_total{method="GET",route="/i/*",status="403"} 1`,
		`fotoembed_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`fotoembed_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`fotoembed_http_request_duration_seconds_bucket{route="/i/*",le="+Inf"} 2`,
		`fotoembed_cache_hits_total 1`,
		`fotoembed_cache_misses_total 1`,
		`fotoembed_cache_stale_serves_total 0`,
		`fotoembed_upstream_requests_total{op="asset",status="200"} 1`,
		`fotoembed_upstream_requests_total{op="token",status="200"} 1`,
		`fotoembed_token_refreshes_total 1`,
		`fotoembed_upstream_request_duration_seconds_count{op="asset"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "secret-in-path") {
		t.Error("metrics carry a request path")
	}
}

func TestUpstreamOp(t *testing.T) {
	for path, want := range map[string]string{
		"/fotoweb/oauth2/token":                    "token",
		"/fotoweb/me":                              "descriptor",
		"/fotoweb/cache/v2/a/b.jpg":                "preview",
		"/fotoweb/services/renditions":             "rendition",
		"/fotoweb/me/background-tasks/123":         "rendition",
		fotowebtest.LandscapeAsset:                 "asset",
		"/fotoweb/archives/5001-Photos/?q=harbour": "search",
		"/fotoweb/archives/":                       "list",
		"/fotoweb/editors/x":                       "other",
	} {
		req, err := http.NewRequest(http.MethodGet, "http://fw.test"+path, nil)
		must(t, err)
		if got := upstreamOp(req); got != want {
			t.Errorf("%s: op %q, want %q", path, got, want)
		}
	}
}
