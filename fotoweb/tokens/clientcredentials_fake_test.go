package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

func serviceConfig(srv *fotowebtest.Server) tokens.ClientCredentialsConfig {
	return tokens.ClientCredentialsConfig{BaseURL: srv.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret}
}

// TestClientCredentials: both forms of expires_in (the fake's default
// decimal 28800.000000 and an integer) give a working, cached token whose
// expiry is on the injected clock.
func TestClientCredentials(t *testing.T) {
	for _, integer := range []bool{false, true} {
		name := map[bool]string{false: "decimal expires_in", true: "integer expires_in"}[integer]
		t.Run(name, func(t *testing.T) {
			clk := testutil.NewClockNow()
			srv, opts, rec := newFake(t, clk, fotowebtest.Options{IntegerExpiresIn: integer})
			src, err := tokens.ClientCredentials(serviceConfig(srv), opts)
			if err != nil {
				t.Fatal(err)
			}
			if src.Kind() != tokens.KindClientCredentials {
				t.Errorf("Kind = %v", src.Kind())
			}
			tok, err := src.Token()
			if err != nil {
				t.Fatal(err)
			}
			if want := clk.Now().Add(8 * time.Hour); !tok.Expiry.Equal(want) || tok.Type() != "Bearer" || tok.RefreshToken != "" {
				t.Errorf("token expiry %v (want %v), type %q, refresh %q", tok.Expiry, want, tok.Type(), tok.RefreshToken)
			}
			if st := apiStatus(t, srv, tok); st != http.StatusOK {
				t.Errorf("GET /fotoweb/me/ with the token: %d", st)
			}
			// The secret travels in the body (client_secret_post), never in a header.
			got := rec.last(t)
			if got.form.Get("client_secret") != fotowebtest.ServiceClientSecret || got.form.Get("grant_type") != "client_credentials" || got.header.Get("Authorization") != "" {
				t.Errorf("request form %v, Authorization %q", got.form, got.header.Get("Authorization"))
			}
			clk.Advance(7 * time.Hour)
			if again, _ := src.Token(); again.AccessToken != tok.AccessToken || srv.TokenRequests("client_credentials") != 1 {
				t.Errorf("token not cached: %d requests", srv.TokenRequests("client_credentials"))
			}
			clk.Advance(59*time.Minute + 1*time.Second) // within the 60s margin
			next, err := src.Token()
			if err != nil || next.AccessToken == tok.AccessToken || srv.TokenRequests("client_credentials") != 2 {
				t.Errorf("inside the margin: same token %v, %d requests, %v", next.AccessToken == tok.AccessToken, srv.TokenRequests("client_credentials"), err)
			}
		})
	}
}

// TestClientCredentialsRefreshTokenIgnored: a refresh token in a
// client_credentials answer (as a recorded mock had) is not used; an
// expiring token is replaced by repeating the grant.
func TestClientCredentialsRefreshTokenIgnored(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{ClientCredentialsRefreshToken: true})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	if _, err := src.Token(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(9 * time.Hour)
	if _, err := src.Token(); err != nil {
		t.Fatal(err)
	}
	if cc, rt := srv.TokenRequests("client_credentials"), srv.TokenRequests("refresh_token"); cc != 2 || rt != 0 {
		t.Errorf("client_credentials %d, refresh_token %d; want 2, 0", cc, rt)
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	tests := []struct {
		name     string
		cfg      tokens.ClientCredentialsConfig
		wantCode string
	}{
		{"wrong secret", tokens.ClientCredentialsConfig{BaseURL: srv.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: "wrong-secret-value"}, "invalid_client"},
		{"unknown client", tokens.ClientCredentialsConfig{BaseURL: srv.URL, ClientID: "nobody", ClientSecret: "nobodys-secret"}, "invalid_client"},
		{"interactive client", tokens.ClientCredentialsConfig{BaseURL: srv.URL, ClientID: fotowebtest.ConfidentialClientID, ClientSecret: fotowebtest.ConfidentialClientSecret}, "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := tokens.ClientCredentials(tt.cfg, opts)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token()
			var te *tokens.Error
			if tok != nil || !errors.As(err, &te) || te.Code != tt.wantCode || te.Status < 400 {
				t.Fatalf("Token() = %v, %v; want a *tokens.Error with code %s", tok, err, tt.wantCode)
			}
			if errors.Is(err, tokens.ErrLoginRequired) {
				t.Error("a client error asks for a new login")
			}
			assertNoLeak(t, err, tt.cfg.ClientSecret, fotowebtest.ServiceClientSecret)
			t.Logf("error: %v", err)
		})
	}
}

// TestPlainOAuth2FailsOnFake: against the fake's default decimal
// expires_in, x/oauth2 without tokens.HTTPClient fails and with it works.
func TestPlainOAuth2FailsOnFake(t *testing.T) {
	srv, _, _ := newFake(t, testutil.NewClockNow(), fotowebtest.Options{})
	cc := &clientcredentials.Config{ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
		TokenURL: srv.URL + "/fotoweb/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}
	if _, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())); err == nil {
		t.Error("plain x/oauth2 accepted expires_in 28800.000000")
	}
	if _, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, tokens.HTTPClient(srv.Client()))); err != nil {
		t.Errorf("with tokens.HTTPClient: %v", err)
	}
}

// TestTokenEndpointDown: inside the margin a failed fetch still hands out
// the cached, valid token; once it expired the error surfaces.
func TestTokenEndpointDown(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetTokenEndpointDown(true)
	clk.Advance(8*time.Hour - 30*time.Second)
	if got, err := src.Token(); err != nil || got.AccessToken != tok.AccessToken {
		t.Errorf("inside the margin, endpoint down: %v", err)
	}
	clk.Advance(time.Minute)
	_, err = src.Token()
	var te *tokens.Error
	if !errors.As(err, &te) || te.Status != http.StatusServiceUnavailable {
		t.Fatalf("after expiry, endpoint down: %v", err)
	}
	srv.SetTokenEndpointDown(false)
	// Right after a failure the error is answered again without a token
	// request (the back-off); after it the endpoint is asked again.
	before := srv.TokenRequests("")
	if _, err := src.Token(); !errors.As(err, &te) || srv.TokenRequests("") != before {
		t.Errorf("within the back-off: %v, %d token requests", err, srv.TokenRequests("")-before)
	}
	clk.Advance(time.Second)
	if _, err := src.Token(); err != nil {
		t.Errorf("endpoint back: %v", err)
	}
}

// TestTokenSharedUntilRenewed: a cached token is handed out as one
// shared copy (no copy per call: the signed redirect asks on every
// request), without the refresh token, until it is renewed.
func TestTokenSharedUntilRenewed(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	src, err := tokens.ClientCredentials(serviceConfig(srv), opts)
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	second, _ := src.Token()
	third, _ := src.TokenContext(context.Background())
	if second != third || second.AccessToken != first.AccessToken || second.RefreshToken != "" {
		t.Errorf("cached token handed out as different copies (%p, %p) or with a refresh token", second, third)
	}
	clk.Advance(8 * time.Hour)
	renewed, err := src.Token()
	if err != nil || renewed == second || renewed.AccessToken == second.AccessToken || srv.TokenRequests("client_credentials") != 2 {
		t.Errorf("after expiry: same copy %v, %d requests, %v", renewed == second, srv.TokenRequests("client_credentials"), err)
	}
}
