package rewrite_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/server"
)

const testAPIKey = "rewrite-test-api-key-0123456789"

// newService runs the real fotoembed service (proxy delivery) against
// fake and returns its URL. Its signed URLs start with base, or with its
// own URL when base is "". Its timeouts (the miss budget, the fetch and
// request bounds) are hangGuard: with the production ones, a preview the
// fake is slow to generate on a loaded machine is a 504.
func newService(t *testing.T, fake *fotowebtest.Server, base string) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	self := "http://" + ts.Listener.Addr().String()
	if base == "" {
		base = self
	}
	client := newClient(t, fake)
	tok := serviceTokens(t, fake)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client, FetchTimeout: hangGuard, MissTimeout: hangGuard})
	must(t, err)
	signer := testSigner(t)
	emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: base, Origin: fake.URL, Tokens: tok})
	must(t, err)
	srv, err := server.New(server.Config{FotoWeb: client, Embedder: emb, Signer: signer, Tokens: tok,
		Origin: fake.URL, BaseURL: base, Delivery: server.DeliveryProxy, APIKeys: []string{testAPIKey}, RequestTimeout: hangGuard})
	must(t, err)
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return self
}

// headerLog records the requests a client sends.
type headerLog struct {
	mu   sync.Mutex
	reqs []string // "METHOD path key=<X-API-Key>"
}

func (l *headerLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r.Method+" "+r.URL.Path+" key="+r.Header.Get("X-API-Key"))
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestServiceMode rewrites the fixture through the real service's
// /v1/resolve: the pages must equal those made talking to FotoWeb
// directly (the same golden files), in both link modes. The API key goes
// to /v1/resolve only, never with an image download.
func TestServiceMode(t *testing.T) {
	t.Parallel()
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			base := testBase
			if mode == rewrite.ModeDownload {
				base = "" // the previews are fetched through the service itself
			}
			svcURL := newService(t, fake, base)
			log := &headerLog{}
			src, err := rewrite.NewService(rewrite.ServiceConfig{URL: svcURL, APIKey: testAPIKey, FotoWebURL: fake.URL,
				HTTPClient: &http.Client{Transport: log}, Timeout: hangGuard})
			must(t, err)
			root := copySite(t, "site", fake.URL)
			ageFiles(t, root)
			before := snapshot(t, root)
			rep, err := run(t, root, src, mode, nil)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, failureText(rep))
			}
			checkPages(t, mode, before, snapshot(t, root), fake.URL)
			if rep.Assets != 10 || rep.Images != 14 {
				t.Errorf("%d assets in %d images, want 10 in 14", rep.Assets, rep.Images)
			}
			posts := 0
			for _, r := range log.reqs {
				isResolve := strings.HasPrefix(r, "POST /v1/resolve ")
				if isResolve {
					posts++
				}
				if isResolve != strings.HasSuffix(r, "key="+testAPIKey) {
					t.Errorf("request %q: the API key goes with /v1/resolve only", r)
				}
			}
			if posts != 1 || rep.Upstream != len(log.reqs) {
				t.Errorf("%d /v1/resolve requests, %d requests in all, report says %d upstream", posts, len(log.reqs), rep.Upstream)
			}
		})
	}
}

// TestServiceBadKey reports every placeholder with the service's answer.
func TestServiceBadKey(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	svcURL := newService(t, fake, testBase)
	src, err := rewrite.NewService(rewrite.ServiceConfig{URL: svcURL, APIKey: "not-the-key-0123456789"})
	must(t, err)
	root := copySite(t, "site", fake.URL)
	rep, err := run(t, root, src, rewrite.ModeSigned, nil)
	if err == nil || len(rep.Failures) != 14 {
		t.Fatalf("err %v, %d failures; want 14", err, len(rep.Failures))
	}
	if msg := rep.Failures[0].String(); !strings.Contains(msg, "answered 401") || !strings.Contains(msg, "FOTOEMBED_API_KEY") {
		t.Errorf("failure %q does not say the key was refused", msg)
	}
}
