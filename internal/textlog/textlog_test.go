package textlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// both logs r through a Handler and through slog.TextHandler, with the
// same options, and returns the two outputs.
func both(t testing.TB, opts *slog.HandlerOptions, log func(h slog.Handler)) (fast, std string) {
	t.Helper()
	var a, b bytes.Buffer
	log(New(&a, opts))
	log(slog.NewTextHandler(&b, opts))
	return a.String(), b.String()
}

// handle sends one record to h.
func handle(h slog.Handler, tm time.Time, level slog.Level, msg string, attrs ...slog.Attr) {
	r := slog.NewRecord(tm, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(context.Background(), r)
}

// strs are strings that exercise quoting: empty, blanks, quotes, '=',
// backslashes, control bytes, DEL, invalid UTF-8, non-printing and
// non-ASCII space runes, printable non-ASCII.
var strs = []string{
	"", "plain", "with space", `quo"te`, "a=b", `back\slash`, "tab\there", "nl\n", "\x00", "\x7f", "\xff\xfe",
	"ké", "✓ ok", "\u00a0nbsp", "\u2028", "\u200b", "zero\u200dwidth", "/i/abc/w400/def.jpg", "[REDACTED]",
	"日本語", "emoji🙂", "\U0010FFFF", "=", " ", "\\", "'single'",
}

// TestSameAsTextHandler: every kind of value the fast path takes, every
// quoting case, times in several zones and years, and levels: the
// output is byte for byte the standard handler's.
func TestSameAsTextHandler(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		oslo = time.FixedZone("CET", 3600)
	}
	base := time.Date(2026, 11, 30, 14, 12, 50, 123456789, time.UTC)
	times := []time.Time{
		base, base.In(oslo), base.In(time.FixedZone("odd", -(3*3600 + 30*60))), base.In(time.FixedZone("secs", 9*60+21)),
		time.Date(2026, 3, 29, 1, 59, 59, 999999999, oslo), time.Date(2026, 3, 29, 3, 0, 0, 0, oslo),
		time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 1000000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999000000, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Now(), {},
	}
	values := []slog.Value{
		slog.Int64Value(0), slog.Int64Value(-42), slog.Int64Value(math.MinInt64), slog.Uint64Value(math.MaxUint64),
		slog.Float64Value(0.1), slog.Float64Value(-1e300), slog.Float64Value(math.NaN()), slog.Float64Value(math.Inf(-1)),
		slog.BoolValue(true), slog.BoolValue(false), slog.DurationValue(0), slog.DurationValue(1234567 * time.Nanosecond),
		slog.DurationValue(-90 * time.Minute), slog.DurationValue(math.MinInt64),
	}
	for _, s := range strs {
		values = append(values, slog.StringValue(s))
	}
	for _, tm := range times {
		values = append(values, slog.TimeValue(tm))
	}
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2, slog.LevelDebug - 3}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug - 10}
	for i, tm := range times {
		for j, s := range strs {
			fast, std := both(t, opts, func(h slog.Handler) {
				lv := levels[(i+j)%len(levels)]
				handle(h, tm, lv, s, slog.String(s, "v"), slog.Attr{Key: "k", Value: values[(i*7+j)%len(values)]})
				handle(h, tm, lv, "all", func() (as []slog.Attr) {
					for k, v := range values {
						as = append(as, slog.Attr{Key: fmt.Sprint("a", k), Value: v})
					}
					return as
				}()...)
			})
			if fast != std {
				t.Fatalf("time %v, string %q:\nfast %s\nstd  %s", tm, s, fast, std)
			}
		}
	}
}

