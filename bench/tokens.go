package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// tokenSource returns the token source cfg.Auth asks for, with hc as the
// token endpoint's client. A user token is obtained with the
// authorization-code + PKCE flow, which the fake approves without a
// browser, and kept in memory.
func tokenSource(ctx context.Context, cfg ServiceConfig, hc *http.Client) (*tokens.Source, error) {
	opts := tokens.Options{HTTPClient: hc}
	switch cfg.Auth {
	case AuthClientCredentials:
		return tokens.ClientCredentials(tokens.ClientCredentialsConfig{BaseURL: cfg.FotoWebURL,
			ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret}, opts)
	case AuthUser:
		app := tokens.AuthCodeConfig{BaseURL: cfg.FotoWebURL, ClientID: fotowebtest.WebClientID}
		tok, err := fotowebtest.Login(ctx, app, opts)
		if err != nil {
			return nil, fmt.Errorf("bench: login: %w", err)
		}
		return tokens.RefreshSource(app, tokens.NewMemoryStore(tok), opts)
	}
	return nil, fmt.Errorf("bench: unknown auth %q", cfg.Auth)
}

// TokenSource returns a token source of the kind auth for the FotoWeb at
// fotowebURL, as the service under test would have (the reverse-proxy
// baseline uses one too).
func TokenSource(ctx context.Context, fotowebURL string, auth Auth, rt http.RoundTripper) (*tokens.Source, error) {
	return tokenSource(ctx, ServiceConfig{FotoWebURL: fotowebURL, Auth: auth},
		&http.Client{Transport: rt, Timeout: tokens.DefaultTimeout})
}
