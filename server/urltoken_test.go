package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urltoken"
)

// TestURLTokenReported: /readyz and the metric say which URL token policy
// is in force and why; in redirect delivery no policy fails readiness.
func TestURLTokenReported(t *testing.T) {
	tests := []struct {
		policy   embed.URLToken
		delivery Delivery
		status   int
	}{
		{embed.URLTokenPreview, DeliveryRedirect, http.StatusOK},
		{embed.URLTokenNone, DeliveryRedirect, http.StatusOK},
		{embed.URLTokenUnknown, DeliveryRedirect, http.StatusServiceUnavailable},
		{embed.URLTokenUnknown, DeliveryProxy, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String()+"/"+tt.delivery.String(), func(t *testing.T) {
			pol := urltoken.Fixed{Policy: tt.policy, Reason: "because the test says so"}
			e := newEnv(t, envOptions{
				embed:     func(_ *env, rc *embed.ResolverConfig, c *embed.Config) { c.URLTokens, rc.PreviewTokens = pol, true },
				configure: func(c *Config) { c.URLTokens, c.Delivery = pol, tt.delivery },
			})
			var rr ReadyResult
			r := e.get("/readyz")
			wantStatus(t, r, tt.status)
			decode(t, r, &rr)
			if rr.URLToken == nil || rr.URLToken.Policy != tt.policy || rr.URLToken.Reason != pol.Reason {
				t.Errorf("readyz url_token = %+v", rr.URLToken)
			}
			if !strings.Contains(string(r.body), `"policy":"`+tt.policy.String()+`"`) {
				t.Errorf("readyz does not name the policy: %s", r.body)
			}
			m := string(e.get("/metrics").body)
			if want := `fotoembed_url_token_policy{policy="` + tt.policy.String() + `"} 1`; !strings.Contains(m, want) {
				t.Errorf("metrics lack %q", want)
			}
			if strings.Count(m, "fotoembed_url_token_policy{") != 4 || strings.Count(m, `fotoembed_url_token_policy{policy=`) != 4 {
				t.Errorf("want one series per policy")
			}
		})
	}
}

// TestRedirectUnderPreviewPolicy: the redirect carries the asset's
// previewToken, FotoWeb serves it, and Cache-Control does not outlive it.
func TestRedirectUnderPreviewPolicy(t *testing.T) {
	e := newEnv(t, envOptions{
		fake: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthPreviewToken},
		embed: func(_ *env, rc *embed.ResolverConfig, c *embed.Config) {
			c.URLTokens, rc.PreviewTokens = embed.URLTokenPreview, true
		},
	})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
	r := e.get(path)
	wantStatus(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.Contains(loc, "access_token="+e.info(fotowebtest.LandscapeAsset).PreviewToken) {
		t.Fatalf("Location %q lacks the previewToken", loc)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	resp, err := http.Get(loc)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("FotoWeb answers the redirect with %d", resp.StatusCode)
	}
}
