package purge

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkRequest compares the parts of a request a backend documents.
func checkRequest(t *testing.T, got recorded, method, path string, header map[string]string, body string) {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("request %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	for k, v := range header {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.Body != body {
		t.Errorf("body %q, want %q", got.Body, body)
	}
}

func TestWebhookRequest(t *testing.T) {
	s := newStandIn(t, "", nil)
	p, _ := newTestPurger(t, Config{Webhook: &WebhookConfig{URL: s.URL + "/hooks/cdn?x=1", Header: "X-Token", Secret: testHookSecret}})
	p.Purge(testAsset, "modified")
	waitCount(t, p, "webhook", "ok", 1)
	r := s.requests()[0]
	checkRequest(t, r, http.MethodPost, "/hooks/cdn", map[string]string{"Content-Type": "application/json", "X-Token": testHookSecret},
		`{"tags":["`+testTag+`"],"asset_tag":"`+testTag+`","reason":"modified","urls":[]}`)
}

func TestWebhookDefaultHeaderNoSecretAndURLs(t *testing.T) {
	s := newStandIn(t, "", nil)
	urls := func(asset string) []string { return []string{"https://img.example.com/page-of" + asset} }
	p, _ := newTestPurger(t, Config{Webhook: &WebhookConfig{URL: s.URL, URLs: urls}})
	p.Purge(testAsset, "deleted")
	waitCount(t, p, "webhook", "ok", 1)
	r := s.requests()[0]
	if _, ok := r.Header[DefaultWebhookHeader]; ok {
		t.Errorf("secret header sent without a secret: %v", r.Header)
	}
	checkRequest(t, r, http.MethodPost, "/", nil,
		`{"tags":["`+testTag+`"],"asset_tag":"`+testTag+`","reason":"deleted","urls":["https://img.example.com/page-of`+testAsset+`"]}`)

	s2 := newStandIn(t, "", nil)
	p2, _ := newTestPurger(t, Config{Webhook: &WebhookConfig{URL: s2.URL, Secret: testHookSecret}})
	p2.Purge(testAsset, "unpublished")
	waitCount(t, p2, "webhook", "ok", 1)
	if got := s2.requests()[0].Header.Get(DefaultWebhookHeader); got != testHookSecret {
		t.Errorf("%s = %q", DefaultWebhookHeader, got)
	}
}

func TestVarnishRequest(t *testing.T) {
	a, b := newStandIn(t, "", nil), newStandIn(t, "", nil)
	p, _ := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{a.URL + "/", b.URL + "/"}}})
	p.Purge(testAsset, "modified")
	waitCount(t, p, "varnish", "ok", 2)
	for _, s := range []*standIn{a, b} {
		checkRequest(t, s.requests()[0], "BAN", "/", map[string]string{"X-Purge-Tag": testTag}, "")
	}

	c := newStandIn(t, "", nil)
	p2, _ := newTestPurger(t, Config{Varnish: &VarnishConfig{URLs: []string{c.URL + "/purge"}, Method: "PURGE"}})
	p2.Purge(testAsset, "deleted")
	waitCount(t, p2, "varnish", "ok", 1)
	checkRequest(t, c.requests()[0], "PURGE", "/purge", map[string]string{"X-Purge-Tag": testTag}, "")
}

func TestFastlyRequest(t *testing.T) {
	for _, soft := range []bool{false, true} {
		s := newStandIn(t, `{"status":"ok","id":"1234-5678"}`, nil)
		p, _ := newTestPurger(t, Config{Fastly: &FastlyConfig{ServiceID: "SU1Z0isxPaozGVKXdv0eY", Token: testFastlyToken, Soft: soft, BaseURL: s.URL}})
		p.Purge(testAsset, "modified")
		waitCount(t, p, "fastly", "ok", 1)
		r := s.requests()[0]
		want := map[string]string{"Fastly-Key": testFastlyToken, "Fastly-Soft-Purge": ""}
		if soft {
			want["Fastly-Soft-Purge"] = "1"
		}
		checkRequest(t, r, http.MethodPost, "/service/SU1Z0isxPaozGVKXdv0eY/purge/"+testTag, want, "")
	}
}

