package fotowebtest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// pkce returns a verifier and its S256 challenge.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 43/len(seed)+1)[:43]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs the authorize endpoint and returns the code.
func authorize(t *testing.T, s *Server, client, redirect, challenge string) string {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect}, "state": {"xyz"}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	r := get(t, s, "/fotoweb/oauth2/authorize?"+q.Encode(), "", "")
	if r.status != http.StatusFound {
		t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	return loc.Query().Get("code")
}

const redirect = "http://127.0.0.1:53682/callback"

func codeForm(client, code, verifier string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "client_id": {client}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		v.Set("code_verifier", verifier)
	}
	return v
}

func TestAuthorizationCodePKCE(t *testing.T) {
	s := newServer(t, Options{})
	verifier, challenge := pkce("verifier-")
	code := authorize(t, s, WebClientID, redirect, challenge)
	r := postToken(t, s, codeForm(WebClientID, code, verifier))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["refresh_token"] == "" || m["token_type"] != "bearer" {
		t.Fatalf("token response %v", m)
	}
	me := get(t, s, "/fotoweb/me", m["access_token"].(string), "").json(t)
	if u := me["user"].(map[string]any); u["userName"] != User {
		t.Errorf("user %v", u)
	}
	// The code is single-use.
	if r := postToken(t, s, codeForm(WebClientID, code, verifier)); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("reuse: %d %s", r.status, r.body)
	}
}

func TestAuthorizationCodeErrors(t *testing.T) {
	verifier, challenge := pkce("verifier-")
	tests := []struct {
		name    string
		form    func(code string) url.Values
		errCode string
	}{
		{"verifier mismatch", func(c string) url.Values { return codeForm(WebClientID, c, verifier+"x") }, "invalid_grant"},
		{"no verifier", func(c string) url.Values { return codeForm(WebClientID, c, "") }, "invalid_request"},
		{"wrong redirect", func(c string) url.Values {
			f := codeForm(WebClientID, c, verifier)
			f.Set("redirect_uri", "http://127.0.0.1:1/other")
			return f
		}, "invalid_grant"},
		{"unknown code", func(string) url.Values { return codeForm(WebClientID, "bogus", verifier) }, "invalid_grant"},
		{"no code", func(string) url.Values { return codeForm(WebClientID, "", verifier) }, "invalid_request"},
		{"public client with secret", func(c string) url.Values {
			f := codeForm(WebClientID, c, verifier)
			f.Set("client_secret", "x")
			return f
		}, "invalid_request"},
		{"other client", func(c string) url.Values {
			f := codeForm(ConfidentialClientID, c, verifier)
			f.Set("client_secret", ConfidentialClientSecret)
			return f
		}, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{})
			code := authorize(t, s, WebClientID, redirect, challenge)
			r := postToken(t, s, tt.form(code))
			if r.status != 400 || r.json(t)["error"] != tt.errCode {
				t.Errorf("%d %s, want %s", r.status, r.body, tt.errCode)
			}
		})
	}
	t.Run("expired code", func(t *testing.T) {
		c := newClock()
		s := newServer(t, Options{Now: c.Now})
		code := authorize(t, s, WebClientID, redirect, challenge)
		c.Advance(61 * time.Second)
		if r := postToken(t, s, codeForm(WebClientID, code, verifier)); r.json(t)["error"] != "invalid_grant" {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}

func TestConfidentialClient(t *testing.T) {
	s := newServer(t, Options{})
	code := authorize(t, s, ConfidentialClientID, redirect, "")
	f := codeForm(ConfidentialClientID, code, "")
	if r := postToken(t, s, f); r.json(t)["error"] != "invalid_client" {
		t.Errorf("without secret: %s", r.body)
	}
	code = authorize(t, s, ConfidentialClientID, redirect, "")
	f = codeForm(ConfidentialClientID, code, "")
	f.Set("client_secret", ConfidentialClientSecret)
	r := postToken(t, s, f)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	rt := r.json(t)["refresh_token"].(string)
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {ConfidentialClientID}}
	if r := postToken(t, s, rf); r.json(t)["error"] != "invalid_client" {
		t.Errorf("refresh without secret: %s", r.body)
	}
	rf.Set("client_secret", ConfidentialClientSecret)
	if r := postToken(t, s, rf); r.status != 200 {
		t.Errorf("refresh: %d %s", r.status, r.body)
	}
}

// userTokens runs the PKCE flow and returns the token response.
func userTokens(t *testing.T, s *Server) (access, refresh string) {
	t.Helper()
	verifier, challenge := pkce("abc")
	m := postToken(t, s, codeForm(WebClientID, authorize(t, s, WebClientID, redirect, challenge), verifier)).json(t)
	return m["access_token"].(string), m["refresh_token"].(string)
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {WebClientID}}
}

