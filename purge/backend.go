package purge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// job is one purge: an asset's tag and why.
type job struct {
	asset  string // canonical href, for logs and WebhookConfig.URLs
	tag    string // Tag(asset)
	reason string // "modified", "deleted" or "unpublished"
	once   string // the Once key; "" without Config.Once
}

// backend is one place purges are sent to.
type backend interface {
	// label is the backend's metrics label: webhook, varnish, fastly or
	// cloudflare.
	label() string
	// target names the backend in logs and errors, with no secret.
	target() string
	// secrets are the values to scrub from anything logged.
	secrets() []string
	// request builds the HTTP request of one attempt.
	request(ctx context.Context, j job) (*http.Request, error)
	// check inspects a 2xx answer's body; nil means the purge was done.
	check(body []byte) error
}

// maxBody bounds what is read of an answer.
const maxBody = 64 << 10

// sendError is a failed attempt.
type sendError struct {
	status     int           // HTTP status; 0 when no answer came
	retry      bool          // another attempt may succeed
	retryAfter time.Duration // the backend's Retry-After (429, 503), or 0
	msg        string
}

func (e *sendError) Error() string { return e.msg }

// send makes one attempt of j on b, bounded by timeout.
func send(ctx context.Context, hc *http.Client, b backend, j job, timeout time.Duration, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := b.request(ctx, j)
	if err != nil {
		return &sendError{msg: fmt.Sprintf("purge: %s: %v", b.target(), err)}
	}
	res, err := hc.Do(req)
	if err != nil {
		// Connection refused, reset, timeout: worth another try, unless
		// the purger is giving up.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // *url.Error repeats the URL, which may hold a secret
		}
		return &sendError{retry: ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded),
			msg: fmt.Sprintf("purge: %s %s: %v", req.Method, b.target(), err)}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if err := b.check(body); err != nil {
			return &sendError{status: res.StatusCode, msg: fmt.Sprintf("purge: %s %s: %v", req.Method, b.target(), err)}
		}
		return nil
	}
	e := &sendError{status: res.StatusCode, retry: retryable(res.StatusCode),
		msg: fmt.Sprintf("purge: %s %s: %s%s", req.Method, b.target(), res.Status, excerpt(body))}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
		e.retryAfter = retryAfter(res.Header.Get("Retry-After"), now)
	}
	return e
}

// retryable reports whether an answer with status may go better later.
func retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter parses a Retry-After value: seconds or an HTTP date. It
// returns 0 when absent or unparsable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// excerpt is the start of an error answer's body, on one line, for the
// log.
func excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	if !utf8.ValidString(s) {
		return ""
	}
	return ": " + s
}

// scrub replaces every secret in s, in every encoding, and anything
// token-like (see package internal/redact).
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" && len(sec) < redact.MinSecretLen {
			s = strings.ReplaceAll(s, sec, redact.Marker) // too short for a Redactor
		}
	}
	return redact.New(secrets...).String(s)
}
