package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

// Defaults of the connection deadlines (Config.BodyTimeout and
// Config.WriteStallTimeout).
const (
	// DefaultBodyTimeout is how long a client has to send the body of a
	// request to a route that reads one (/v1/resolve, POST /v1/usage, the
	// webhook): bodies are at most 1 MiB.
	DefaultBodyTimeout = 10 * time.Second
	// DefaultWriteStallTimeout is how long a response write may make no
	// progress (a client that stopped reading) before the connection is
	// cut.
	DefaultWriteStallTimeout = 30 * time.Second
)

// bodyRoute reports whether the route template path, asked with method,
// reads a request body.
func bodyRoute(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	return path == "/v1/resolve" || path == "/v1/usage" || path == hookPrefix+":secret"
}

// bound sets the connection deadlines of one request, once its headers
// are read (net/http's ReadHeaderTimeout and ReadTimeout bound them):
//
//   - a request without a body has nothing more to read: the read
//     deadline is lifted, as net/http's background read, which only
//     watches for the client going away, would cancel the request's
//     context when it expires (a proxied image may stream for minutes);
//   - a body sent to a route that reads one must arrive within
//     Config.BodyTimeout; once it is read to its end the deadline is
//     lifted as above;
//   - a body sent to a route that reads none has to be there already:
//     the deadline is now, so the connection is closed after the answer
//     instead of waiting for the rest of the body.
//
// Writes get Config.WriteStallTimeout each, extended while bytes flow
// (see stallWriter), so that a long stream is never cut but a client
// that stops reading is.
//
// w is where the stallWriter goes (the caller's, so that it needs no
// allocation of its own); bound returns it, or nil when the writer has
// no deadlines (httptest.ResponseRecorder). now is the time.
func (s *Server) bound(c echo.Context, w *stallWriter, now time.Time) *stallWriter {
	req, res := c.Request(), c.Response()
	dl := deadlinesOf(res.Writer)
	if dl == nil {
		return nil // a writer without deadlines (httptest.ResponseRecorder)
	}
	*w = stallWriter{ResponseWriter: res.Writer, dl: dl, d: s.cfg.WriteStallTimeout}
	res.Writer = w
	w.extendAt(now, true) // a keep-alive connection keeps the last request's deadline
	switch {
	case req.ContentLength == 0:
		_ = dl.SetReadDeadline(time.Time{})
	case bodyRoute(req.Method, c.Path()):
		_ = dl.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
		req.Body = &deadlineBody{ReadCloser: req.Body, dl: dl, h: res.Header()}
	default:
		_ = dl.SetReadDeadline(time.Now())
	}
	return w
}

// deadliner sets a connection's deadlines: net/http's ResponseWriter
// does, and so does an http.ResponseController over a writer that
// unwraps to it.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// deadlinesOf returns what sets w's connection deadlines, or nil when w
// has none. net/http's own writer is used as it is (no allocation, no
// error per call); a wrapped one through a ResponseController.
func deadlinesOf(w http.ResponseWriter) deadliner {
	if d, ok := w.(deadliner); ok {
		return d
	}
	rc := http.NewResponseController(w)
	if rc.SetWriteDeadline(time.Time{}) != nil {
		return nil
	}
	return rc
}

// deadlineBody is a request body read under a deadline: at its end the
// read deadline is lifted; when the deadline cuts it, the connection is
// closed after the answer.
type deadlineBody struct {
	io.ReadCloser
	dl   deadliner
	h    http.Header
	done bool
}

// Read implements io.Reader.
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && !b.done:
		b.done = true
		_ = b.dl.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.h.Set("Connection", "close")
	}
	return n, err
}

// bodyTimedOut reports whether err is a request body cut by its
// deadline.
func bodyTimedOut(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// errBodyTimeout answers a body that did not arrive in time.
var errBodyTimeout = errorf(http.StatusRequestTimeout, "the request body was not received in time")

// stallWriter sets the connection's write deadline to d from now before
// writes, moving it at most every d/4, so that a write is cut only after
// at least 3d/4 without progress. It also bounds net/http's final flush
// of the response (see finish).
type stallWriter struct {
	http.ResponseWriter
	dl   deadliner
	d    time.Duration
	last time.Time // when the deadline was last moved
}

// extend moves the write deadline to d from now, if it was moved more
// than d/4 ago.
func (w *stallWriter) extend() { w.extendAt(time.Now(), false) }

// extendAt moves the write deadline to d from now, if it was moved more
// than d/4 before now or force is set.
func (w *stallWriter) extendAt(now time.Time, force bool) {
	if !force && now.Sub(w.last) < w.d/4 {
		return
	}
	w.last = now
	_ = w.dl.SetWriteDeadline(now.Add(w.d))
}

// finish gives net/http's flush of the rest of the answer, after the
// handler returned, at least 3d/4 (the deadline is moved only when it was
// set more than d/4 ago: a short answer keeps the one set at its start,
// which saves a timer update per request). *end is the time the answer
// was made, if known (zero: now). A nil w (no deadlines) does nothing.
func (w *stallWriter) finish(end *time.Time) {
	if w == nil {
		return
	}
	now := *end
	if now.IsZero() {
		now = time.Now()
	}
	w.extendAt(now, false)
}

// Write implements http.ResponseWriter.
func (w *stallWriter) Write(p []byte) (int, error) {
	w.extend()
	return w.ResponseWriter.Write(p)
}

// FlushError flushes the answer (http.ResponseController's Flush).
func (w *stallWriter) FlushError() error {
	w.extend()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
