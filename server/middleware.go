package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// maxRequestIDLen bounds an accepted incoming X-Request-Id.
const maxRequestIDLen = 64

// setRequestID accepts a well-formed incoming X-Request-Id or makes one,
// and sets it on the response, where requestID(c) finds it (no
// per-request map, as echo.Context.Set would allocate).
func setRequestID(c echo.Context) {
	id := c.Request().Header.Get(echo.HeaderXRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Response().Header()[echo.HeaderXRequestID] = []string{id}
}

// front is the service's one middleware: it sets the connection's
// deadlines for the route (see bound) and the request id, runs next with
// panics recovered, writes errors through the error handler (so that the
// final status is known), records the request metrics and logs one line
// per request (URLs redacted, headers never logged). One middleware
// instead of three saves Echo two closures per request.
func (s *Server) front(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		w := s.bound(c)
		defer w.finish()
		setRequestID(c)
		return s.logRequest(c, next)
	}
}

// validRequestID reports whether id is 1..64 characters of [A-Za-z0-9._-].
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// requestIDKey and requestIDSeq make request ids: 32 hex digits, a
// random per-process prefix and a per-request counter mixed with a
// random key through an odd multiplication (a bijection, so ids stay
// unique within the process). Ids correlate log lines; they are not
// secrets, and need no crypto/rand read per request.
var (
	requestIDKey [2]uint64
	requestIDSeq atomic.Uint64
)

func init() {
	var b [16]byte
	_, _ = rand.Read(b[:])
	requestIDKey[0] = binary.LittleEndian.Uint64(b[:8])
	requestIDKey[1] = binary.LittleEndian.Uint64(b[8:])
}

// newRequestID returns a new request id of 32 hex digits.
func newRequestID() string {
	const digits = "0123456789abcdef"
	n := (requestIDSeq.Add(1) ^ requestIDKey[1]) * 0x9e3779b97f4a7c15
	var b [32]byte
	for i, v := range [2]uint64{requestIDKey[0], n} {
		for j := 15; j >= 0; j-- {
			b[i*16+j] = digits[v&0xf]
			v >>= 4
		}
	}
	return string(b[:])
}

// requestID returns the request id of c ("" before the middleware ran).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// logRequest runs next under callRecovering, then records and logs the
// request.
func (s *Server) logRequest(c echo.Context, next echo.HandlerFunc) error {
	start := time.Now()
	if err := s.callRecovering(c, next); err != nil {
		c.Error(err)
	}
	d := time.Since(start)
	req, res := c.Request(), c.Response()
	route := s.routeLabel(c)
	s.metrics.observeRequest(route, req.Method, res.Status, d)
	level := slog.LevelInfo
	if res.Status >= 500 && res.Status != http.StatusNotImplemented {
		level = slog.LevelWarn
	}
	ctx := req.Context()
	if !s.access.Enabled(ctx, level) {
		return nil
	}
	s.access.LogAttrs(ctx, level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", methodLabel(req.Method)), // the same bounded set as the metric
		slog.String("uri", s.red.uri(req.URL)),
		slog.String("route", route),
		slog.Int("status", res.Status),
		slog.Int64("bytes", res.Size),
		slog.Duration("duration", d),
		slog.String("remote_ip", c.RealIP()),
	)
	return nil
}

// routeLabel is the route template of c for metrics and logs, or
// "unmatched" for requests no route matched (whatever their path or
// method), so that clients cannot add label values.
func (s *Server) routeLabel(c echo.Context) string {
	if p := c.Path(); s.routeSet[c.Request().Method+" "+p] {
		return p
	}
	return "unmatched"
}

// callRecovering runs next, turning a panic into a 500 with a log line;
// http.ErrAbortHandler is passed on (it aborts the connection on purpose).
func (s *Server) callRecovering(c echo.Context, next echo.HandlerFunc) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		s.log.Error("panic", "request_id", requestID(c), "panic", s.redact(fmt.Sprint(r)),
			"stack", s.redact(string(debug.Stack())))
		err = errorf(http.StatusInternalServerError, msgInternal)
	}()
	return next(c)
}

// timeout bounds the request's upstream work by Config.RequestTimeout.
func (s *Server) timeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// noStore marks API answers as not cacheable.
func (s *Server) noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// ipExtractor returns the client-IP rule: the connection's address, or,
// when trusted proxies are configured, the nearest untrusted address in
// X-Forwarded-For as seen from them.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
