package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.fault("/", fotowebtest.Fault{Status: http.StatusInternalServerError})
	r := e.get("/healthz")
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "ok\n" {
		t.Errorf("body %q", r.body)
	}
}

// readyz gets /readyz, wants status and returns the decoded answer.
func (e *env) readyz(t *testing.T, status int) (ReadyResult, response) {
	t.Helper()
	r := e.get("/readyz")
	wantStatus(t, r, status)
	var got ReadyResult
	decode(t, r, &got)
	return got, r
}

// nextReady moves the clock past the readiness interval, so that the
// next /readyz or scrape runs the checks again.
func (e *env) nextReady() { e.clock.Advance(DefaultReadyInterval + time.Second) }

// gauge is the value of an unlabelled metric as /metrics says, or
// "absent".
func (e *env) gauge(name string) string {
	e.t.Helper()
	for _, l := range strings.Split(string(e.get("/metrics").body), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return "absent"
}

// wantGauges checks the readiness gauges.
func (e *env) wantGauges(t *testing.T, fotowebUp, tokenOK, loginRequired string) {
	t.Helper()
	for name, want := range map[string]string{
		"fotoembed_fotoweb_up": fotowebUp, "fotoembed_token_ok": tokenOK, "fotoembed_token_login_required": loginRequired,
	} {
		if got := e.gauge(name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
}

// wantCheck checks one check of a readiness answer.
func wantCheck(t *testing.T, got ReadyResult, name, status, errText string) {
	t.Helper()
	if c := got.Checks[name]; c.Status != status || c.Error != errText {
		t.Errorf("check %s = %+v, want status %q error %q (answer %+v)", name, c, status, errText, got)
	}
}

// TestReadyz: the result is reused within the interval; FotoWeb failing
// its probe is "degraded" with the reason and /readyz stays 200 (cached
// content can still be served, and every replica shares FotoWeb: failing
// them all would turn a partial outage into a full one); FotoWeb back up
// is "ok" again. fotoembed_fotoweb_up follows.
func TestReadyz(t *testing.T) {
	e := newEnv(t, envOptions{})
	probes := func() int { return e.fake.Count(readyProbePath) }
	got, _ := e.readyz(t, http.StatusOK)
	if got.Status != "ok" {
		t.Fatalf("readyz %+v", got)
	}
	wantCheck(t, got, "token", "ok", "")
	wantCheck(t, got, "fotoweb", "ok", "")
	if n := probes(); n != 1 {
		t.Fatalf("%d probes, want 1", n)
	}
	for range 5 {
		wantStatus(t, e.get("/readyz"), http.StatusOK)
	}
	e.wantGauges(t, "1", "1", "0")
	if n := probes(); n != 1 {
		t.Errorf("%d probes within the interval (readyz and scrapes), want 1 (cached)", n)
	}

	e.fault(readyProbePath, fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	got, _ = e.readyz(t, http.StatusOK) // still the cached result
	wantCheck(t, got, "fotoweb", "ok", "")
	e.nextReady()
	got, r := e.readyz(t, http.StatusOK)
	if got.Status != "ok" {
		t.Errorf("readyz status %q with FotoWeb failing, want ok (degraded does not fail readiness)", got.Status)
	}
	wantCheck(t, got, "fotoweb", "degraded", "FotoWeb answered Service Unavailable")
	wantCheck(t, got, "token", "ok", "")
	if strings.Contains(string(r.body), "/fotoweb") {
		t.Errorf("readyz leaks internal detail: %s", r.body)
	}
	if n := probes(); n < 2 {
		t.Errorf("%d probes after the interval, want a new one", n)
	}
	e.wantGauges(t, "0", "1", "0")

	e.fake.ClearFaults()
	e.nextReady()
	got, _ = e.readyz(t, http.StatusOK)
	wantCheck(t, got, "fotoweb", "ok", "")
	e.wantGauges(t, "1", "1", "0")
}

// TestReadyzStrict: with ReadyStrict, FotoWeb failing fails readiness
// (503), and recovers.
func TestReadyzStrict(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.ReadyStrict = true }})
	got, _ := e.readyz(t, http.StatusOK)
	wantCheck(t, got, "fotoweb", "ok", "")

	e.fault("/fotoweb/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	e.nextReady()
	got, _ = e.readyz(t, http.StatusServiceUnavailable)
	if got.Status != "fail" {
		t.Errorf("readyz status %q, want fail", got.Status)
	}
	wantCheck(t, got, "fotoweb", "fail", "FotoWeb answered Service Unavailable")
	wantCheck(t, got, "token", "ok", "") // the cached token is still valid
	e.wantGauges(t, "0", "1", "0")

	e.fake.ClearFaults()
	e.nextReady()
	got, _ = e.readyz(t, http.StatusOK)
	wantCheck(t, got, "fotoweb", "ok", "")
}

// TestReadyzTokenEndpointDown: a cached token that is still valid passes
// the token check while the token endpoint is down.
func TestReadyzTokenEndpointDown(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.readyz(t, http.StatusOK) // a token is fetched and cached
	e.fake.SetTokenEndpointDown(true)
	e.nextReady()
	got, _ := e.readyz(t, http.StatusOK)
	wantCheck(t, got, "token", "ok", "")
	wantCheck(t, got, "fotoweb", "ok", "")
	e.wantGauges(t, "1", "1", "0")
}

// TestReadyzTokenFailure: no token to be had (the token endpoint down
// before the first token) is an upstream fault like FotoWeb down:
// "degraded", 200, with the reason; FotoWeb itself is probed without a
// token and reported up. With ReadyStrict it fails readiness.
func TestReadyzTokenFailure(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) {
			e := newEnv(t, envOptions{configure: func(c *Config) { c.ReadyStrict = strict }})
			e.fake.SetTokenEndpointDown(true)
			status, check := http.StatusOK, "degraded"
			if strict {
				status, check = http.StatusServiceUnavailable, "fail"
			}
			got, r := e.readyz(t, status)
			wantCheck(t, got, "token", check, "token endpoint answered Service Unavailable")
			wantCheck(t, got, "fotoweb", "ok", "")
			if n := e.fake.Count(readyGuestProbePath); n != 1 {
				t.Errorf("%d probes without a token, want 1", n)
			}
			if strings.Contains(string(r.body), "/fotoweb") {
				t.Errorf("readyz leaks internal detail: %s", r.body)
			}
			e.wantGauges(t, "1", "0", "0")
			// Recovery is TestReadyzLoginRequired's: when the real source
			// asks the endpoint again is its own (real-time) backoff.
		})
	}
}