func TestRefreshRotation(t *testing.T) {
	s := newServer(t, Options{})
	_, rt1 := userTokens(t, s)
	r := postToken(t, s, refreshForm(rt1))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	rt2, _ := r.json(t)["refresh_token"].(string)
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("no rotation: %s", r.body)
	}
	if r := postToken(t, s, refreshForm(rt1)); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("old refresh token still works: %d %s", r.status, r.body)
	}
	if r := postToken(t, s, refreshForm(rt2)); r.status != 200 {
		t.Errorf("new refresh token: %d %s", r.status, r.body)
	}
	f := refreshForm(rt2)
	f.Set("client_secret", "anything")
	if r := postToken(t, s, f); r.json(t)["error"] != "invalid_request" {
		t.Errorf("public client with secret: %s", r.body)
	}
	if got := s.TokenRequests("refresh_token"); got != 4 {
		t.Errorf("TokenRequests(refresh_token) = %d, want 4", got)
	}
	if got := s.TokenRequests("authorization_code"); got != 1 {
		t.Errorf("TokenRequests(authorization_code) = %d", got)
	}
	if got := s.TokenRequests(""); got != 5 {
		t.Errorf("TokenRequests() = %d", got)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	off := false
	s := newServer(t, Options{RotateRefreshTokens: &off})
	_, rt := userTokens(t, s)
	for i := 0; i < 2; i++ {
		r := postToken(t, s, refreshForm(rt))
		if r.status != 200 || strings.Contains(string(r.body), "refresh_token") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
}

func TestRefreshRevokedAndExpired(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now, RefreshTokenLifetime: time.Hour})
	_, rt := userTokens(t, s)
	s.RevokeRefreshTokens()
	if r := postToken(t, s, refreshForm(rt)); r.json(t)["error"] != "invalid_grant" {
		t.Errorf("revoked: %s", r.body)
	}
	_, rt = userTokens(t, s)
	c.Advance(2 * time.Hour)
	if r := postToken(t, s, refreshForm(rt)); r.json(t)["error"] != "invalid_grant" {
		t.Errorf("expired: %s", r.body)
	}
}

// TestHoldNextRefresh: the held refresh has already rotated (the old
// refresh token is refused) when rotated is closed; its answer, with the
// new refresh token, comes only on release; the hold applies once.
func TestHoldNextRefresh(t *testing.T) {
	s := newServer(t, Options{})
	_, rt1 := userTokens(t, s)
	rotated, release := s.HoldNextRefresh()
	answer := make(chan response, 1)
	go func() { answer <- postToken(t, s, refreshForm(rt1)) }()
	<-rotated
	if r := postToken(t, s, refreshForm(rt1)); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "invalid_grant") {
		t.Errorf("the old refresh token during the hold: %d %s", r.status, r.body)
	}
	select {
	case r := <-answer:
		t.Fatalf("answered before release: %d", r.status)
	default:
	}
	release()
	r := <-answer
	rt2, _ := r.json(t)["refresh_token"].(string)
	if r.status != http.StatusOK || rt2 == "" || rt2 == rt1 {
		t.Fatalf("held answer: %d %s", r.status, r.body)
	}
	if r := postToken(t, s, refreshForm(rt2)); r.status != http.StatusOK {
		t.Errorf("the next refresh is held too, or the new token fails: %d", r.status)
	}
}
