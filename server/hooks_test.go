package server

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestWebhookInvalidates(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	hook := e.ts.URL + hookPrefix + testHookSecret
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 600)
	fetches := func() int { return e.fake.Count(fotowebtest.LandscapeAsset) }

	wantStatus(t, e.get(path), http.StatusFound)
	if n := fetches(); n != 1 {
		t.Fatalf("%d asset fetches after the first request, want 1 (cached)", n)
	}
	for _, kind := range []fotowebtest.WebhookKind{fotowebtest.AssetModified, fotowebtest.AssetIngested, fotowebtest.AssetDeleted} {
		before := fetches()
		status, err := e.fake.EmitWebhook(ctx, hook, kind, fotowebtest.LandscapeAsset)
		must(t, err)
		if status != http.StatusNoContent {
			t.Fatalf("%s webhook: status %d, want 204", kind, status)
		}
		if n := fetches(); n != before {
			t.Errorf("%s webhook made %d upstream asset requests", kind, n-before)
		}
		wantStatus(t, e.get(path), http.StatusFound)
		if n := fetches(); n != before+1 {
			t.Errorf("after a %s webhook: %d asset fetches, want %d (refetched)", kind, n, before+1)
		}
	}

	t.Run("wrong secret", func(t *testing.T) {
		before := fetches()
		status, err := e.fake.EmitWebhook(ctx, e.ts.URL+hookPrefix+"not-the-secret-0123456789", fotowebtest.AssetModified, fotowebtest.LandscapeAsset)
		must(t, err)
		if status != http.StatusNotFound {
			t.Errorf("wrong secret: status %d, want 404", status)
		}
		wantStatus(t, e.get(path), http.StatusFound)
		if fetches() != before {
			t.Error("a webhook with a wrong secret invalidated the cache")
		}
		wantStatus(t, e.get(hookPrefix+"not-the-secret-0123456789"), http.StatusNotFound)
		wantStatus(t, e.get(hookPrefix+testHookSecret), http.StatusMethodNotAllowed)
	})

	t.Run("form body", func(t *testing.T) {
		form := url.Values{"href": {e.fake.URL + fotowebtest.LandscapeAsset}, "operation-name": {"updateMetadata"}}
		r := e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, r, http.StatusNoContent)
	})

	t.Run("bad bodies", func(t *testing.T) {
		for _, tt := range []struct {
			body   string
			status int
		}{
			{`{"href": "https://evil.example/fotoweb/archives/5001-Photos/a.jpg.info"}`, http.StatusBadRequest},
			{`{"href": 42}`, http.StatusBadRequest},
			{`{}`, http.StatusBadRequest},
			{`not json`, http.StatusBadRequest},
			{`{"href": "` + strings.Repeat("a", maxHookBody) + `"}`, http.StatusBadRequest}, // longer than maxJSONString
			{`{"href": "x"` + strings.Repeat(" ", maxHookBody) + `}`, http.StatusRequestEntityTooLarge},
		} {
			r := e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(tt.body), "Content-Type", "application/json")
			wantStatus(t, r, tt.status)
		}
	})
}

func TestWebhookAllowList(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	e := newEnv(t, envOptions{configure: func(c *Config) { c.HookAllow = allow }})
	body := `{"href": "` + e.fake.URL + fotowebtest.LandscapeAsset + `"}`
	r := e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(body))
	wantStatus(t, r, http.StatusNotFound)
	// X-Forwarded-For is not believed without trusted proxies.
	r = e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(body), "X-Forwarded-For", "10.1.2.3")
	wantStatus(t, r, http.StatusNotFound)

	proxied := newEnv(t, envOptions{configure: func(c *Config) {
		c.HookAllow = allow
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}})
	body = `{"href": "` + proxied.fake.URL + fotowebtest.LandscapeAsset + `"}`
	r = proxied.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(body), "X-Forwarded-For", "10.1.2.3")
	wantStatus(t, r, http.StatusNoContent)
	r = proxied.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(body), "X-Forwarded-For", "10.1.2.3, 192.0.2.7")
	wantStatus(t, r, http.StatusNotFound)
}

func TestWebhookDisabled(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.HookSecret = "" }})
	r := e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(`{}`))
	wantStatus(t, r, http.StatusNotFound)
}
