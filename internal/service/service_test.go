package service_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/service"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

const apiKey = "service-test-api-key-0123456789"

// counting counts the requests through it.
type counting struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// upstream returns an Upstream to fake with client-credentials tokens.
func upstream(t *testing.T, fake *fotowebtest.Server, cfg service.UpstreamConfig) *service.Upstream {
	t.Helper()
	cfg.FotoWeb.BaseURL = fake.URL
	cfg.Tokens = func(hc *http.Client) (*tokens.Source, error) {
		return tokens.ClientCredentials(tokens.ClientCredentialsConfig{BaseURL: fake.URL,
			ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret}, tokens.Options{HTTPClient: hc})
	}
	up, err := service.NewUpstream(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return up
}

func signer(t *testing.T) *urlsig.Signer {
	t.Helper()
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("service-test-signing-key-000001")}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get answers GET path from h with the API key.
func get(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-API-Key", apiKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// TestBuild: every FotoWeb request (token included) goes through the
// caller's base transport under the metrics and then the wrapper; the
// credit prefix and the metadata fields reach the HTML; the service's
// metrics count the FotoWeb requests.
func TestBuild(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	base := &counting{next: fotoweb.NewTransport()}
	var wrap *counting
	up := upstream(t, fake, service.UpstreamConfig{Transport: base,
		Wrap: func(rt http.RoundTripper) http.RoundTripper { wrap = &counting{next: rt}; return wrap }})
	if up.Transport != http.RoundTripper(base) {
		t.Errorf("Upstream.Transport is %T, want the base given", up.Transport)
	}
	rc := service.DefaultResolverConfig()
	rc.CreditPrefix = "Foto: "
	rc.Fields.Alt = -1 // alt falls back to the title
	rc.Fields.Caption = -1
	svc, err := up.Build(service.Config{Resolver: rc, Signer: signer(t), BaseURL: "https://img.example.com",
		Server: server.Config{Delivery: server.DeliveryProxy, APIKeys: []string{apiKey}}})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Client != up.Client || svc.Tokens != up.Tokens || svc.Metrics != up.Metrics {
		t.Error("the Service's upstream parts are not the Upstream's")
	}
	html := get(t, svc.Server.Handler(), "/v1/embed?width=600&figure=1&ref="+url.QueryEscape(fotowebtest.LandscapeAsset))
	if !strings.Contains(html, "Foto: ") || strings.Contains(html, embed.DefaultCreditPrefix) {
		t.Errorf("figure does not use the credit prefix given: %s", html)
	}
	if !strings.Contains(html, `alt="Harbour at dawn"`) || strings.Contains(html, "Fishing boats") {
		t.Errorf("alt and caption fields turned off: want the title as alt and no caption: %s", html)
	}
	if !strings.Contains(html, `src="https://img.example.com/i/`) {
		t.Errorf("figure lacks a signed URL of the base URL: %s", html)
	}
	if n, w := base.n.Load(), wrap.n.Load(); n < 2 || n != w {
		t.Errorf("base transport saw %d requests, the wrapper %d; want the token's and the asset's through both", n, w)
	}
	metrics := get(t, svc.Server.Handler(), "/metrics")
	for _, m := range []string{`fotoembed_upstream_requests_total{op="asset",status="200"} 1`, `fotoembed_upstream_requests_total{op="token",status="200"} 1`} {
		if !strings.Contains(metrics, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

// TestNewUpstreamDefaults: no transport means fotoweb.NewTransport's, no
// metrics new ones.
func TestNewUpstreamDefaults(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	up := upstream(t, fake, service.UpstreamConfig{})
	tr, ok := up.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("default transport is %T, want *http.Transport", up.Transport)
	}
	if want := fotoweb.NewTransport(); tr.MaxIdleConnsPerHost != want.MaxIdleConnsPerHost || tr.MaxIdleConns != want.MaxIdleConns {
		t.Errorf("default transport keeps %d idle per host, %d in all; want fotoweb.NewTransport's %d, %d",
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns, want.MaxIdleConnsPerHost, want.MaxIdleConns)
	}
	if up.Metrics == nil {
		t.Error("no metrics")
	}
}

// TestBuildErrors: what is required is reported with the package prefix.
func TestBuildErrors(t *testing.T) {
	if _, err := service.NewUpstream(service.UpstreamConfig{FotoWeb: fotoweb.Config{BaseURL: "https://fotoweb.example.com"}}); err == nil ||
		!strings.HasPrefix(err.Error(), "service: ") {
		t.Errorf("NewUpstream without Tokens: %v", err)
	}
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	if _, err := upstream(t, fake, service.UpstreamConfig{}).Build(service.Config{}); err == nil || !strings.HasPrefix(err.Error(), "service: ") {
		t.Errorf("Build without Signer: %v", err)
	}
}
