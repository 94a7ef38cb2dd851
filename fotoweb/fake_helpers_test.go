package fotoweb

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"golang.org/x/oauth2"
)

// testTokens fetches client_credentials tokens from the fake's token
// endpoint (expires_in decoded as float64, as FotoWeb sends 28800.000000)
// and caches one. It implements Invalidator and counts its calls.
type testTokens struct {
	tokenURL string
	hc       *http.Client

	mu          sync.Mutex
	tok         *oauth2.Token
	fetches     atomic.Int32
	invalidated atomic.Int32
	issued      []string // every access token handed out
}

func newTestTokens(base string) *testTokens {
	return &testTokens{tokenURL: base + "/fotoweb/oauth2/token", hc: &http.Client{Timeout: 10 * time.Second}}
}

func (s *testTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil {
		return s.tok, nil
	}
	s.fetches.Add(1)
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {fotowebtest.ServiceClientID},
		"client_secret": {fotowebtest.ServiceClientSecret},
	}
	resp, err := s.hc.Post(s.tokenURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("token endpoint: %d %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	s.tok = &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType,
		Expiry: time.Now().Add(time.Duration(body.ExpiresIn * float64(time.Second)))}
	s.issued = append(s.issued, body.AccessToken)
	return s.tok, nil
}

func (s *testTokens) Invalidate(rejected *oauth2.Token) {
	s.invalidated.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && rejected != nil && s.tok.AccessToken == rejected.AccessToken {
		s.tok = nil
	}
}

// allIssued returns every token handed out so far.
func (s *testTokens) allIssued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// plainTokens hides Invalidate: a token source that cannot drop a token.
type plainTokens struct{ ts *testTokens }

func (p plainTokens) Token() (*oauth2.Token, error) { return p.ts.Token() }

// sleeps records the client's pauses instead of waiting.
type sleeps struct {
	mu  sync.Mutex
	all []time.Duration
	on  func(time.Duration) // optional hook, e.g. to move a clock
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.all = append(s.all, d)
	hook := s.on
	s.mu.Unlock()
	if hook != nil {
		hook(d)
	}
	return ctx.Err()
}

func (s *sleeps) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.all...)
}

// wire records what went on the wire (method, path, query token,
// Authorization header) through the client's transport.
type wire struct {
	mu   sync.Mutex
	next http.RoundTripper
	reqs []wireReq
}

type wireReq struct {
	method, path, rawQuery, queryToken, auth string
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.reqs = append(w.reqs, wireReq{r.Method, r.URL.Path, r.URL.RawQuery, r.URL.Query().Get("access_token"), r.Header.Get("Authorization")})
	w.mu.Unlock()
	return w.next.RoundTrip(r)
}

func (w *wire) all() []wireReq {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wireReq(nil), w.reqs...)
}

// env is a fake FotoWeb with a client pointed at it.
type env struct {
	fake   *fotowebtest.Server
	c      *Client
	tokens *testTokens
	sleeps *sleeps
	wire   *wire
	logs   *testutil.SyncBuffer
}

// testFlavour is the flavour newEnv gives fakes whose Options leave it
// at the default; TestFlavours runs tests with the others.
var testFlavour = fotowebtest.FlavourSaaS2024

// newEnv starts a fake with opts (in testFlavour unless opts names
// another) and a client with cfg (BaseURL, Tokens, HTTPClient and Logger
// filled in when empty). Sleeps are recorded, not waited.
func newEnv(t testing.TB, opts fotowebtest.Options, cfg Config) *env {
	t.Helper()
	if opts.Flavour == fotowebtest.FlavourSaaS2024 {
		opts.Flavour = testFlavour
	}
	fake := fotowebtest.NewServer(opts)
	t.Cleanup(fake.Close)
	e := &env{fake: fake, tokens: newTestTokens(fake.URL), sleeps: &sleeps{}, logs: &testutil.SyncBuffer{}}
	e.wire = &wire{next: NewTransport()}
	if cfg.BaseURL == "" {
		cfg.BaseURL = fake.URL
	}
	if cfg.Tokens == nil {
		cfg.Tokens = e.tokens
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: e.wire}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Millisecond
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = e.sleeps.sleep
	e.c = c
	return e
}

// fresh drops idle connections so the next request opens a new one
// (net/http silently resends a GET once when a reused connection breaks,
// which would blur exact request counts).
func (e *env) fresh() {
	e.wire.next.(*http.Transport).CloseIdleConnections()
	e.fake.ResetCounters()
}
