package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// rateLog writes each distinct message at most once per interval; the
// repeats in between are counted and reported with the next line, so an
// outage costs one log line a minute, not one per request.
type rateLog struct {
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	msgs map[string]*rateState
}

type rateState struct {
	last       time.Time
	suppressed int
}

func newRateLog(l *slog.Logger, interval time.Duration) *rateLog {
	return &rateLog{log: l, interval: interval, now: time.Now, msgs: make(map[string]*rateState)}
}

// allow reports whether msg may be logged now, and how many repeats were
// suppressed since it last was.
func (r *rateLog) allow(msg string) (bool, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	st := r.msgs[msg]
	if st == nil {
		st = &rateState{}
		r.msgs[msg] = st
	}
	if !st.last.IsZero() && now.Sub(st.last) < r.interval {
		st.suppressed++
		return false, 0
	}
	n := st.suppressed
	st.last, st.suppressed = now, 0
	return true, n
}

func (r *rateLog) write(level slog.Level, msg string, args ...any) {
	ok, n := r.allow(msg)
	if !ok {
		return
	}
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	r.log.Log(context.Background(), level, msg, args...)
}

func (r *rateLog) warn(msg string, args ...any) { r.write(slog.LevelWarn, msg, args...) }
func (r *rateLog) info(msg string, args ...any) { r.write(slog.LevelInfo, msg, args...) }

// SetClientLogger sends go-redis's own log lines (failed dials and the
// like, which it writes to stderr by default, one per attempt) to l at
// warning level, at most one line per distinct message per interval (0
// means DefaultLogInterval). go-redis has one logger per process, so call
// this once, from main.
func SetClientLogger(l *slog.Logger, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultLogInterval
	}
	redis.SetLogger(&clientLogger{rl: newRateLog(l, interval)})
}

// clientLogger adapts a rateLog to go-redis's logging interface. Lines
// are grouped for rate limiting by their format string.
type clientLogger struct{ rl *rateLog }

// Printf implements go-redis's internal.Logging.
func (c *clientLogger) Printf(ctx context.Context, format string, v ...any) {
	ok, n := c.rl.allow(format)
	if !ok {
		return
	}
	args := []any{"component", "go-redis"}
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	c.rl.log.Log(ctx, slog.LevelWarn, fmt.Sprintf(format, v...), args...)
}