// TestStandardPathSame: what the fast path does not take (groups, preset
// attributes, values of other kinds, empty keys, ReplaceAttr, AddSource)
// still comes out as the standard handler writes it.
func TestStandardPathSame(t *testing.T) {
	tm := time.Date(2026, 1, 2, 3, 4, 5, 6000000, time.UTC)
	type point struct{ X, Y int }
	attrs := []slog.Attr{
		slog.Group("g", slog.Int("n", 1), slog.String("s", "a b")), slog.Any("err", errors.New("boom =")),
		slog.Any("p", point{1, 2}), slog.Any("b", []byte("by tes")), {Key: "", Value: slog.StringValue("nokey")},
		slog.Any("nil", nil), slog.Group("", slog.String("inline", "x")),
	}
	for _, opts := range []*slog.HandlerOptions{nil, {AddSource: true},
		{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "time" {
				return slog.Attr{}
			}
			return a
		}}} {
		fast, std := both(t, opts, func(h slog.Handler) {
			for _, a := range attrs {
				handle(h, tm, slog.LevelWarn, "m", slog.String("x", "1"), a)
			}
			handle(h.WithAttrs([]slog.Attr{slog.String("svc", "fe")}), tm, slog.LevelInfo, "with")
			handle(h.WithGroup("req").WithAttrs([]slog.Attr{slog.Int("n", 2)}), tm, slog.LevelInfo, "grouped", slog.String("k", "v"))
			handle(h, tm, slog.LevelInfo, "after") // the fast path again
		})
		if fast != std {
			t.Errorf("opts %+v:\nfast %s\nstd  %s", opts, fast, std)
		}
	}
}

// TestLevelFiltering: Enabled follows the configured level as the
// standard handler's does.
func TestLevelFiltering(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	h, std := New(&bytes.Buffer{}, &slog.HandlerOptions{Level: &lv}), slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: &lv})
	for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		ctx := context.Background()
		if h.Enabled(ctx, l) != std.Enabled(ctx, l) {
			t.Errorf("Enabled(%v) = %v, want %v", l, h.Enabled(ctx, l), std.Enabled(ctx, l))
		}
	}
	if New(nil, nil).Enabled(context.Background(), slog.LevelDebug) {
		t.Error("the default level lets debug through")
	}
}

// FuzzSameAsTextHandler: any message, key and string value is written
// as the standard handler writes it.
func FuzzSameAsTextHandler(f *testing.F) {
	for _, s := range strs {
		f.Add(s, s, int64(len(s)))
	}
	f.Fuzz(func(t *testing.T, msg, s string, n int64) {
		tm := time.Unix(n, n%1e9).UTC()
		fast, std := both(t, nil, func(h slog.Handler) {
			handle(h, tm, slog.LevelInfo, msg, slog.String(s, s), slog.Int64("n", n), slog.Duration("d", time.Duration(n)))
		})
		if fast != std {
			t.Fatalf("\nfast %q\nstd  %q", fast, std)
		}
	})
}

// TestConcurrentLines: lines written at once from many goroutines, on
// both paths, come out whole, one per record.
func TestConcurrentLines(t *testing.T) {
	var buf bytes.Buffer
	h := New(&buf, nil)
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				attr := slog.Int("i", i)
				if i%3 == 0 {
					attr = slog.Any("i", []int{i}) // the standard path
				}
				handle(h, time.Now(), slog.LevelInfo, "line", slog.Int("g", g), attr, slog.String("pad", strings.Repeat("x", rand.IntN(200))))
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines, want %d", len(lines), goroutines*each)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " msg=line g=") || strings.Count(l, "time=") != 1 {
			t.Fatalf("broken line %q", l)
		}
	}
}

// TestAccessLineAllocs: an access log line (as the server logs each
// request) costs one allocation, the duration's text.
func TestAccessLineAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector changes allocation counts")
	}
	h := New(discard{}, nil)
	r := accessRecord()
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { _ = h.Handle(ctx, r) }); n > 1 {
		t.Errorf("%.1f allocations per line, want at most 1", n)
	}
}

// accessRecord is a record like the server's access log line.
func accessRecord() slog.Record {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("request_id", "0123456789abcdef0123456789abcdef"), slog.String("method", "GET"),
		slog.String("uri", "/i/api_DThT6qCwil-3661Rke_8JLYwePVQi4KX0XhZvkw/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg"),
		slog.String("route", "/i/*"), slog.Int("status", 302), slog.Int64("bytes", 0),
		slog.Duration("duration", 183*time.Microsecond), slog.String("remote_ip", "127.0.0.1"))
	return r
}

// discard is io.Discard without its ReadFrom fast path.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkAccessLine compares an access log line through the Handler
// and through slog.TextHandler.
func BenchmarkAccessLine(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{{"textlog", New(discard{}, nil)}, {"slog", slog.NewTextHandler(discard{}, nil)}} {
		b.Run(c.name, func(b *testing.B) {
			r := accessRecord()
			b.ReportAllocs()
			for b.Loop() {
				_ = c.h.Handle(ctx, r)
			}
		})
	}
}
