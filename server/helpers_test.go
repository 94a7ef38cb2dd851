package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Recognisable secrets: the redaction test looks for them everywhere.
const (
	testAPIKey     = "APIKEY-test-0123456789abcdef"
	testHookSecret = "HOOKSECRET-test-0123456789"
)

// testSigningKey is the signing key of the tests.
var testSigningKey = []byte("fotoembed-server-test-key-0001")

// env is the real wiring against the fake FotoWeb: fotoweb client with a
// client-credentials token source, embed resolver and embedder, urlsig
// signer, and the server under httptest on 127.0.0.1.
type env struct {
	t       testing.TB
	fake    *fotowebtest.Server
	tokens  *tokens.Source
	client  *fotoweb.Client
	signer  *urlsig.Signer
	res     *embed.Resolver
	emb     *embed.Embedder
	srv     *Server
	ts      *httptest.Server
	logs    *testutil.SyncBuffer
	clock   *testutil.Clock
	metrics *Metrics
}

// envOptions adjust the wiring before the server is built.
type envOptions struct {
	fake      fotowebtest.Options
	fotoweb   func(*fotoweb.Config)
	configure func(*Config)
	// embed adjusts the resolver's and the embedder's configuration
	// (exporter, URL token policy) before they are built.
	embed func(*env, *embed.ResolverConfig, *embed.Config)
	// unmeasured are assets the fake describes as images of unknown
	// size (fotowebtest.Unmeasured).
	unmeasured []string
}

// newEnv builds the whole service against a fresh fake FotoWeb.
func newEnv(t testing.TB, opts envOptions) *env {
	t.Helper()
	e := &env{t: t, logs: &testutil.SyncBuffer{}, clock: testutil.NewClockNow(), metrics: NewMetrics()}
	if len(opts.unmeasured) > 0 {
		e.fake = fotowebtest.NewUnmeasuredServer(opts.fake, opts.unmeasured...)
	} else {
		e.fake = fotowebtest.NewServer(opts.fake)
	}
	t.Cleanup(e.fake.Close)
	hc := &http.Client{Transport: e.metrics.InstrumentTransport(nil)}
	var err error
	e.tokens, err = tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: e.fake.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{HTTPClient: hc})
	must(t, err)
	fcfg := fotoweb.Config{BaseURL: e.fake.URL, Tokens: e.tokens, HTTPClient: hc,
		Timeout: 5 * time.Second, MaxAttempts: 2, BackoffBase: time.Millisecond}
	if opts.fotoweb != nil {
		opts.fotoweb(&fcfg)
	}
	e.client, err = fotoweb.New(fcfg)
	must(t, err)
	e.signer, err = urlsig.New(urlsig.Config{Keys: [][]byte{testSigningKey}})
	must(t, err)
	e.ts = httptest.NewUnstartedServer(nil)
	base := "http://" + e.ts.Listener.Addr().String()
	rcfg := embed.ResolverConfig{Source: e.client}
	ecfg := embed.Config{Signer: e.signer, BaseURL: base, Origin: e.fake.URL, Tokens: e.tokens, Now: e.clock.Now}
	if opts.embed != nil {
		opts.embed(e, &rcfg, &ecfg)
	}
	e.res, err = embed.NewResolver(rcfg)
	must(t, err)
	ecfg.Resolver = e.res
	e.emb, err = embed.New(ecfg)
	must(t, err)
	cfg := Config{
		FotoWeb: e.client, Embedder: e.emb, Signer: e.signer, Tokens: e.tokens,
		Origin: e.fake.URL, BaseURL: base, AllowAdminTokenInURL: true,
		APIKeys: []string{testAPIKey}, HookSecret: testHookSecret,
		PublicArchives: []string{"5001"}, Metrics: e.metrics, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if opts.configure != nil {
		opts.configure(&cfg)
	}
	e.srv, err = New(cfg)
	must(t, err)
	t.Cleanup(e.srv.Close)
	e.ts.Config.Handler = e.srv.Handler()
	e.ts.Start()
	t.Cleanup(e.ts.Close)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// noRedirect is a client that does not follow redirects.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// response is a finished HTTP exchange.
type response struct {
	*http.Response
	body []byte
}

// do sends a request to the service (path relative to its URL) and
// reads the whole answer; it does not follow redirects.
func (e *env) do(method, path string, body io.Reader, hdr ...string) response {
	e.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = e.ts.URL + path
	}
	req, err := http.NewRequest(method, u, body)
	must(e.t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := noRedirect.Do(req)
	must(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(e.t, err)
	return response{res, b}
}

// get sends a GET.
func (e *env) get(path string, hdr ...string) response {
	e.t.Helper()
	return e.do(http.MethodGet, path, nil, hdr...)
}

// api sends an authenticated API request with a JSON body (nil for none).
func (e *env) api(method, path string, body any) response {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		must(e.t, err)
		r = bytes.NewReader(b)
	}
	return e.do(method, path, r, "X-API-Key", testAPIKey, "Content-Type", "application/json")
}

// wantStatus fails unless r has status.
func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %q", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
}

// decode unmarshals r's JSON body into v.
func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// info resolves an asset through the server's resolver.
func (e *env) info(href string) *embed.Info {
	e.t.Helper()
	in, err := e.res.Resolve(context.Background(), href)
	must(e.t, err)
	return in
}

// signedURL returns the signed URL (relative to the service) of the
// preview chosen for a width.
func (e *env) signedURL(href string, width int) (string, embed.Preview) {
	e.t.Helper()
	in := e.info(href)
	i, err := in.Choose(width, false)
	must(e.t, err)
	u, err := e.emb.SignedURL(in, i, time.Time{})
	must(e.t, err)
	return strings.TrimPrefix(u, e.ts.URL), in.Previews[i]
}

// sign returns a signed path for any options and href.
func (e *env) sign(o urlsig.Options, href, ext string) string {
	e.t.Helper()
	p, err := e.signer.SignPath(o, href, ext)
	must(e.t, err)
	return p
}

// fakeBytes returns what the fake serves for a preview href.
func (e *env) fakeBytes(href string) []byte {
	e.t.Helper()
	b, err := e.client.Open(context.Background(), href, "", nil)
	must(e.t, err)
	defer b.Close()
	data, err := io.ReadAll(b)
	must(e.t, err)
	return data
}

// fault injects a fault on FotoWeb requests under an href (escaped or
// not; the fake matches decoded paths).
func (e *env) fault(href string, f fotowebtest.Fault) {
	e.t.Helper()
	p, err := url.PathUnescape(href)
	must(e.t, err)
	e.fake.SetFault(p, f)
	e.t.Cleanup(e.fake.ClearFaults)
}

// upstreamCount is the number of requests the fake received.
func (e *env) upstreamCount() int {
	return e.fake.CountPrefix("/")
}

// signedWidth is the option set of a width.
func signedWidth(w int) urlsig.Options { return urlsig.Options{Width: w} }
