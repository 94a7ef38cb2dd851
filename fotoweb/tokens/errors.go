package tokens

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	shared "github.com/fotoembed/fotoembed/internal/redact"
)

// ErrNoToken is returned by [TokenStore.Load] when nothing is stored.
var ErrNoToken = errors.New("tokens: no stored token")

// ErrLoginRequired matches (errors.Is) every error that only a new
// interactive login can cure: the refresh token was rejected
// (invalid_grant) or there is none.
var ErrLoginRequired = errors.New("tokens: the stored login is no longer valid; run `fotoembed login` again")

// Operations named in [Error.Op].
const (
	opClientCredentials = "client credentials grant"
	opExchange          = "authorization code exchange"
	opRefresh           = "refresh token grant"
	opSave              = "saving the refreshed token"
)

// Error is a failed token request or a failure to keep its result. It
// holds the RFC 6749 error code and description from the token endpoint,
// never the response body, a secret or a token.
type Error struct {
	Op          string // what failed, e.g. "refresh token grant"
	Status      int    // HTTP status of the token endpoint's answer; 0 if there was none
	Code        string // RFC 6749 "error", e.g. "invalid_grant"; "" if the answer had none
	Description string // RFC 6749 "error_description", sanitised
	Err         error  // underlying cause when the endpoint gave no OAuth error (network, store)
}

// Error implements error: "tokens: <op> failed: <code>: <description>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tokens: ")
	b.WriteString(e.Op)
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, " failed: %s", e.Code)
		if e.Description != "" {
			b.WriteString(": " + e.Description)
		}
	case e.Status != 0:
		fmt.Fprintf(&b, " failed: token endpoint answered %d %s", e.Status, http.StatusText(e.Status))
	case e.Err != nil:
		b.WriteString(" failed: " + strings.TrimPrefix(e.Err.Error(), "tokens: "))
	default:
		b.WriteString(" failed")
	}
	if e.loginRequired() {
		b.WriteString("; run `fotoembed login` again")
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e matches target; an invalid_grant answer to a
// refresh matches [ErrLoginRequired].
func (e *Error) Is(target error) bool {
	return target == ErrLoginRequired && e.loginRequired()
}

func (e *Error) loginRequired() bool {
	return e.Op == opRefresh && e.Code == "invalid_grant"
}

// wrapErr turns an error from x/oauth2 into an *Error, dropping the
// response body and removing every secret from what remains.
func wrapErr(op string, err error, secrets ...string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &Error{Op: op, Code: sanitize(re.ErrorCode, 64, secrets), Description: sanitize(re.ErrorDescription, 300, secrets)}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		return e
	}
	if msg := err.Error(); redact(msg, secrets) != msg {
		err = errors.New(redact(msg, secrets))
	}
	return &Error{Op: op, Err: err}
}

// sanitize removes secrets and control characters and caps the length of
// a server-provided string.
func sanitize(s string, max int, secrets []string) string {
	s = redact(s, secrets)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return strings.TrimSpace(s)
}

// redact removes the secrets, in every encoding, and anything
// token-like from s (see package internal/redact).
func redact(s string, secrets []string) string {
	return shared.New(secrets...).String(s)
}
