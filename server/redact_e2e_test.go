package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redact"
)

// TestRedactionEndToEnd pastes a FotoWeb URL carrying a real access
// token into every place a request can carry it (ref of /v1/embed, url
// of /oembed, a webhook body, a bad path, headers), in every encoding
// (raw, percent-encoded once and twice, lower-case hex, JSON-escaped),
// and checks that no log line holds the token in any of those forms.
func TestRedactionEndToEnd(t *testing.T) {
	e := newEnv(t, envOptions{})
	token := e.fake.UserToken()
	if token == "" {
		t.Fatal("the fake issued no token")
	}
	fw := e.fake.URL + fotowebtest.LandscapeAsset + "?access_token=" + token + "&x=1"
	encodings := map[string]string{
		"raw":         fw,
		"query":       url.QueryEscape(fw),
		"query-twice": url.QueryEscape(url.QueryEscape(fw)),
		"query-lower": strings.ToLower(url.QueryEscape(fw)),
		"json":        strings.NewReplacer("=", `\u003d`, "&", `\u0026`, "?", `\u003f`).Replace(fw),
		"path":        url.PathEscape(fw),
	}
	auth := []string{"X-API-Key", testAPIKey}
	for name, enc := range encodings {
		// enc is a query value as is: escape it once more where it goes
		// into a query, so that the server sees enc itself.
		q := url.QueryEscape(enc)
		e.get("/v1/embed?ref="+q, auth...)
		e.get("/v1/embed?ref="+enc, auth...)
		e.get("/oembed?url=" + q)
		e.get("/oembed?format=json&url=" + enc)
		body, _ := json.Marshal(map[string]string{"href": enc})
		e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(string(body)))
		e.do(http.MethodPost, hookPrefix+testHookSecret, strings.NewReader(`{"href":"`+enc+`"}`))
		e.do(http.MethodPost, "/v1/resolve", strings.NewReader(`{"items":[{"ref":"`+enc+`"}]}`), auth...)
		e.get("/i/x/" + url.PathEscape(enc))
		e.get("/bad/" + url.PathEscape(enc) + "?access_token=" + url.QueryEscape(token))
		e.get("/v1/embed", "X-API-Key", testAPIKey, "Authorization", "Bearer "+token, "Referer", fw, "X-Note", enc)
		t.Logf("%s: sent", name)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, redact.Marker) {
		t.Errorf("logs hold no %s marker:\n%s", redact.Marker, logs)
	}
	sig := token[strings.LastIndexByte(token, '.')+1:]
	forms := map[string]string{
		"raw":          token,
		"signature":    sig,
		"query":        url.QueryEscape(token),
		"query-twice":  url.QueryEscape(url.QueryEscape(token)),
		"json-escaped": strings.Trim(string(must1(json.Marshal(token))), `"`),
	}
	for _, line := range strings.Split(logs, "\n") {
		for name, f := range forms {
			if strings.Contains(line, f) {
				t.Errorf("a log line holds the token (%s): %s", name, line)
			}
		}
	}
}

// must1 returns v, ignoring err (for values that cannot fail).
func must1[T any](v T, _ error) T { return v }
