package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// TestAccessLogGracefulStop: the access log is buffered, and a graceful
// stop writes out every line: one per request, none lost; the metric of
// dropped lines is exported.
func TestAccessLogGracefulStop(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	r := start(t, fakeEnv(fake), "serve", "--addr", "127.0.0.1:0")
	base := r.waitReady().URL
	const n = 200
	for range n {
		if resp, _ := get(t, noRedirect, base+"/healthz"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz: %d", resp.StatusCode)
		}
	}
	if _, body := get(t, noRedirect, base+"/metrics"); !strings.Contains(body, "fotoembed_access_log_dropped_total 0") {
		t.Error("/metrics lacks fotoembed_access_log_dropped_total 0")
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	logs := r.stderr.String()
	if got := strings.Count(logs, "method=GET uri=/healthz route=/healthz status=200"); got != n {
		t.Errorf("%d access lines for %d requests after a graceful stop:\n%.1500s", got, n, logs)
	}
	if !strings.Contains(logs, "msg=stopped") {
		t.Errorf("log lacks the stop:\n%.2000s", logs)
	}
}
