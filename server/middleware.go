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
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/labstack/echo/v4"
)

// maxRequestIDLen bounds an accepted incoming X-Request-Id.
const maxRequestIDLen = 64

// setRequestID accepts a well-formed incoming X-Request-Id or makes one,
// and sets it on the response, where requestID(c) finds it (no
// per-request map, as echo.Context.Set would allocate). r holds the
// header value, and the id made.
func setRequestID(c echo.Context, r *requestIDValue) {
	if id := c.Request().Header.Get(echo.HeaderXRequestID); validRequestID(id) {
		r.v[0] = id
	} else {
		r.make()
	}
	c.Response().Header()[echo.HeaderXRequestID] = r.v[:]
}

// front is the service's one middleware: it sets the connection's
// deadlines for the route (see bound) and the request id, runs next with
// panics recovered after the rate limits (see rateLimits.check), writes
// errors through the error handler (so that the final status is known),
// records the request metrics and logs one line per request (URLs
// redacted, headers never logged). One middleware instead of several
// saves Echo closures per request.
//
// Echo v4 applies its middleware to the route's handler on every
// request, so that front(next) making its closure anew would cost an
// allocation per request: the handler made for each next is kept (see
// handlerCache) in the server's rateLimits, and the rate limits'
// middleware is a no-op (see Server.rateLimit).
func (s *Server) front(next echo.HandlerFunc) echo.HandlerFunc {
	if rl := s.limits; rl != nil {
		return rl.fronts.get(next, s.frontFor)
	}
	return s.frontFor(next)
}

// frontFor returns front's handler around next.
func (s *Server) frontFor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := &frontState{start: time.Now()}
		w := s.bound(c, &st.w, st.start)
		defer w.finish(&st.end)
		setRequestID(c, &st.id)
		s.logRequest(c, next, st)
		return nil
	}
}

// frontState is what front keeps for one request, in one allocation: the
// response writer that moves the write deadline, the request id, and
// when the request started and was answered (one clock reading serves
// the deadlines and the duration).
type frontState struct {
	w          stallWriter
	id         requestIDValue
	start, end time.Time
}

// handlerCache keeps the handler a middleware made around each handler
// it was given, by the identity of that handler's closure. Echo hands the
// middleware the same closure for a route on every request (the one its
// router keeps), so the cache holds one handler per route, plus Echo's
// not-found and method-not-allowed handlers. Each kept handler holds the
// closure it wraps, so a closure's address cannot be reused for another
// while it is a key. Past maxCachedHandlers (handlers that change per
// request, which the service's chain never gives), handlers are made per
// call as before.
type handlerCache struct {
	m sync.Map // unsafe.Pointer (the wrapped closure) → echo.HandlerFunc
	n atomic.Int32
}

// maxCachedHandlers bounds a handlerCache.
const maxCachedHandlers = 256

// get returns wrap(next), made once per next.
func (hc *handlerCache) get(next echo.HandlerFunc, wrap func(echo.HandlerFunc) echo.HandlerFunc) echo.HandlerFunc {
	// A func value is a pointer to its closure.
	key := *(*unsafe.Pointer)(unsafe.Pointer(&next))
	if h, ok := hc.m.Load(key); ok {
		return h.(echo.HandlerFunc)
	}
	h := wrap(next)
	if hc.n.Load() < maxCachedHandlers {
		if prev, loaded := hc.m.LoadOrStore(key, h); loaded {
			return prev.(echo.HandlerFunc)
		}
		hc.n.Add(1)
	}
	return h
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

// requestIDValue is the X-Request-Id header value of a response, with
// room for a request id made for it.
type requestIDValue struct {
	v [1]string
	b [32]byte
}

// make sets r to a new request id of 32 hex digits.
func (r *requestIDValue) make() {
	const digits = "0123456789abcdef"
	n := (requestIDSeq.Add(1) ^ requestIDKey[1]) * 0x9e3779b97f4a7c15
	for i, v := range [2]uint64{requestIDKey[0], n} {
		for j := 15; j >= 0; j-- {
			r.b[i*16+j] = digits[v&0xf]
			v >>= 4
		}
	}
	// r.b is not written again: the string may share its bytes.
	r.v[0] = unsafe.String(&r.b[0], len(r.b))
}

// requestID returns the request id of c ("" before the middleware ran).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// logRequest runs next under callRecovering, then records and logs the
// request, timed from st.start; it sets st.end.
func (s *Server) logRequest(c echo.Context, next echo.HandlerFunc, st *frontState) {
	if err := s.callRecovering(c, next); err != nil {
		c.Error(err)
	}
	st.end = time.Now()
	d := st.end.Sub(st.start)
	req, res := c.Request(), c.Response()
	route := s.routeLabel(c)
	s.metrics.observeRequest(route, req.Method, res.Status, d)
	level := slog.LevelInfo
	if res.Status >= 500 && res.Status != http.StatusNotImplemented {
		level = slog.LevelWarn
	}
	ctx := req.Context()
	h := s.access.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	// The record is what s.access.LogAttrs would make, with the time the
	// request was answered and the caller's program counter found once.
	r := slog.NewRecord(st.end, level, "request", accessLogPC())
	r.AddAttrs(
		slog.String("request_id", requestID(c)),
		slog.String("method", methodLabel(req.Method)), // the same bounded set as the metric
		slog.String("uri", s.red.uri(req.URL)),
		slog.String("route", route),
		slog.Int("status", res.Status),
		slog.Int64("bytes", res.Size),
		slog.Duration("duration", d),
		slog.String("remote_ip", c.RealIP()),
	)
	_ = h.Handle(ctx, r)
}

// accessLogPCs holds the program counter of the access log's records
// (shown by a handler with AddSource): that of logRequest, found once
// rather than by a stack walk per request as slog.Logger.LogAttrs does.
var accessLogPCs atomic.Uintptr

// accessLogPC returns the program counter of its caller, logRequest,
// found on the first call.
func accessLogPC() uintptr {
	if pc := accessLogPCs.Load(); pc != 0 {
		return pc
	}
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:]) // skip runtime.Callers and accessLogPC
	accessLogPCs.Store(pcs[0])
	return pcs[0]
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

// callRecovering applies the rate limits and runs next, turning a panic
// into a 500 with a log line; http.ErrAbortHandler is passed on (it
// aborts the connection on purpose).
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
	if err := s.limits.check(c); err != nil {
		return err
	}
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
