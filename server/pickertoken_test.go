package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Origins of the CMSs in the picker tests.
const (
	testCMSOrigin  = "https://cms.example.com"
	testCMSOrigin2 = "http://127.0.0.1:9"
)

// pickerEnv is the service with the picker enabled.
func pickerEnv(t testing.TB, origins ...string) *env {
	if len(origins) == 0 {
		origins = []string{testCMSOrigin, testCMSOrigin2}
	}
	return newEnv(t, envOptions{configure: func(c *Config) {
		c.PickerOrigins = origins
		c.PickerTokenTTL = 5 * time.Minute
	}})
}

// mintToken asks for a picker token with the API key.
func (e *env) mintToken(t testing.TB, params url.Values) pickerTokenResponse {
	t.Helper()
	r := e.do(http.MethodPost, "/v1/picker-tokens?"+params.Encode(), nil, "X-API-Key", testAPIKey)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("minting a picker token: %d %s", r.StatusCode, r.body)
	}
	var got pickerTokenResponse
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPickerTokenMint(t *testing.T) {
	e := pickerEnv(t)
	tok := e.mintToken(t, url.Values{"archives": {"5001"}, "origin": {testCMSOrigin + "/"}, "expires_in": {"120"}})
	if tok.ExpiresIn != 120 || tok.Origin != testCMSOrigin || len(tok.Archives) != 1 || tok.Archives[0] != "5001" ||
		!tok.ExpiresAt.Equal(e.clock.Now().Add(120*time.Second).Truncate(time.Second)) {
		t.Errorf("token answer %+v", tok)
	}
	pu, err := url.Parse(tok.PickerURL)
	if err != nil || pu.Path != pickerPath || pu.Query().Get("token") != tok.Token || pu.Query().Get("origin") != testCMSOrigin ||
		!strings.HasPrefix(tok.PickerURL, e.ts.URL) {
		t.Errorf("picker_url %q", tok.PickerURL)
	}
	// The default lifetime is the configured one; archives by name work.
	if d := e.mintToken(t, url.Values{"archive": {"Press"}}); d.ExpiresIn != 300 || d.Archives[0] != "5002" {
		t.Errorf("default token %+v", d)
	}

	for _, tt := range []struct {
		name   string
		query  string
		hdr    []string
		status int
	}{
		{"no API key", "", nil, http.StatusUnauthorized},
		{"a picker token cannot mint one", "", []string{"Authorization", "Bearer " + tok.Token}, http.StatusForbidden},
		{"longer than allowed", "expires_in=301", []string{"X-API-Key", testAPIKey}, http.StatusBadRequest},
		{"shorter than a minute", "expires_in=30", []string{"X-API-Key", testAPIKey}, http.StatusBadRequest},
		{"origin not allowed", "origin=https://evil.example", []string{"X-API-Key", testAPIKey}, http.StatusBadRequest},
		{"unknown archive", "archives=9999", []string{"X-API-Key", testAPIKey}, http.StatusBadRequest},
		{"unknown parameter", "scope=admin", []string{"X-API-Key", testAPIKey}, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, e.do(http.MethodPost, "/v1/picker-tokens?"+tt.query, nil, tt.hdr...), tt.status)
		})
	}

	// Without --picker-origins there is no picker.
	off := newEnv(t, envOptions{})
	wantStatus(t, off.do(http.MethodPost, "/v1/picker-tokens", nil, "X-API-Key", testAPIKey), http.StatusNotFound)
	wantStatus(t, off.get("/picker?token=x"), http.StatusNotFound)
}

