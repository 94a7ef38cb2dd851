package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestAuthCodePKCE runs the public client's flow through the fake's
// authorize endpoint: the state comes back, the code and verifier give a
// user token with a refresh token, and no secret is sent.
func TestAuthCodePKCE(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, rec := newFake(t, clk, fotowebtest.Options{})
	tok := login(t, webConfig(srv), opts)
	if tok.AccessToken == "" || tok.RefreshToken == "" || !tok.Expiry.Equal(clk.Now().Add(8*time.Hour)) || tok.ExpiresIn != 28800 {
		t.Errorf("token: access %v, refresh %v, expiry %v, expires_in %d", tok.AccessToken != "", tok.RefreshToken != "", tok.Expiry, tok.ExpiresIn)
	}
	if st := apiStatus(t, srv, tok); st != http.StatusOK {
		t.Errorf("GET /fotoweb/me/ with the user token: %d", st)
	}
	got := rec.last(t)
	if got.form.Has("client_secret") || got.form.Get("code_verifier") == "" || got.form.Get("redirect_uri") != redirectURL || got.form.Get("client_id") != fotowebtest.WebClientID {
		t.Errorf("exchange form %v", got.form)
	}
}

func TestAuthCodeErrors(t *testing.T) {
	srv, opts, _ := newFake(t, testutil.NewClockNow(), fotowebtest.Options{})
	ctx := context.Background()

	t.Run("verifier mismatch", func(t *testing.T) {
		cfg := webConfig(srv)
		q := authorize(t, cfg.AuthCodeURL("s1", tokens.NewVerifier()))
		other := tokens.NewVerifier()
		_, err := cfg.Exchange(ctx, q.Get("code"), other, opts)
		var te *tokens.Error
		if !errors.As(err, &te) || te.Code != "invalid_grant" {
			t.Fatalf("Exchange with another verifier: %v", err)
		}
		assertNoLeak(t, err, q.Get("code"), other)
	})
	t.Run("code used twice", func(t *testing.T) {
		cfg := webConfig(srv)
		v := tokens.NewVerifier()
		code := authorize(t, cfg.AuthCodeURL("s2", v)).Get("code")
		if _, err := cfg.Exchange(ctx, code, v, opts); err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.Exchange(ctx, code, v, opts); err == nil {
			t.Error("a code was redeemed twice")
		}
	})
	t.Run("missing code", func(t *testing.T) {
		if _, err := webConfig(srv).Exchange(ctx, "", "v", opts); err == nil {
			t.Error("empty code accepted")
		}
	})
	t.Run("denied", func(t *testing.T) {
		srv.DenyAuthorization(true)
		defer srv.DenyAuthorization(false)
		q := authorize(t, webConfig(srv).AuthCodeURL("s3", tokens.NewVerifier()))
		if q.Get("error") != "access_denied" || q.Get("state") != "s3" || q.Has("code") {
			t.Errorf("denied authorize redirect: %v", q)
		}
	})
	t.Run("unknown client gets no redirect", func(t *testing.T) {
		cfg := webConfig(srv)
		cfg.ClientID = "unregistered"
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(cfg.AuthCodeURL("s4", tokens.NewVerifier()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 3 || resp.Header.Get("Location") != "" {
			t.Errorf("unknown client redirected: %s %q", resp.Status, resp.Header.Get("Location"))
		}
	})
}

// TestAuthCodeConfidential: the "Web App / API" client sends its secret in
// the body; a wrong secret is invalid_client and is not echoed.
func TestAuthCodeConfidential(t *testing.T) {
	srv, opts, rec := newFake(t, testutil.NewClockNow(), fotowebtest.Options{})
	cfg := tokens.AuthCodeConfig{BaseURL: srv.URL, ClientID: fotowebtest.ConfidentialClientID,
		ClientSecret: fotowebtest.ConfidentialClientSecret, RedirectURL: redirectURL}
	tok := login(t, cfg, opts)
	if tok.RefreshToken == "" {
		t.Error("confidential client got no refresh token")
	}
	if got := rec.last(t); got.form.Get("client_secret") != fotowebtest.ConfidentialClientSecret || got.header.Get("Authorization") != "" {
		t.Errorf("exchange form %v, Authorization %q", got.form, got.header.Get("Authorization"))
	}

	bad := cfg
	bad.ClientSecret = "not-the-webapp-secret"
	v := tokens.NewVerifier()
	code := authorize(t, bad.AuthCodeURL("s", v)).Get("code")
	_, err := bad.Exchange(context.Background(), code, v, opts)
	var te *tokens.Error
	if !errors.As(err, &te) || te.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v", err)
	}
	assertNoLeak(t, err, bad.ClientSecret, code, v)
}
