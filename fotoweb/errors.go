package fotoweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors for errors.Is. Every *Error with a matching status
// matches one of them.
var (
	ErrNotFound     = errors.New("fotoweb: not found")
	ErrUnauthorized = errors.New("fotoweb: unauthorized")
	ErrForbidden    = errors.New("fotoweb: forbidden")
	ErrRateLimited  = errors.New("fotoweb: rate limited")
	ErrGone         = errors.New("fotoweb: gone")

	// ErrBadRef is wrapped by every error ParseAssetRef returns.
	ErrBadRef = errors.New("fotoweb: bad asset reference")
	// ErrOffOrigin is wrapped when a URL (given by the caller or found in
	// a FotoWeb answer) is not on the configured origin; the client never
	// sends a token there.
	ErrOffOrigin = errors.New("fotoweb: URL not on the FotoWeb origin")
	// ErrUnavailable matches transport failures (connection refused or
	// reset, timeouts) and *Error answers 408, 500 and above: FotoWeb is
	// unreachable or failing.
	ErrUnavailable = errors.New("fotoweb: server unavailable")
	// ErrNotReady is wrapped when a requested rendition was still pending
	// after the configured number of polls.
	ErrNotReady = errors.New("fotoweb: rendition not ready")
)

// Error is a failed FotoWeb response. It never holds a token or secret:
// URLs in it have their query removed and the body excerpt is redacted.
type Error struct {
	Method    string // HTTP method
	Path      string // request path, without query
	Status    int    // HTTP status code
	RequestID string // FotoWeb's X-RequestId, for support
	Body      string // short, redacted excerpt of the response body
}

// Error returns "fotoweb: METHOD /path: status text", the request id and
// the body excerpt.
func (e *Error) Error() string {
	msg := fmt.Sprintf("fotoweb: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is reports whether e matches one of the sentinel errors by status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrGone:
		return e.Status == http.StatusGone
	case ErrUnavailable:
		return e.Status == http.StatusRequestTimeout || e.Status >= 500
	}
	return false
}

// transportError is a request that got no usable answer. Its message names
// the method and the path only (net/url's *url.Error would print the whole
// URL, access_token included) and is redacted once more on output.
type transportError struct {
	method, path string
	err          error
	caller       bool // the caller's context ended; not FotoWeb's fault
}

func (e *transportError) Error() string {
	return redact("fotoweb: " + e.method + " " + e.path + ": " + e.err.Error())
}

func (e *transportError) Unwrap() error { return e.err }

// Is makes every transport failure except the end of the caller's context
// match ErrUnavailable.
func (e *transportError) Is(target error) bool {
	return target == ErrUnavailable && !e.caller
}

// timeoutError is one attempt running past Config.Timeout. It matches
// context.DeadlineExceeded and is a net.Error with Timeout() true.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string   { return fmt.Sprintf("no answer within %v", e.d) }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }
func (e *timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded
}

// safeError wraps an error from outside the package (a token source) so
// its message is redacted; errors.Is and errors.As still see the original.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return redact(e.msg + ": " + e.err.Error()) }
func (e *safeError) Unwrap() error { return e.err }
