package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// TestNoSecretsLeak configures recognisable secrets, exercises every
// error path with secrets in URLs, and scans every captured log line,
// response body and response header (but a redirect's Location, which
// carries the token by design) for them.
func TestNoSecretsLeak(t *testing.T) {
	for _, delivery := range []Delivery{DeliveryRedirect, DeliveryProxy} {
		t.Run(delivery.String(), func(t *testing.T) {
			e := newEnv(t, envOptions{configure: func(c *Config) { c.Delivery = delivery }})
			tok, err := e.tokens.Token()
			must(t, err)
			secrets := map[string]string{
				"API key": testAPIKey, "hook secret": testHookSecret,
				"access token": tok.AccessToken, "client secret": fotowebtest.ServiceClientSecret,
			}
			seen := exerciseErrorPaths(e, tok.AccessToken)
			for _, r := range seen {
				for name, sec := range secrets {
					if strings.Contains(string(r.body), sec) {
						t.Errorf("%s %s: body carries the %s: %s", r.Request.Method, r.Request.URL.Path, name, r.body)
					}
					for k, vs := range r.Header {
						if k == "Location" && r.StatusCode == http.StatusFound {
							continue
						}
						for _, v := range vs {
							if strings.Contains(v, sec) {
								t.Errorf("%s: header %s carries the %s", r.Request.URL.Path, k, name)
							}
						}
					}
				}
			}
			logs := e.logs.String()
			for name, sec := range secrets {
				for _, enc := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec)} {
					if strings.Contains(logs, enc) {
						t.Errorf("logs carry the %s:\n%s", name, logs)
					}
				}
			}
			for _, want := range []string{`access_token=[REDACTED]`, hookPrefix + `[REDACTED]`, `"status":502`, `"request_id":"`} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %s", want)
				}
			}
			for _, never := range []string{"Authorization", "X-Api-Key", "X-API-Key"} {
				if strings.Contains(logs, never) {
					t.Errorf("logs mention the %s header", never)
				}
			}
		})
	}
}

// exerciseErrorPaths sends requests that hit every error path, with
// secrets in their URLs and headers.
func exerciseErrorPaths(e *env, token string) []response {
	tq := "access_token=" + url.QueryEscape(token)
	good, _ := e.signedURL(fotowebtest.LandscapeAsset, 600)
	hook := hookPrefix + testHookSecret
	var out []response
	add := func(r response) { out = append(out, r) }
	auth := []string{"Authorization", "Bearer " + testAPIKey}

	add(e.get(good + "?" + tq))                                          // 302 or 200
	add(e.get(tamper(good) + "?" + tq + "&key=" + testAPIKey))           // 403
	add(e.get("/i/x/y?" + tq))                                           // 400
	add(e.get("/v1/embed?key="+testAPIKey+"&"+tq, "X-API-Key", "wrong")) // 401
	add(e.get("/v1/embed?ref=/x?"+tq, "X-API-Key", testAPIKey+"-wrong")) // 401
	add(e.get("/v1/embed?"+tq, auth...))                                 // 400 missing ref
	add(e.get("/v1/embed?ref="+url.QueryEscape("/bad/"+token+"?"+tq), auth...))
	add(e.get("/v1/embed?ref="+url.QueryEscape(e.fake.URL+"/fotoweb/archives/5001-Photos/x"+token+".jpg.info?"+tq), auth...))
	add(e.get("/oembed?url=" + url.QueryEscape(e.ts.URL+"/p/x?"+tq)))
	add(e.get("/oembed?format=xml&url=" + url.QueryEscape(e.srv.pageURL(fotowebtest.LandscapeAsset)+"?"+tq)))
	add(e.do(http.MethodPost, hook+"?"+tq, strings.NewReader(`{"href": "`+token+`"}`)))
	add(e.do(http.MethodPost, hook, strings.NewReader(`{"href": "https://evil.example/?`+tq+`"}`)))
	add(e.do(http.MethodPost, hookPrefix+testHookSecret+"x", strings.NewReader(`{}`)))
	add(e.do(http.MethodPost, "/v1/resolve?"+tq, strings.NewReader(`{"items":[{"ref":"`+token+`"}]}`), auth...))
	add(e.do(http.MethodPost, "/v1/resolve", strings.NewReader(`{"items":`+token), auth...))

	e.fault("/fotoweb/archives/", fotowebtest.Fault{Status: http.StatusInternalServerError})
	e.fault("/fotoweb/cache/", fotowebtest.Fault{Status: http.StatusUnauthorized})
	add(e.get(e.sign(signedWidth(400), fotowebtest.PortraitAsset, ".jpg") + "?" + tq)) // 502
	add(e.get(good))                                                                   // cached: 302, or 502 in proxy mode
	add(e.get("/v1/assets?q=x&"+tq, auth...))                                          // 502
	e.fault("/fotoweb/me", fotowebtest.Fault{Status: http.StatusInternalServerError})
	add(e.get("/readyz?" + tq))
	return out
}

// TestHideHookSecret: the segment after the hook route is hidden in any
// ASCII case, wherever it stands and however often; other text is left
// as it is.
func TestHideHookSecret(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/hooks/fotoweb/s3cret", "/hooks/fotoweb/[REDACTED]"},
		{"/HOOKS/FotoWeb/s3cret?x=1", "/HOOKS/FotoWeb/[REDACTED]?x=1"},
		{"a /hooks/fotoweb/one b /hooks/fotoweb/two/x", "a /hooks/fotoweb/[REDACTED] b /hooks/fotoweb/[REDACTED]/x"},
		{"/hooks/fotoweb/", "/hooks/fotoweb/"},
		{"/hooks/fotoweb", "/hooks/fotoweb"},
		{"/hooks/fotowebx/s", "/hooks/fotowebx/s"},
		{"/i/abc/w400/def.jpg", "/i/abc/w400/def.jpg"},
		{"//hooks/fotoweb/s\"x", "//hooks/fotoweb/[REDACTED]\"x"},
		{"/hooks\x0ffotoweb/s", "/hooks\x0ffotoweb/s"}, // not a case fold of "/"
		{"", ""},
	} {
		if got := hideHookSecret(c.in); got != c.want {
			t.Errorf("hideHookSecret(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLoggedURIAllocs: the URI of a signed image request (no query, no
// secret) is logged as it is, without an allocation, even when its
// signature happens to hold "eyJ" or "Bearer"-like letters.
func TestLoggedURIAllocs(t *testing.T) {
	r := newRedactor(testAPIKey, testHookSecret, "client-secret-0123")
	for _, p := range []string{
		"/i/api_DThT6qCwil-3661Rke_8JLYwePVQi4KX0XhZvkw/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg",
		"/i/1_35ZF67y6Wk2cAzFk-WTrLxkETRUfArgeyJlInxHL8/w200-sq/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9sb2ZvdGVuLXBhbm9yYW1hLmpwZy5pbmZv.jpg",
		"/i/bearerBASICfwapitokenXXXXXXXXXXXXXXXXXX/w400/eyJhYmMiOjF9/L2Zv.jpg",
	} {
		u, err := url.Parse(p)
		must(t, err)
		if got := r.uri(u); got != p {
			t.Errorf("uri(%q) = %q, want it unchanged", p, got)
		}
		if raceDetector {
			continue
		}
		if n := testing.AllocsPerRun(100, func() { r.uri(u) }); n != 0 {
			t.Errorf("uri(%q): %.0f allocations, want 0", p, n)
		}
	}
}
