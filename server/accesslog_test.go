package server

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestAccessLoggerApart: with Config.AccessLogger set, request lines go
// there and nowhere else, and other lines stay on Logger.
func TestAccessLoggerApart(t *testing.T) {
	var access testutil.SyncBuffer
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.AccessLogger = slog.New(slog.NewJSONHandler(&access, nil))
	}})
	wantStatus(t, e.get("/healthz"), http.StatusOK)
	if n := strings.Count(access.String(), `"msg":"request"`); n != 1 || !strings.Contains(access.String(), `"uri":"/healthz"`) {
		t.Errorf("%d access lines: %s", n, access.String())
	}
	if strings.Contains(e.logs.String(), `"msg":"request"`) {
		t.Error("a request line went to Logger too")
	}
}
