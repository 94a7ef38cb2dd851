package fotowebtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthorizeErrors(t *testing.T) {
	_, challenge := pkce("x")
	base := func() url.Values {
		return url.Values{"response_type": {"code"}, "client_id": {WebClientID}, "redirect_uri": {redirect},
			"state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	}
	tests := []struct {
		name      string
		change    func(url.Values)
		kittens   bool   // HTML error page, no redirect
		wantError string // error= in the redirect
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, true, ""},
		{"no client", func(v url.Values) { v.Del("client_id") }, true, ""},
		{"service client", func(v url.Values) { v.Set("client_id", ServiceClientID) }, true, ""},
		{"unregistered redirect", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, true, ""},
		{"no redirect", func(v url.Values) { v.Del("redirect_uri") }, true, ""},
		{"missing PKCE", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, false, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, false, "invalid_request"},
		{"implicit", func(v url.Values) { v.Set("response_type", "token") }, false, "unsupported_response_type"},
		{"localhost ok", func(v url.Values) { v.Set("redirect_uri", "http://localhost:8080/cb") }, false, ""},
		{"ipv6 loopback ok", func(v url.Values) { v.Set("redirect_uri", "http://[::1]:8080/cb") }, false, ""},
	}
	s := newServer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := base()
			tt.change(v)
			r := get(t, s, "/fotoweb/oauth2/authorize?"+v.Encode(), "", "")
			if tt.kittens {
				if r.status != 400 || r.header.Get("Location") != "" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("want the HTML error page: %d %q %s", r.status, r.header.Get("Location"), r.body)
				}
				if !strings.Contains(string(r.body), "kittens") {
					t.Errorf("body %s", r.body)
				}
				return
			}
			if r.status != http.StatusFound {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			loc, _ := url.Parse(r.header.Get("Location"))
			q := loc.Query()
			if q.Get("state") != "st" || q.Get("error") != tt.wantError {
				t.Errorf("Location %s, want error=%q", loc, tt.wantError)
			}
			if tt.wantError == "" && q.Get("code") == "" {
				t.Errorf("no code in %s", loc)
			}
		})
	}
	s.DenyAuthorization(true)
	r := get(t, s, "/fotoweb/oauth2/authorize?"+base().Encode(), "", "")
	if loc, _ := url.Parse(r.header.Get("Location")); loc.Query().Get("error") != "access_denied" {
		t.Errorf("deny: %s", loc)
	}
}

func TestTokenPresentation(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	tests := []struct {
		name   string
		header map[string]string
		query  string
		status int
	}{
		{"Bearer", map[string]string{"Authorization": "Bearer " + tok}, "", 200},
		{"bearer", map[string]string{"Authorization": "bearer " + tok}, "", 200},
		{"BEARER", map[string]string{"Authorization": "BEARER " + tok}, "", 200},
		{"query", nil, "?access_token=" + url.QueryEscape(tok), 200},
		{"none", nil, "", 401},
		{"bad token", map[string]string{"Authorization": "Bearer nope"}, "", 401},
		{"basic", map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}, "", 401},
		{"misspelt header", map[string]string{"Authentication": "Bearer " + tok}, "", 401},
		{"as FWAPIToken", map[string]string{"FWAPIToken": tok}, "", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodGet, s.URL+"/fotoweb/me/"+tt.query, tt.header, "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status == 401 && (r.header.Get("WWW-Authenticate") != "" || string(r.body) != unauthorizedText ||
				r.header.Get("Content-Type") != "text/plain; charset=utf-8") {
				t.Errorf("401: WWW-Authenticate %q, %q %q, want the plain text form", r.header.Get("WWW-Authenticate"),
					r.header.Get("Content-Type"), r.body)
			}
			if r.header.Get("Vary") != "Authorization,FWAPIToken,Cookie,Accept,Accept-Encoding,User-Agent" {
				t.Errorf("Vary %q", r.header.Get("Vary"))
			}
			if len(r.header.Get("X-RequestId")) != 22 {
				t.Errorf("X-RequestId %q", r.header.Get("X-RequestId"))
			}
		})
	}
}

func TestRevokeAndExpiry(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now, AccessTokenLifetime: time.Hour})
	tok := s.ServiceToken()
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != 200 {
		t.Fatal(r.status)
	}
	c.Advance(time.Hour)
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != 401 {
		t.Errorf("expired token: %d", r.status)
	}
	tok = s.ServiceToken()
	s.RevokeTokens()
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != 401 {
		t.Errorf("revoked token: %d", r.status)
	}
	if r := get(t, s, "/fotoweb/me", s.ServiceToken(), ""); r.status != 200 {
		t.Errorf("new token after revoke: %d", r.status)
	}
}

