package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fotoembed/fotoembed/bench"
	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/service"
	"github.com/fotoembed/fotoembed/server"
)

// TestServeResolverDefaults: with no flag set, serve builds with the
// service's default resolver settings, the ones the load harness uses.
func TestServeResolverDefaults(t *testing.T) {
	c, err := parseServe(validEnv())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(service.DefaultResolverConfig(), c.Resolver.settings(false), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("serve's default resolver settings differ from service.DefaultResolverConfig (-want +got):\n%s", diff)
	}
	c, err = parseServe(with(validEnv(), "FOTOEMBED_CACHE_TTL", "0", "FOTOEMBED_CACHE_MAX_ENTRIES", "0",
		"FOTOEMBED_CREDIT_PREFIX", "Foto: ", "FOTOEMBED_ALT_FIELD", "5"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Resolver.settings(true)
	if s.TTL >= 0 || s.Limits.MaxEntries >= 0 || s.CreditPrefix != "Foto: " || s.Fields.Alt != 5 || !s.PreviewTokens {
		t.Errorf("settings from flags: TTL %v, max entries %d, credit prefix %q, alt field %d, preview tokens %v; "+
			"want off (negative), off, \"Foto: \", 5, true", s.TTL, s.Limits.MaxEntries, s.CreditPrefix, s.Fields.Alt, s.PreviewTokens)
	}
}

// TestServeAndBenchAgree runs `serve` and the load harness's service
// (bench.StartService) against one fake FotoWeb with the same keys and
// delivery: they answer the same figure (caption, credit line and its
// prefix, alt text, signed URLs) and both count their FotoWeb requests
// in their metrics. If the harness stops wiring the service as serve
// does, this fails.
func TestServeAndBenchAgree(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := fakeEnv(fake, "FOTOEMBED_SIGNING_KEYS", string(bench.DefaultSigningKey), "FOTOEMBED_API_KEYS", bench.DefaultAPIKey,
		"FOTOEMBED_DELIVERY", "proxy")
	r := start(t, env, "serve", "--addr", "127.0.0.1:0")
	serveURL := r.waitReady().URL
	b, err := bench.StartService(context.Background(), bench.ServiceConfig{FotoWebURL: fake.URL,
		Auth: bench.AuthClientCredentials, Delivery: server.DeliveryProxy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)

	answer := func(base, path string) string {
		t.Helper()
		resp, body := get(t, noRedirect, base+path, "X-API-Key", bench.DefaultAPIKey)
		if resp.StatusCode != 200 {
			t.Fatalf("%s%s: %d %s", base, path, resp.StatusCode, body)
		}
		return strings.ReplaceAll(body, base, "BASE")
	}
	ref := url.QueryEscape(fotowebtest.LandscapeAsset)
	for _, path := range []string{"/v1/embed?width=600&figure=1&ref=" + ref, "/v1/embed?width=600&ref=" + ref} {
		fromServe, fromBench := answer(serveURL, path), answer(b.URL, path)
		if diff := cmp.Diff(fromServe, fromBench); diff != "" {
			t.Errorf("%s: the harness's answer differs from serve's (-serve +bench):\n%s", path, diff)
		}
		if !strings.Contains(fromServe, "BASE/i/") {
			t.Errorf("%s: no signed URL of the service: %s", path, fromServe)
		}
		if strings.Contains(path, "figure") && !strings.Contains(fromServe, embed.DefaultCreditPrefix+"Kari Nordmann") {
			t.Errorf("%s: no credit line with the default prefix: %s", path, fromServe)
		}
	}
	for name, base := range map[string]string{"serve": serveURL, "bench": b.URL} {
		_, metrics := get(t, noRedirect, base+"/metrics")
		if !strings.Contains(metrics, `fotoembed_upstream_requests_total{op="asset",status="200"}`) {
			t.Errorf("%s: /metrics does not count the asset request to FotoWeb", name)
		}
	}
}

// resolverStoreLimits returns the limits of the in-process store the
// resolver c makes has.
func resolverStoreLimits(t *testing.T, c *resolverConfig) embed.MemoryStoreConfig {
	t.Helper()
	fw, err := fotoweb.New(fotoweb.Config{BaseURL: "https://acme.fotoware.cloud"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.resolver(fw, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := res.Store().(*embed.MemoryStore)
	if !ok {
		t.Fatalf("resolver store is %T, want *embed.MemoryStore", res.Store())
	}
	return st.Limits()
}
