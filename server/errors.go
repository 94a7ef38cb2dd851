package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// httpError is an error with its HTTP status and a public message that is
// safe to show: it never carries a token, a secret or internal detail.
// The cause is logged (redacted) for server errors.
type httpError struct {
	status int
	msg    string
	err    error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *httpError) Unwrap() error { return e.err }

// errorf returns an httpError with a formatted public message.
func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// badRequest returns a 400 error saying what was wrong.
func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}

// Public messages of the mapped errors.
const (
	msgBadSignature = "invalid signature"
	msgExpired      = "this URL has expired"
	msgNotFound     = "asset not found"
	msgNoImage      = "asset has no usable image"
	msgUnavailable  = "FotoWeb is unavailable"
	msgTimeout      = "FotoWeb did not answer in time"
	msgInternal     = "internal server error"
	msgCancelled    = "request cancelled"
	msgRendition    = "renditions are served only in proxy delivery"
)

// classify maps an error to its status and public message.
func classify(err error) (int, string) {
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.status, he.msg
	case errors.As(err, &ee):
		return ee.Code, echoMessage(ee)
	case errors.Is(err, urlsig.ErrBadSignature):
		return http.StatusForbidden, msgBadSignature
	case errors.Is(err, urlsig.ErrExpired):
		return http.StatusGone, msgExpired
	case errors.Is(err, embed.ErrUnpublished):
		return http.StatusGone, publicMessage(err)
	case errors.Is(err, urlsig.ErrMalformed), errors.Is(err, urlsig.ErrBadOptions),
		errors.Is(err, embed.ErrBadOption), errors.Is(err, embed.ErrNoAlt),
		errors.Is(err, embed.ErrBadRef), errors.Is(err, fotoweb.ErrBadRef):
		return http.StatusBadRequest, publicMessage(err)
	case errors.Is(err, embed.ErrRenditionOption):
		return http.StatusBadRequest, msgRendition
	case errors.Is(err, fotoweb.ErrNotFound), errors.Is(err, fotoweb.ErrGone):
		return http.StatusNotFound, msgNotFound
	case errors.Is(err, embed.ErrNoImage):
		return http.StatusNotFound, msgNoImage
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, fotoweb.ErrNotReady):
		return http.StatusGatewayTimeout, msgTimeout
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, msgCancelled
	case upstream(err):
		return http.StatusBadGateway, msgUnavailable
	}
	return http.StatusInternalServerError, msgInternal
}

// upstream reports whether err means FotoWeb (or its token endpoint)
// failed us.
func upstream(err error) bool {
	var fe *fotoweb.Error
	return errors.As(err, &fe) ||
		errors.Is(err, embed.ErrUpstream) || errors.Is(err, embed.ErrToken) || errors.Is(err, embed.ErrNoPolicy) ||
		errors.Is(err, fotoweb.ErrUnavailable) || errors.Is(err, fotoweb.ErrUnauthorized) ||
		errors.Is(err, fotoweb.ErrForbidden) || errors.Is(err, fotoweb.ErrRateLimited) ||
		errors.Is(err, fotoweb.ErrOffOrigin)
}

// echoMessage returns an echo.HTTPError's message as text.
func echoMessage(e *echo.HTTPError) string {
	if s, ok := e.Message.(string); ok {
		return s
	}
	return strings.ToLower(http.StatusText(e.Code))
}

// publicMessage is err's message without package prefixes, redacted. It
// is used only for client errors, whose messages say what was wrong with
// the client's own input.
func publicMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"embed: ", "fotoweb: ", "urlsig: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return redactText(msg)
}

// errorHandler is the server's echo.HTTPErrorHandler: it maps err, logs
// server errors with the request id, and answers with JSON for API routes
// and plain text for image and page routes.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		s.logCommitted(err, c)
		return
	}
	status, msg := classify(err)
	s.logError(c, status, err)
	h := c.Response().Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Type", "Location"} {
		h.Del(k)
	}
	h.Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Bearer realm="fotoembed"`)
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case plainTextRoute(c.Request().URL.Path, s.cfg.Signer.Prefix()):
		werr = c.String(status, msg+"\n")
	default:
		werr = c.JSON(status, map[string]string{"message": msg})
	}
	if werr != nil {
		s.log.Debug("writing error response", "request_id", requestID(c), "err", redactText(werr.Error()))
	}
}

// plainTextRoute reports whether errors on path are answered as text.
func plainTextRoute(path, prefix string) bool {
	return strings.HasPrefix(path, prefix+"/") || strings.HasPrefix(path, "/p/")
}

// logError logs the cause of server errors (5xx) with the request id.
func (s *Server) logError(c echo.Context, status int, err error) {
	if status < 500 || status == http.StatusNotImplemented {
		return
	}
	level := slog.LevelWarn
	if status == http.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log.Log(c.Request().Context(), level, "request failed",
		"request_id", requestID(c), "status", status, "route", c.Path(), "err", s.redact(err.Error()))
}

// logCommitted logs an error that happened after the response started
// (a stream cut short); nothing can be sent any more.
func (s *Server) logCommitted(err error, c echo.Context) {
	s.log.Warn("error after response started", "request_id", requestID(c), "route", c.Path(),
		"err", s.redact(err.Error()))
}
