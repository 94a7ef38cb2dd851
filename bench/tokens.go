package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"

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
		tok, err := login(ctx, app, opts)
		if err != nil {
			return nil, err
		}
		store := &memStore{}
		if err := store.Save(ctx, tok); err != nil {
			return nil, err
		}
		return tokens.RefreshSource(app, store, opts)
	}
	return nil, fmt.Errorf("bench: unknown auth %q", cfg.Auth)
}

// login runs the authorization-code + PKCE flow against the fake, whose
// authorize endpoint approves its user at once and redirects with the
// code. The redirect is read, not followed: nothing listens on it.
func login(ctx context.Context, app tokens.AuthCodeConfig, opts tokens.Options) (*oauth2.Token, error) {
	app.RedirectURL = "http://127.0.0.1:9/callback"
	state, verifier := tokens.NewState(), tokens.NewVerifier()
	c := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, app.AuthCodeURL(state, verifier), nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: login: %w", err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode/100 != 3 {
		return nil, fmt.Errorf("bench: login: authorize answered %d", res.StatusCode)
	}
	q := loc.Query()
	if q.Get("state") != state || q.Get("code") == "" {
		return nil, errors.New("bench: login: the authorize redirect has no code or a wrong state")
	}
	return app.Exchange(ctx, q.Get("code"), verifier, opts)
}

// memStore is a tokens.TokenStore in memory.
type memStore struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

// Load implements tokens.TokenStore.
func (m *memStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, tokens.ErrNoToken
	}
	t := *m.tok
	return &t, nil
}

// Save implements tokens.TokenStore.
func (m *memStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *t
	m.tok = &c
	return nil
}

// TokenSource returns a token source of the kind auth for the FotoWeb at
// fotowebURL, as the service under test would have (the reverse-proxy
// baseline uses one too).
func TokenSource(ctx context.Context, fotowebURL string, auth Auth, rt http.RoundTripper) (*tokens.Source, error) {
	return tokenSource(ctx, ServiceConfig{FotoWebURL: fotowebURL, Auth: auth},
		&http.Client{Transport: rt, Timeout: tokens.DefaultTimeout})
}