// TestPickerTokenLifetime: expires_in is the lifetime granted, whatever
// the fraction of a second the token is minted at, and the token is good
// for all of it: its expiry is rounded up to the second, never down.
func TestPickerTokenLifetime(t *testing.T) {
	e := pickerEnv(t)
	for _, tt := range []struct {
		frac      time.Duration // into the second the token is minted at
		expiresIn string
		want      int
	}{
		{0, "120", 120},
		{700 * time.Millisecond, "120", 120},
		{999 * time.Millisecond, "60", 60},
		{300 * time.Millisecond, "", 300}, // the configured lifetime
	} {
		e.clock.Advance(time.Second - e.clock.Now().Sub(e.clock.Now().Truncate(time.Second)) + tt.frac)
		now := e.clock.Now()
		q := url.Values{}
		if tt.expiresIn != "" {
			q.Set("expires_in", tt.expiresIn)
		}
		tok := e.mintToken(t, q)
		life := time.Duration(tt.want) * time.Second
		if tok.ExpiresIn != tt.want || tok.ExpiresAt.Before(now.Add(life)) || !tok.ExpiresAt.Before(now.Add(life+time.Second)) {
			t.Errorf("minted at +%v with expires_in=%q: expires_in %d (want %d), expires_at %v (want %v rounded up)",
				tt.frac, tt.expiresIn, tok.ExpiresIn, tt.want, tok.ExpiresAt, now.Add(life))
		}
		bearer := []string{"Authorization", "Bearer " + tok.Token}
		e.clock.Advance(life - time.Millisecond)
		wantStatus(t, e.get("/v1/archives", bearer...), http.StatusOK)
		e.clock.Advance(time.Second + time.Millisecond)
		wantStatus(t, e.get("/v1/archives", bearer...), http.StatusUnauthorized)
	}
}

// TestPickerTokenScope: a picker token opens the picker's read routes
// on its archives, and nothing else.
func TestPickerTokenScope(t *testing.T) {
	e := pickerEnv(t)
	tok := e.mintToken(t, url.Values{"archives": {"5001"}}).Token
	bearer := []string{"Authorization", "Bearer " + tok}

	// Search: only archive 5001, whatever is asked.
	p := e.assetsPage(t, url.Values{}, "", bearer...)
	if len(p.Assets) == 0 {
		t.Fatal("no assets with a picker token")
	}
	for _, a := range p.Assets {
		if a.ArchiveID != "5001" {
			t.Errorf("picker token for 5001 sees %s", a.Ref)
		}
	}
	wantStatus(t, e.get("/v1/assets?archive=5002", bearer...), http.StatusNotFound)
	// A cursor of the API key's search is not the token's.
	keyPage := e.assetsPage(t, url.Values{"limit": {"5"}}, "")
	r := e.get("/v1/assets?cursor="+url.QueryEscape(keyPage.Next), bearer...)
	wantStatus(t, r, http.StatusBadRequest)

	// Archives: only its own.
	r = e.get("/v1/archives", bearer...)
	wantStatus(t, r, http.StatusOK)
	var arch struct{ Archives []archiveInfo }
	decode(t, r, &arch)
	if len(arch.Archives) != 1 || arch.Archives[0].ID != "5001" || arch.Archives[0].Name != "Photos" || !arch.Archives[0].Public {
		t.Errorf("archives %+v", arch.Archives)
	}

	// Resolve: its archives only, signed or export delivery only, no use
	// recorded.
	resolve := func(items ...map[string]any) []itemResult {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"items": items})
		r := e.do(http.MethodPost, "/v1/resolve", strings.NewReader(string(b)), append(bearer, "Content-Type", "application/json")...)
		wantStatus(t, r, http.StatusOK)
		var got struct{ Results []itemResult }
		decode(t, r, &got)
		return got.Results
	}
	res := resolve(map[string]any{"ref": fotowebtest.LandscapeAsset, "width": 400},
		map[string]any{"ref": fotowebtest.PressPortraitAsset},
		map[string]any{"ref": fotowebtest.LandscapeAsset, "delivery": "direct"},
		map[string]any{"ref": fotowebtest.LandscapeAsset, "page": "https://www.example.org/a"})
	if res[0].Error != "" || !strings.Contains(res[0].HTML, "<img") {
		t.Errorf("in scope: %+v", res[0])
	}
	if res[1].Error != msgNotFound {
		t.Errorf("outside the token's archives: %+v", res[1])
	}
	if !strings.Contains(res[2].Error, "direct delivery is not available") || !strings.Contains(res[3].Error, "page is not accepted") {
		t.Errorf("direct / page: %q / %q", res[2].Error, res[3].Error)
	}

	// The API key's other routes refuse it.
	for _, rt := range []struct{ method, path string }{
		{http.MethodGet, "/v1/embed?ref=" + url.QueryEscape(fotowebtest.LandscapeAsset)},
		{http.MethodGet, "/v1/usage?ref=" + url.QueryEscape(fotowebtest.LandscapeAsset)},
		{http.MethodPost, "/v1/usage"},
		{http.MethodPost, "/v1/picker-tokens"},
	} {
		r := e.do(rt.method, rt.path, nil, bearer...)
		if r.StatusCode != http.StatusForbidden || !strings.Contains(string(r.body), "picker token") {
			t.Errorf("%s %s with a picker token: %d %s", rt.method, rt.path, r.StatusCode, r.body)
		}
	}
	// Nor does the token ever reach a log line.
	if strings.Contains(e.logs.String(), tok) || strings.Contains(e.logs.String(), strings.Split(tok, ".")[1]) {
		t.Errorf("the picker token is in the logs")
	}
}

