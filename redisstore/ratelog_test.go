package redisstore

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestRateLog: a message is written at most once per interval, the next
// line says how many were suppressed, and distinct messages are limited
// separately.
func TestRateLog(t *testing.T) {
	var buf testutil.SyncBuffer
	rl := newRateLog(slog.New(slog.NewTextHandler(&buf, nil)), time.Minute)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rl.now = func() time.Time { return now }
	for range 100 {
		rl.warn("redis down", "err", "refused")
	}
	rl.info("back")
	now = now.Add(59 * time.Second)
	rl.warn("redis down")
	now = now.Add(time.Second)
	rl.warn("redis down")
	out := buf.String()
	if n := strings.Count(out, "redis down"); n != 2 {
		t.Errorf("%d lines for one message over a minute, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "suppressed=100") || strings.Count(out, "back") != 1 {
		t.Errorf("suppressed count or the other message missing:\n%s", out)
	}
}
