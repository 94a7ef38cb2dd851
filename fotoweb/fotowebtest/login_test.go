package fotowebtest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// TestLogin: Login gets a working token for the approved user without a
// browser; a denied or misdirected authorization is reported.
func TestLogin(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, Options{LoginUser: ReadOnlyUser})
	app := tokens.AuthCodeConfig{BaseURL: s.URL, ClientID: WebClientID}
	tok, err := Login(ctx, app, tokens.Options{})
	if err != nil {
		t.Fatal(err)
	}
	me := get(t, s, "/fotoweb/me", tok.AccessToken, "").json(t)
	if u := me["user"].(map[string]any)["userName"]; u != ReadOnlyUser || tok.RefreshToken == "" {
		t.Errorf("logged in as %v, refresh token %t", u, tok.RefreshToken != "")
	}

	s.DenyAuthorization(true)
	app.RedirectURL = "http://localhost:9/cb"
	q, err := Authorize(ctx, app.AuthCodeURL("st", tokens.NewVerifier()))
	if err != nil || q.Get("error") != "access_denied" || q.Get("state") != "st" {
		t.Errorf("denied: %v, %v", q, err)
	}
	if _, err := Login(ctx, app, tokens.Options{}); err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("Login when denied: %v", err)
	}
	app.RedirectURL = "https://evil.example/cb"
	if _, err := Authorize(ctx, app.AuthCodeURL("st", tokens.NewVerifier())); err == nil || !strings.Contains(err.Error(), http.StatusText(http.StatusBadRequest)) {
		t.Errorf("unregistered redirect: %v", err)
	}
}