func TestPickerTokenExpiryAndForgery(t *testing.T) {
	e := pickerEnv(t)
	tok := e.mintToken(t, url.Values{"expires_in": {"60"}}).Token
	bearer := []string{"Authorization", "Bearer " + tok}
	wantStatus(t, e.get("/v1/archives", bearer...), http.StatusOK)

	e.clock.Advance(61 * time.Second)
	r := e.get("/v1/archives", bearer...)
	wantStatus(t, r, http.StatusUnauthorized)
	if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) || !strings.Contains(h, "expired") {
		t.Errorf("expired token: WWW-Authenticate %q", h)
	}

	// A token whose claims are changed (wider archives, later expiry) no
	// longer verifies; nor does one signed with another key.
	fresh := e.mintToken(t, url.Values{"archives": {"5001"}}).Token
	body, sig, _ := strings.Cut(fresh, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	var claims map[string]any
	must(t, json.Unmarshal(raw, &claims))
	delete(claims, "arc")
	claims["exp"] = float64(e.clock.Now().Add(24 * time.Hour).Unix())
	forgedBody, _ := json.Marshal(claims)
	forged := base64.RawURLEncoding.EncodeToString(forgedBody) + "." + sig
	for name, tok := range map[string]string{"forged claims": forged, "truncated": fresh[:len(fresh)-2], "extra part": fresh + ".x"} {
		r := e.get("/v1/archives", "Authorization", "Bearer "+tok)
		if r.StatusCode != http.StatusUnauthorized || strings.Contains(r.Header.Get("WWW-Authenticate"), "expired") {
			t.Errorf("%s: %d %v", name, r.StatusCode, r.Header)
		}
	}
}

func TestPickerTokenSigningKey(t *testing.T) {
	e := pickerEnv(t)
	tok := e.mintToken(t, url.Values{}).Token
	other := newEnv(t, envOptions{configure: func(c *Config) { c.PickerOrigins = []string{testCMSOrigin} }})
	// other has the same signing key: a token of one is good at the
	// other (replicas share keys).
	wantStatus(t, other.get("/v1/archives", "Authorization", "Bearer "+tok), http.StatusOK)
	// Each purpose has its own key, and another signing key (or a
	// rotation that puts a new key first) gives other keys.
	d1 := derivedKey(e.signer, purposePickerToken)
	if string(d1) == string(derivedKey(e.signer, purposeCursor)) || len(d1) != 32 {
		t.Error("derived keys are not distinct 32-byte keys")
	}
	s2, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("another-signing-key-0123456789"), testSigningKey}, MACLength: 8})
	must(t, err)
	if string(derivedKey(s2, purposePickerToken)) == string(d1) || len(derivedKey(s2, purposePickerToken)) != 32 {
		t.Error("another signing key derives the same picker key")
	}
	foreign := &pickerTokens{key: derivedKey(s2, purposePickerToken), now: e.clock.Now}
	ftok, err := foreign.mint(pickerClaims{Expires: e.clock.Now().Add(time.Minute).Unix()})
	must(t, err)
	wantStatus(t, e.get("/v1/archives", "Authorization", "Bearer "+ftok), http.StatusUnauthorized)
}

