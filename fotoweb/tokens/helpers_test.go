package tokens_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// redirectURL is a loopback redirect URI; the fake registers any such URI
// for its applications. Nothing listens there: the tests read the code
// from the authorize endpoint's Location header.
const redirectURL = "http://127.0.0.1:8765/callback"

// newFake starts a fake FotoWeb on clk and returns it with Options for a
// Source that share the clock and record token requests.
func newFake(t *testing.T, clk *testutil.Clock, fo fotowebtest.Options) (*fotowebtest.Server, tokens.Options, *recorder) {
	t.Helper()
	fo.Now = clk.Now
	srv := fotowebtest.NewServer(fo)
	t.Cleanup(srv.Close)
	rec := &recorder{next: srv.Client().Transport}
	return srv, tokens.Options{Now: clk.Now, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}}, rec
}

// recorder is an http.RoundTripper that keeps a copy of every request
// body, to check what went over the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	form   url.Values
	header http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{form, req.Header.Clone()})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no token request recorded")
	}
	return r.reqs[len(r.reqs)-1]
}

// webConfig is the fake's public PKCE application.
func webConfig(srv *fotowebtest.Server) tokens.AuthCodeConfig {
	return tokens.AuthCodeConfig{BaseURL: srv.URL, ClientID: fotowebtest.WebClientID, RedirectURL: redirectURL}
}

// authorize follows authURL like a browser whose user approves, and
// returns the redirect's query (code, state or error).
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	q, err := fotowebtest.Authorize(context.Background(), authURL)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// login runs the whole authorization-code + PKCE flow against the fake.
func login(t *testing.T, cfg tokens.AuthCodeConfig, opts tokens.Options) *oauth2.Token {
	t.Helper()
	tok, err := fotowebtest.Login(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// apiStatus GETs /fotoweb/me/ with the token and returns the status.
func apiStatus(t *testing.T, srv *fotowebtest.Server, tok *oauth2.Token) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/fotoweb/me/", nil)
	tok.SetAuthHeader(req)
	req.Header.Set("Accept", "application/vnd.fotoware.full-api-descriptor+json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// assertNoLeak fails if err's message holds any of the secrets.
func assertNoLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q leaks a secret or token", err)
		}
	}
}
