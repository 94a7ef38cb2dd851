package fotoweb

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryableStatus reports whether an idempotent request answered with
// status should be tried again.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableErr reports whether a transport error may be retried. For a
// non-idempotent request only failures before any connection existed
// (dial, DNS) qualify. Certificate errors and redirect refusals never do.
func retryableErr(err error, idempotent bool) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		errors.As(err, &invalid) || errors.As(err, &recordErr) || errors.Is(err, errRedirect) {
		return false
	}
	if idempotent {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff returns the pause before attempt n+1 after n failed attempts:
// full jitter over min(cap, base*2^(n-1)).
func (c *Client) backoff(n int) time.Duration {
	ceil := c.cfg.BackoffBase
	for i := 1; i < n && ceil < c.cfg.MaxRetryAfter; i++ {
		ceil *= 2
	}
	ceil = min(ceil, c.cfg.MaxRetryAfter)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(c.jitter(int64(ceil) + 1))
}

// retryAfter parses a Retry-After header (delta seconds, possibly with a
// fraction, or an HTTP date) relative to now. ok is false when the header
// is absent or unusable. The result is never negative.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		if secs != secs || secs < 0 { // NaN or negative
			return 0, false
		}
		if secs > 24*3600 {
			secs = 24 * 3600
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// retryDelay chooses the pause before the next attempt: the server's
// Retry-After when it sent one (capped at MaxRetryAfter), else backoff.
func (c *Client) retryDelay(failures int, header string) time.Duration {
	if d, ok := retryAfter(header, c.now()); ok {
		return min(d, c.cfg.MaxRetryAfter)
	}
	return c.backoff(failures)
}
