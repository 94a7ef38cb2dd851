package urltoken

import (
	"context"
	"net/http"
	"strings"

	"github.com/fotoembed/fotoembed/embed"
)

// Fixed is a URL token policy set by the operator (--url-token none,
// preview or access), with the reason to report.
type Fixed struct {
	Policy embed.URLToken
	Reason string
}

// URLToken implements embed.URLTokenPolicy.
func (f Fixed) URLToken() embed.URLToken { return f.Policy }

// State returns the fixed policy and its reason.
func (f Fixed) State() State { return State{Policy: f.Policy, Reason: f.Reason} }

// probeKey marks the Prober's own requests, which Transport does not
// count as refusals.
type probeKey struct{}

// RecheckTransport wraps base (nil: http.DefaultTransport) so that
// FotoWeb refusing a server-side fetch (401 or 403, the token endpoint
// and the Prober's own probes excepted) calls recheck (a Prober's
// Recheck): the instance's rule may have changed.
func RecheckTransport(base http.RoundTripper, recheck func()) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return recheckTransport{recheck: recheck, base: base}
}

type recheckTransport struct {
	recheck func()
	base    http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t recheckTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) &&
		req.Context().Value(probeKey{}) == nil && !strings.HasSuffix(req.URL.Path, "/oauth2/token") {
		t.recheck()
	}
	return resp, err
}

// probeContext marks ctx as the Prober's own.
func probeContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, probeKey{}, true)
}
