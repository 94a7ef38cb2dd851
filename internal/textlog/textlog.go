// Package textlog is a log/slog handler that writes the lines
// [slog.TextHandler] writes, byte for byte, in less time: a service that
// logs a line per request spends a good part of a cheap request in the
// standard handler. Records whose attributes are strings, numbers,
// booleans, durations and times, logged through a handler without groups
// or preset attributes, take the fast path; anything else (groups,
// [slog.LogValuer], other values, ReplaceAttr, AddSource) is handed to
// an [slog.TextHandler] writing to the same output.
package textlog

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Handler is a [slog.Handler] writing what [slog.TextHandler] writes.
// Make one with [New]. It is safe for concurrent use.
type Handler struct {
	w    *lockedWriter
	opts slog.HandlerOptions
	std  slog.Handler // the standard handler, for what the fast path does not cover
	fast bool         // no ReplaceAttr, no AddSource
	secs atomic.Pointer[secondText]
}

// New returns a Handler writing to w with opts (nil: the defaults of
// [slog.NewTextHandler]). Each line is one Write call to w.
func New(w io.Writer, opts *slog.HandlerOptions) *Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	lw := &lockedWriter{w: w}
	return &Handler{w: lw, opts: *opts, std: slog.NewTextHandler(lw, opts),
		fast: opts.ReplaceAttr == nil && !opts.AddSource}
}

// Enabled reports whether level is at least the handler's level.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	min := slog.LevelInfo
	if h.opts.Level != nil {
		min = h.opts.Level.Level()
	}
	return level >= min
}

// WithAttrs returns the standard handler with attrs: lines with preset
// attributes are rare enough to take the standard path.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.std.WithAttrs(attrs) }

// WithGroup returns the standard handler with the group.
func (h *Handler) WithGroup(name string) slog.Handler { return h.std.WithGroup(name) }

// Handle writes r as one line.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if !h.fast || !simple(r) {
		return h.std.Handle(ctx, r)
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if !r.Time.IsZero() {
		b = append(b, "time="...)
		b = h.appendTime(b, r.Time)
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendString(b, r.Level.String())
	b = append(b, " msg="...)
	b = appendString(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ' ')
		b = appendString(b, a.Key)
		b = append(b, '=')
		b = h.appendValue(b, a.Value)
		return true
	})
	b = append(b, '\n')
	_, err := h.w.Write(b)
	if cap(b) <= maxPooled {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// simple reports whether every attribute of r takes the fast path: a
// non-empty key and a value of a kind appendValue writes as the standard
// handler does.
func simple(r slog.Record) bool {
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool,
			slog.KindDuration, slog.KindTime:
			ok = a.Key != ""
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// appendValue appends v as the standard handler does for the kinds
// simple accepts.
func (h *Handler) appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return append(b, v.Duration().String()...)
	case slog.KindTime:
		return h.appendTime(b, v.Time())
	}
	panic("textlog: appendValue of a kind simple refuses")
}

// appendString appends s, quoted as strconv.Quote does when it holds
// anything the standard handler quotes.
func appendString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// quoteASCII marks the ASCII bytes that make the standard handler quote
// a string: control characters, space, '"' and '='.
var quoteASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c < 0x20 || c == ' ' || c == '"' || c == '='
	}
	return t
}()

// needsQuoting reports whether the standard handler quotes s: when it is
// empty, or holds a byte of quoteASCII, invalid UTF-8, or a rune that is
// a space or not printable.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	i := 0
	// Eight bytes at a time while none can need quoting: all ASCII, none
	// below 0x21 (controls, space), none '"' or '='.
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		if (x|(x-lows*0x21)|hasZero(x^(lows*'"'))|hasZero(x^(lows*'=')))&highs != 0 {
			break
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if quoteASCII[c] {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += n
	}
	return false
}

// lows and highs are the lowest and highest bit of every byte of a word.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasZero has the high bit of some byte set if x has a zero byte (and
// maybe of others; used only to decide when to look byte by byte).
func hasZero(x uint64) uint64 { return (x - lows) &^ x }

// secondText is the text of one second in one location, the part of
// RFC 3339 with milliseconds around the milliseconds: a busy service
// logs many lines a second, and formatting the date anew for each costs.
type secondText struct {
	sec  int64
	loc  *time.Location
	date []byte // "2006-01-02T15:04:05."
	zone []byte // "Z" or "-07:00"
}

// appendTime appends t as the standard handler does: RFC 3339 with
// milliseconds (truncated, always three digits) and the zone.
func (h *Handler) appendTime(b []byte, t time.Time) []byte {
	sec := t.Unix()
	st := h.secs.Load()
	if st == nil || st.sec != sec || st.loc != t.Location() {
		if st = newSecondText(t); st == nil {
			return appendRFC3339Millis(b, t)
		}
		h.secs.Store(st)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, st.date...)
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, st.zone...)
}

// newSecondText formats the second of t, or returns nil for a time the
// cache does not handle (years outside 0..9999, whose text is longer).
func newSecondText(t time.Time) *secondText {
	if y := t.Year(); y < 0 || y > 9999 {
		return nil
	}
	full := appendRFC3339Millis(nil, t)
	const dateLen = len("2006-01-02T15:04:05.")
	return &secondText{sec: t.Unix(), loc: t.Location(), date: full[:dateLen], zone: full[dateLen+3:]}
}

// appendRFC3339Millis appends t in RFC 3339 with exactly three digits of
// milliseconds, truncated, as the standard handler writes times.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros: a tenth of a millisecond added
	// keeps four digits, and the fourth is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if len(b) < n+prefixLen+1 {
		return b // a year the format writes otherwise; not reached in practice
	}
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// maxPooled is the largest line buffer kept for reuse.
const maxPooled = 16 << 10

// bufPool holds line buffers.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// lockedWriter makes each Write of the fast path and of the standard
// handler (which locks only itself) one uninterrupted write to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