func TestCloudflareRequest(t *testing.T) {
	s := newStandIn(t, `{"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, nil)
	p, _ := newTestPurger(t, Config{Cloudflare: &CloudflareConfig{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Token: testCFToken, BaseURL: s.URL + "/client/v4/"}})
	p.Purge(testAsset, "modified")
	waitCount(t, p, "cloudflare", "ok", 1)
	checkRequest(t, s.requests()[0], http.MethodPost, "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache",
		map[string]string{"Authorization": "Bearer " + testCFToken, "Content-Type": "application/json"}, `{"tags":["`+testTag+`"]}`)
}

// TestCloudflareSuccessFalse: a 200 whose envelope says success: false is
// a failure, not tried again, logged without the token.
func TestCloudflareSuccessFalse(t *testing.T) {
	s := newStandIn(t, `{"success":false,"errors":[{"code":1134,"message":"purge by tag is not allowed"}],"messages":[],"result":null}`, nil)
	p, logs := newTestPurger(t, Config{Cloudflare: &CloudflareConfig{ZoneID: "z1", Token: testCFToken, BaseURL: s.URL}})
	p.Purge(testAsset, "modified")
	waitCount(t, p, "cloudflare", "failed", 1)
	if n := s.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	if !strings.Contains(logs.String(), "1134 purge by tag is not allowed") {
		t.Errorf("log does not say why: %s", logs)
	}
}

// TestAllBackendsAtOnce: one purge goes to every backend.
func TestAllBackendsAtOnce(t *testing.T) {
	hook, v, f := newStandIn(t, "", nil), newStandIn(t, "", nil), newStandIn(t, "", nil)
	cf := newStandIn(t, `{"success":true}`, nil)
	p, _ := newTestPurger(t, Config{
		Webhook: &WebhookConfig{URL: hook.URL}, Varnish: &VarnishConfig{URLs: []string{v.URL}},
		Fastly: &FastlyConfig{ServiceID: "s", Token: testFastlyToken, BaseURL: f.URL}, Cloudflare: &CloudflareConfig{ZoneID: "z", Token: testCFToken, BaseURL: cf.URL},
	})
	p.Purge(testAsset, "modified")
	for _, b := range []string{"webhook", "varnish", "fastly", "cloudflare"} {
		waitCount(t, p, b, "ok", 1)
	}
	got := []int{hook.count(), v.count(), f.count(), cf.count()}
	if diff := cmp.Diff([]int{1, 1, 1, 1}, got); diff != "" {
		t.Errorf("requests per backend (-want +got):\n%s", diff)
	}
}

func TestConfigValidate(t *testing.T) {
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "no backend") {
		t.Errorf("empty config: %v", err)
	}
	_, err = New(Config{
		Webhook:    &WebhookConfig{URL: "ftp://x", Header: "Bad Header", Secret: "a\nb"},
		Varnish:    &VarnishConfig{Method: "DELETE"},
		Fastly:     &FastlyConfig{Token: testFastlyToken + " x"},
		Cloudflare: &CloudflareConfig{ZoneID: "z", BaseURL: "/relative"},
		Workers:    -1,
	})
	if err == nil {
		t.Fatal("bad config accepted")
	}
	msg := err.Error()
	for _, want := range []string{"purge: invalid config", "webhook: URL", "header name", "webhook: the secret",
		"varnish: no URL", "DELETE", "fastly: service id is missing", "fastly: API token has spaces",
		"cloudflare: API token is missing", "cloudflare: base URL", "Workers is negative"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, testFastlyToken) {
		t.Errorf("error quotes the token: %s", msg)
	}
}

// TestWebhookFailureLogHidesURL: a failing webhook is logged by origin
// only; its path, query and secret header never appear.
func TestWebhookFailureLogHidesURL(t *testing.T) {
	s := newStandIn(t, "", failing(100, http.StatusBadRequest))
	p, logs := newTestPurger(t, Config{Webhook: &WebhookConfig{URL: s.URL + "/hooks/PATHSECRET?token=QUERYSECRET", Secret: testHookSecret}})
	p.Purge(testAsset, "modified")
	waitCount(t, p, "webhook", "failed", 1)
	l := logs.String()
	if !strings.Contains(l, s.URL+"/…") || !strings.Contains(l, "400 Bad Request") {
		t.Errorf("log does not say where and why: %s", l)
	}
	for _, sec := range []string{"PATHSECRET", "QUERYSECRET", testHookSecret} {
		if strings.Contains(l, sec) {
			t.Errorf("log holds %q: %s", sec, l)
		}
	}
}
