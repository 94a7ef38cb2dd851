package fotowebtest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// LoginRedirectURL is the loopback redirect URI [Login] uses when the
// application names none. The fake accepts any loopback URI; nothing
// needs to listen there, since the redirect is read, not followed.
const LoginRedirectURL = "http://127.0.0.1:9/callback"

// Authorize requests authURL, an authorize URL of the fake (as
// [tokens.AuthCodeConfig.AuthCodeURL] makes it), the way a browser whose
// user approves would, and returns the query of the redirect to the
// application: code and state, or error and error_description. The
// redirect is not followed.
func Authorize(ctx context.Context, authURL string) (url.Values, error) {
	au, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("fotowebtest: authorize: %w", err)
	}
	c := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fotowebtest: authorize: %w", err)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fotowebtest: authorize: %w", err)
	}
	res.Body.Close()
	redirect := au.Query().Get("redirect_uri")
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || redirect == "" || !strings.HasPrefix(loc.String(), redirect) {
		return nil, fmt.Errorf("fotowebtest: authorize answered %s, not a redirect to %s", res.Status, redirect)
	}
	return loc.Query(), nil
}

// Login runs app's authorization-code flow with PKCE against the fake
// without a browser (see [Authorize]) and returns the token of the user
// the fake approves. An empty app.RedirectURL means [LoginRedirectURL].
func Login(ctx context.Context, app tokens.AuthCodeConfig, opts tokens.Options) (*oauth2.Token, error) {
	if app.RedirectURL == "" {
		app.RedirectURL = LoginRedirectURL
	}
	state, verifier := tokens.NewState(), tokens.NewVerifier()
	q, err := Authorize(ctx, app.AuthCodeURL(state, verifier))
	if err != nil {
		return nil, err
	}
	if q.Get("state") != state || q.Get("code") == "" {
		return nil, fmt.Errorf("fotowebtest: login: the authorize redirect has no code or a wrong state (error %q)", q.Get("error"))
	}
	return app.Exchange(ctx, q.Get("code"), verifier, opts)
}
