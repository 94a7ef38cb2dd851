package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/server"
)

// TestServeReadyStrict: FotoWeb failing its readiness probe leaves
// /readyz at 200 with the check degraded; with FOTOEMBED_READY_STRICT
// (--ready-strict) it answers 503.
func TestServeReadyStrict(t *testing.T) {
	c, err := parseServe(validEnv())
	if err != nil || c.Server.ReadyStrict {
		t.Fatalf("default: %v, ReadyStrict %v", err, c.Server.ReadyStrict)
	}
	if c, err = parseServe(validEnv(), "--ready-strict"); err != nil || !c.Server.ReadyStrict {
		t.Fatalf("--ready-strict: %v, ReadyStrict %v", err, c.Server.ReadyStrict)
	}
	for _, tt := range []struct {
		strict, check string
		status        int
	}{{"false", "degraded", http.StatusOK}, {"1", "fail", http.StatusServiceUnavailable}} {
		t.Run("strict="+tt.strict, func(t *testing.T) {
			fake := fotowebtest.NewServer(fotowebtest.Options{})
			t.Cleanup(fake.Close)
			base := start(t, fakeEnv(fake, "FOTOEMBED_READY_STRICT", tt.strict), "serve", "--addr", "127.0.0.1:0").waitReady().URL
			fake.SetFault("/fotoweb/me", fotowebtest.Fault{Status: http.StatusNotFound}) // not retried: a quick answer
			resp, body := get(t, noRedirect, base+"/readyz")
			var rr server.ReadyResult
			if err := json.Unmarshal([]byte(body), &rr); err != nil {
				t.Fatalf("/readyz %q: %v", body, err)
			}
			if resp.StatusCode != tt.status || rr.Checks["fotoweb"].Status != tt.check {
				t.Errorf("/readyz: %d %s, want %d with the fotoweb check %s", resp.StatusCode, body, tt.status, tt.check)
			}
		})
	}
}