func TestQueryTokenRejectedOnEditors(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	if r := get(t, s, editorHref+"?access_token="+tok, "", ""); r.status != 401 {
		t.Errorf("query token on editors: %d", r.status)
	}
	if r := get(t, s, editorHref, tok, ""); r.status != 200 {
		t.Errorf("header token on editors: %d %s", r.status, r.body)
	}
	s2 := newServer(t, Options{QueryTokenRejected: []string{}})
	if r := get(t, s2, editorHref+"?access_token="+s2.ServiceToken(), "", ""); r.status != 200 {
		t.Errorf("query token accepted everywhere: %d", r.status)
	}
}

func TestVisibility(t *testing.T) {
	s := newServer(t, Options{})
	user, service := s.UserToken(), s.ServiceToken()
	names := func(tok string) []string {
		var out []string
		for _, c := range list(t, get(t, s, "/fotoweb/me/archives/", tok, "").json(t), "data") {
			out = append(out, c["href"].(string))
		}
		return out
	}
	if got := names(user); strings.Join(got, " ") != strings.Join(s.UserArchives(), " ") {
		t.Errorf("user archives %v, want %v", got, s.UserArchives())
	}
	if got := names(service); len(got) != 3 {
		t.Errorf("service archives %v", got)
	}
	tests := []struct {
		path   string
		token  string
		status int
	}{
		{HiddenAsset, user, 404},
		{HiddenAsset, service, 200},
		{InternalArchive, user, 404},
		{InternalArchive, service, 200},
		{"/fotoweb/archives/5003/", user, 404},
		{LandscapeAsset, user, 200},
		{PressArchive, user, 200},
		{"/fotoweb/archives/5001-Photos/Nope/x.jpg.info", service, 404},
		{"/fotoweb/archives/9999-Nope/", service, 404},
		{"/fotoweb/nothing", service, 404},
	}
	for _, tt := range tests {
		if r := get(t, s, tt.path, tt.token, ""); r.status != tt.status {
			t.Errorf("GET %s as %s: %d, want %d", tt.path, map[bool]string{true: "user"}[tt.token == user], r.status, tt.status)
		}
	}
	// A search by the user never finds hidden assets.
	m := get(t, s, "/fotoweb/archives/?q=staff", user, "").json(t)
	for _, c := range list(t, m, "data") {
		if strings.Contains(c["href"].(string), "5003") {
			t.Errorf("hidden archive in search: %v", c["href"])
		}
	}
	s2 := newServer(t, Options{HiddenStatus: http.StatusForbidden})
	if r := get(t, s2, HiddenAsset, s2.UserToken(), ""); r.status != 403 {
		t.Errorf("HiddenStatus 403: %d", r.status)
	}
}

func TestDescriptors(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	tests := []struct {
		path, token, accept string
		status              int
		ctype               string
	}{
		{"/fotoweb/", "", "", 200, mtAPIDescriptor},
		{"/fotoweb/", "", mtAPIDescriptor, 200, mtAPIDescriptor},
		{"/fotoweb/", "", mtFullDescriptor, 406, mtJSON},
		{"/fotoweb/me/", tok, mtFullDescriptor, 200, mtFullDescriptor},
		{"/fotoweb/me", tok, "application/json", 200, mtJSON},
		{"/fotoweb/me", tok, "*/*", 200, mtFullDescriptor},
		{"/fotoweb/me", tok, mtAPIDescriptor, 406, mtJSON},
		{"/fotoweb/me", "", "", 401, "text/plain"},
		{"/fotoweb/archives/", "", "", 401, "text/plain"},
	}
	for _, tt := range tests {
		r := get(t, s, tt.path, tt.token, tt.accept)
		if r.status != tt.status || r.header.Get("Content-Type") != tt.ctype+"; charset=utf-8" {
			t.Errorf("GET %s Accept %q: %d %q, want %d %q", tt.path, tt.accept, r.status, r.header.Get("Content-Type"), tt.status, tt.ctype)
		}
	}
	me := get(t, s, "/fotoweb/me/", tok, "").json(t)
	if me["archives"] != "/fotoweb/me/archives/" || me["searchURL"] != "/fotoweb/archives/{?q}" ||
		me["services"].(map[string]any)["rendition_request"] != "/fotoweb/services/renditions" {
		t.Errorf("descriptor %v", me)
	}
	if u := me["user"].(map[string]any); u["userName"] != "Administrator" {
		t.Errorf("service user %v", u)
	}
	if u := get(t, s, "/fotoweb/me/", s.UserToken(), "").json(t)["user"].(map[string]any); u["userName"] != User {
		t.Errorf("user %v", u)
	}
}