// tokenSwitch is a token source that fails with err while it is set.
type tokenSwitch struct {
	err atomic.Pointer[error]
}

func (s *tokenSwitch) Token() (*oauth2.Token, error) {
	if p := s.err.Load(); p != nil {
		return nil, *p
	}
	return &oauth2.Token{AccessToken: "readiness-test-token"}, nil
}

func (s *tokenSwitch) fail(err error) { s.err.Store(&err) }

// TestReadyzLoginRequired: a login gone for good (an error matching
// tokens.ErrLoginRequired) is named in the body and in
// fotoembed_token_login_required; it is "degraded" (every replica shares
// the login, and cached content can still be served), "fail" with
// ReadyStrict; a new login clears it.
func TestReadyzLoginRequired(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) {
			ts := &tokenSwitch{}
			ts.fail(fmt.Errorf("tokens: refresh token grant failed: invalid_grant: %w", tokens.ErrLoginRequired))
			e := newEnv(t, envOptions{configure: func(c *Config) { c.Tokens, c.ReadyStrict = ts, strict }})
			status, check := http.StatusOK, "degraded"
			if strict {
				status, check = http.StatusServiceUnavailable, "fail"
			}
			got, r := e.readyz(t, status)
			wantCheck(t, got, "token", check, "login required: run `fotoembed login`")
			wantCheck(t, got, "fotoweb", "ok", "")
			if strings.Contains(string(r.body), "invalid_grant") {
				t.Errorf("readyz carries the token endpoint's detail: %s", r.body)
			}
			e.wantGauges(t, "1", "0", "1")

			ts.err.Store(nil) // fotoembed login
			e.nextReady()
			got, _ = e.readyz(t, http.StatusOK)
			wantCheck(t, got, "token", "ok", "")
			e.wantGauges(t, "1", "1", "0")
		})
	}
}

// TestReadyzGaugesWithoutReadyz: the gauges are fresh when nothing calls
// /readyz: a scrape runs the checks when the last result is older than
// the interval, and reuses it within.
func TestReadyzGaugesWithoutReadyz(t *testing.T) {
	e := newEnv(t, envOptions{})
	probes := func() int { return e.fake.Count(readyProbePath) }
	e.wantGauges(t, "1", "1", "0")
	if n := probes(); n != 1 {
		t.Fatalf("%d probes after the first scrapes, want 1", n)
	}
	e.fault(readyProbePath, fotowebtest.Fault{Status: http.StatusBadGateway})
	if got := e.gauge("fotoembed_fotoweb_up"); got != "1" {
		t.Errorf("fotoembed_fotoweb_up = %s within the interval, want the cached 1", got)
	}
	e.nextReady()
	if got := e.gauge("fotoembed_fotoweb_up"); got != "0" {
		t.Errorf("fotoembed_fotoweb_up = %s after the interval with FotoWeb failing, want 0", got)
	}
	got, _ := e.readyz(t, http.StatusOK) // the scrape's result
	wantCheck(t, got, "fotoweb", "degraded", "FotoWeb answered Bad Gateway")
}

// TestTokenMessage: the token check's reasons, without internal detail.
func TestTokenMessage(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("wrapped: %w", tokens.ErrLoginRequired), msgLoginRequired},
		{&tokens.Error{Op: "client credentials grant", Status: 401, Code: "invalid_client", Description: "secret abc"}, "token endpoint answered invalid_client"},
		{&tokens.Error{Op: "client credentials grant", Status: 400, Code: "<script>"}, "token endpoint answered Bad Request"},
		{&tokens.Error{Op: "client credentials grant", Status: 503}, "token endpoint answered Service Unavailable"},
		{&tokens.Error{Op: "client credentials grant", Err: errors.New("dial tcp: connection refused")}, "token endpoint unreachable"},
		{fmt.Errorf("tokens: waiting for a token: %w", context.DeadlineExceeded), "timeout"},
		{errors.New("empty token"), "no token"},
	} {
		if got := tokenMessage(tt.err); got != tt.want {
			t.Errorf("tokenMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