// TestPickerPage checks the picker page's headers: framed by the parent
// origin alone, no referrer, the token and origin handed to the script.
func TestPickerPage(t *testing.T) {
	e := pickerEnv(t)
	bound := e.mintToken(t, url.Values{"origin": {testCMSOrigin}})
	r := e.get(strings.TrimPrefix(bound.PickerURL, e.ts.URL))
	wantStatus(t, r, http.StatusOK)
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors "+testCMSOrigin) || strings.Contains(csp, testCMSOrigin2) {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.Header)
	}
	html := string(r.body)
	if !strings.Contains(html, `data-origin="`+testCMSOrigin+`"`) || !strings.Contains(html, `data-token-state="ok"`) {
		t.Errorf("page %s", html)
	}

	free := e.mintToken(t, url.Values{})
	for _, tt := range []struct {
		name, query string
		status      int
		state       string
	}{
		{"unbound token, origin given", "token=" + free.Token + "&origin=" + url.QueryEscape(testCMSOrigin2), http.StatusOK, "ok"},
		{"unbound token, no origin and two allowed", "token=" + free.Token, http.StatusBadRequest, ""},
		{"origin not allowed", "token=" + free.Token + "&origin=https://evil.example", http.StatusBadRequest, ""},
		{"bound token, other origin", "token=" + bound.Token + "&origin=" + url.QueryEscape(testCMSOrigin2), http.StatusBadRequest, ""},
		{"invalid token", "token=nope&origin=" + url.QueryEscape(testCMSOrigin), http.StatusOK, "invalid"},
		{"bad multiple", "token=" + free.Token + "&origin=" + url.QueryEscape(testCMSOrigin) + "&multiple=maybe", http.StatusBadRequest, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(pickerPath + "?" + tt.query)
			wantStatus(t, r, tt.status)
			if tt.state != "" && !strings.Contains(string(r.body), `data-token-state="`+tt.state+`"`) {
				t.Errorf("token state: %s", r.body)
			}
			if tt.state == "invalid" && strings.Contains(string(r.body), "data-token=\"nope\"") {
				t.Error("an invalid token is handed to the script")
			}
			if tt.status == http.StatusBadRequest && !strings.Contains(string(r.body), "The picker cannot open") {
				t.Errorf("error page: %s", r.body)
			}
		})
	}
	// An expired token still gets the page, which asks the CMS for a new one.
	e.clock.Advance(6 * time.Minute)
	r = e.get(strings.TrimPrefix(bound.PickerURL, e.ts.URL))
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `data-token-state="expired"`) || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors "+testCMSOrigin) {
		t.Errorf("expired: %s", r.body)
	}
	// The token in the page URL never reaches the access log.
	if strings.Contains(e.logs.String(), bound.Token) {
		t.Error("the picker token is in the logs")
	}
}

func TestPickerConfig(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, tt := range []struct {
		name    string
		origins []string
		ttl     time.Duration
		want    string
	}{
		{"path in origin", []string{"https://cms.example.com/edit"}, 0, "PickerOrigins"},
		{"not a URL", []string{"cms.example.com"}, 0, "PickerOrigins"},
		{"too short", nil, 30 * time.Second, "PickerTokenTTL"},
		{"too long", nil, 25 * time.Hour, "PickerTokenTTL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e.srv.cfg
			cfg.PickerOrigins, cfg.PickerTokenTTL = tt.origins, tt.ttl
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want an error about %s", err, tt.want)
			}
		})
	}
}
