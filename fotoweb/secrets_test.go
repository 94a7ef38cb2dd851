package fotoweb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"golang.org/x/oauth2"
)

// assertNoSecret fails when msg holds any of the tokens (or their query
// encoding).
func assertNoSecret(t *testing.T, what, msg string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if tok == "" {
			continue
		}
		if strings.Contains(msg, tok) || strings.Contains(msg, url.QueryEscape(tok)) {
			t.Errorf("%s leaks a token: %s", what, msg)
		}
	}
}

// TestNoTokenInErrors triggers every error path with the token in the
// query and checks that no error string or log line holds a token.
func TestNoTokenInErrors(t *testing.T) {
	clk := testutil.NewClockNow()
	e := newEnv(t, fotowebtest.Options{RenditionPending: 100, RenditionTTL: time.Minute, Now: clk.Now},
		Config{TokenInQuery: true, MaxAttempts: 2, Timeout: 200 * time.Millisecond, RenditionPollMax: 2})
	ctx := context.Background()
	a, err := e.c.Asset(ctx, landscape)
	if err != nil {
		t.Fatal(err)
	}
	tok := e.tokens.allIssued()[0]
	original := a.Renditions[0].Href
	var errs []error
	add := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
	}
	fault := func(f fotowebtest.Fault) { e.fresh(); e.fake.SetFault(landscapePath, f) }

	_, err = e.c.Asset(ctx, "/fotoweb/archives/5001-Photos/nope.jpg.info")
	add("404", err)
	for _, status := range []int{400, 403, 429, 500, 503} {
		fault(fotowebtest.Fault{Status: status, RetryAfter: time.Second})
		_, err = e.c.Asset(ctx, landscape)
		add(fmt.Sprint(status), err)
	}
	fault(fotowebtest.Fault{Reset: true})
	_, err = e.c.Asset(ctx, landscape)
	add("reset", err)
	fault(fotowebtest.Fault{Latency: time.Second})
	_, err = e.c.Asset(ctx, landscape)
	add("timeout", err)
	e.fake.ClearFaults()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.c.Asset(cctx, landscape)
	add("canceled", err)
	_, err = e.c.Asset(ctx, "https://evil.example"+landscape+"?access_token="+tok)
	add("bad ref", err)
	_, err = e.c.Open(ctx, "https://evil.example/x.jpg?access_token="+tok, "", nil)
	add("open off origin", err)
	_, err = e.c.Open(ctx, "/fotoweb/cache/v2/nope.jpg?access_token="+tok, "", nil)
	add("open 404", err)
	_, err = e.c.Rendition(ctx, original)
	add("not ready", err)
	e.sleeps.on = func(time.Duration) { clk.Advance(2 * time.Minute) }
	_, err = e.c.Rendition(ctx, original)
	add("gone", err)
	e.sleeps.on = nil

	// 401 with a source that cannot invalidate.
	e.c.cfg.Tokens = plainTokens{e.tokens}
	e.fake.RevokeTokens()
	_, err = e.c.Asset(ctx, landscape)
	add("401", err)

	// A token source whose error quotes the token.
	e.c.cfg.Tokens = failingTokens{tok}
	_, err = e.c.Asset(ctx, landscape)
	add("token source", err)

	sentinels := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrGone, ErrBadRef, ErrOffOrigin, ErrUnavailable, ErrNotReady, context.Canceled, context.DeadlineExceeded}
	matched := map[error]bool{}
	for _, err := range errs {
		assertNoSecret(t, "error", err.Error(), e.tokens.allIssued()...)
		if !strings.Contains(err.Error(), "fotoweb: ") {
			t.Errorf("error without package prefix: %v", err)
		}
		for _, s := range sentinels {
			matched[s] = matched[s] || errors.Is(err, s)
		}
	}
	for _, s := range sentinels {
		if !matched[s] {
			t.Errorf("no error path matched %v", s)
		}
	}
	assertNoSecret(t, "log", e.logs.String(), e.tokens.allIssued()...)
	if !strings.Contains(e.logs.String(), "retrying") {
		t.Error("retries were not logged")
	}
}

type failingTokens struct{ tok string }

func (f failingTokens) Token() (*oauth2.Token, error) {
	return nil, &oauth2.RetrieveError{Body: []byte(`{"access_token":"` + f.tok + `"}`), ErrorCode: "invalid_grant",
		ErrorDescription: "token " + f.tok + " Bearer " + f.tok}
}

// TestHostileServerEchoesToken: a server (or proxy) that echoes the
// request, token included, into its answers must not get the token into
// an error string.
func TestHostileServerEchoesToken(t *testing.T) {
	const tok = "opaque.plain-token_value~42" // no JWT shape: only exact redaction catches it
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := r.URL.String() + " " + r.Header.Get("Authorization")
		w.Header().Set("X-RequestId", "id-"+r.URL.Query().Get("access_token"))
		switch {
		case strings.HasSuffix(r.URL.Path, "/redirect.jpg"):
			http.Redirect(w, r, other.URL+"/x?access_token="+url.QueryEscape(tok), http.StatusFound)
		case strings.HasSuffix(r.URL.Path, "/html.info"):
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>"+echo)
		case strings.HasSuffix(r.URL.Path, "/garbage.info"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"href": "`+echo)
		default:
			w.WriteHeader(400)
			io.WriteString(w, "bad request for "+echo+" token="+tok)
		}
	}))
	defer srv.Close()
	for _, inQuery := range []bool{false, true} {
		c, err := New(Config{BaseURL: srv.URL, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok}),
			TokenInQuery: inQuery, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var errs []error
		_, err = c.Asset(ctx, "/fotoweb/archives/1/x/a.info")
		errs = append(errs, err)
		_, err = c.Asset(ctx, "/fotoweb/archives/1/x/html.info")
		errs = append(errs, err)
		_, err = c.Asset(ctx, "/fotoweb/archives/1/x/garbage.info")
		errs = append(errs, err)
		_, err = c.Open(ctx, "/fotoweb/cache/redirect.jpg", "", nil)
		errs = append(errs, err)
		_, err = c.Open(ctx, "/fotoweb/cache/a.jpg", tok, nil)
		errs = append(errs, err)
		for i, err := range errs {
			if err == nil {
				t.Errorf("case %d: no error", i)
				continue
			}
			assertNoSecret(t, fmt.Sprintf("inQuery=%v case %d", inQuery, i), err.Error(), tok)
		}
	}
}
