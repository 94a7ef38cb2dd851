package fotoweb

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors for errors.Is. Every *Error with a matching status
// matches one of them.
var (
	ErrNotFound     = errors.New("fotoweb: not found")
	ErrUnauthorized = errors.New("fotoweb: unauthorized")
	ErrForbidden    = errors.New("fotoweb: forbidden")
	ErrRateLimited  = errors.New("fotoweb: rate limited")
	ErrGone         = errors.New("fotoweb: gone")
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
	}
	return false
}
