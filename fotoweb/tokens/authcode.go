package tokens

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"
)

// AuthCodeConfig identifies an interactive FotoWeb application that uses
// the authorization-code grant: a public native application with PKCE
// (ClientSecret "") or a confidential "Web App / API" application.
type AuthCodeConfig struct {
	BaseURL      string   // FotoWeb origin, e.g. https://acme.fotoware.cloud
	ClientID     string   // the application's client ID
	ClientSecret string   // "" for a public (PKCE) client
	RedirectURL  string   // registered redirect URI, e.g. http://127.0.0.1:8765/callback
	Scopes       []string // optional; most FotoWeb integrations send none
}

// Validate reports every missing or malformed field at once. RedirectURL
// is needed only for AuthCodeURL and Exchange, not for refreshing.
func (c AuthCodeConfig) Validate() error {
	return configError("authorization code config", c.problems(true))
}

func (c AuthCodeConfig) problems(needRedirect bool) []error {
	var errs []error
	if _, err := origin(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("ClientID is missing"))
	}
	if needRedirect {
		if c.RedirectURL == "" {
			errs = append(errs, errors.New("RedirectURL is missing"))
		} else if u, err := url.Parse(c.RedirectURL); err != nil || !u.IsAbs() {
			errs = append(errs, fmt.Errorf("RedirectURL %q is not an absolute URL", redactURL(c.RedirectURL)))
		}
	}
	return errs
}

// config is the x/oauth2 view of c. The secret, when there is one, goes
// in the request body; a public client sends none.
func (c AuthCodeConfig) config() *oauth2.Config {
	base, _ := origin(c.BaseURL)
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + authorizePath,
			TokenURL:  base + tokenPath,
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: c.RedirectURL,
		Scopes:      c.Scopes,
	}
}

// NewVerifier returns a new random PKCE code verifier (RFC 7636). Keep it
// for Exchange.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// NewState returns a new random state value (128 bits) to bind the
// authorization response to the request that asked for it.
func NewState() string { return rand.Text() }

// AuthCodeURL returns the FotoWeb authorize URL to send the user to:
// response_type=code, client_id, redirect_uri, state and, unless verifier
// is "", the S256 code_challenge derived from verifier.
func (c AuthCodeConfig) AuthCodeURL(state, verifier string) string {
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	return c.config().AuthCodeURL(state, opts...)
}

// Exchange trades the code from the authorize redirect (after the caller
// checked its state) for a token, proving possession of verifier. The
// returned token includes its refresh token: save it in a TokenStore for
// RefreshSource. Only opts.Now and opts.HTTPClient are used.
func (c AuthCodeConfig) Exchange(ctx context.Context, code, verifier string, opts Options) (*oauth2.Token, error) {
	errs := c.problems(true)
	if code == "" {
		errs = append(errs, errors.New("code is missing"))
	}
	if err := configError("authorization code exchange", errs); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	var ao []oauth2.AuthCodeOption
	if verifier != "" {
		ao = append(ao, oauth2.VerifierOption(verifier))
	}
	start := opts.Now()
	t, err := c.config().Exchange(withClient(ctx, opts.HTTPClient), code, ao...)
	if err != nil {
		return nil, wrapErr(opExchange, err, c.ClientSecret, code, verifier)
	}
	return stamp(t, start), nil
}
