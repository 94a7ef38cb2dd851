package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	weborigin "github.com/fotoembed/fotoembed/internal/origin"
	shared "github.com/fotoembed/fotoembed/internal/redact"
)

// FotoWeb's OAuth 2.0 endpoints, relative to the origin.
const (
	authorizePath = "/fotoweb/oauth2/authorize"
	tokenPath     = "/fotoweb/oauth2/token"
)

// ClientCredentialsConfig identifies a non-interactive FotoWeb
// application (client_credentials grant).
type ClientCredentialsConfig struct {
	BaseURL      string   // FotoWeb origin, e.g. https://acme.fotoware.cloud
	ClientID     string   // the application's client ID
	ClientSecret string   // the application's client secret
	Scopes       []string // optional; FotoWeb needs none
}

// Validate reports every missing or malformed field at once. It names
// fields and never echoes the secret.
func (c ClientCredentialsConfig) Validate() error {
	var errs []error
	if _, err := origin(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("ClientID is missing"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("ClientSecret is missing"))
	}
	return configError("client credentials config", errs)
}

// ClientCredentials returns a Source (Kind KindClientCredentials) that
// obtains tokens with the client_credentials grant, sending the secret in
// the request body. FotoWeb gives non-interactive applications no usable
// refresh token, so an expiring token is replaced by repeating the grant.
// No request is made until the first Token call.
func ClientCredentials(cfg ClientCredentialsConfig, opts Options) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, _ := origin(cfg.BaseURL)
	opts = opts.withDefaults()
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     base + tokenPath,
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	fetch := func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		start := opts.Now()
		t, err := cc.Token(withClient(ctx, opts.HTTPClient))
		if err != nil {
			return nil, wrapErr(opClientCredentials, err, cfg.ClientSecret)
		}
		t = stamp(t, start)
		t.RefreshToken = "" // not supported for these applications; repeat the grant instead
		return t, nil
	}
	return newSource(KindClientCredentials, opts, fetch), nil
}

// origin normalises a FotoWeb base URL to its origin ([weborigin.Of]:
// scheme://host[:port] in lower case, default port dropped), accepting a
// trailing slash or "/fotoweb" suffix.
func origin(base string) (string, error) {
	if base == "" {
		return "", errors.New("BaseURL is missing")
	}
	_, u, err := weborigin.Base(base)
	if err != nil {
		return "", fmt.Errorf("BaseURL %w", err)
	}
	if p := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/fotoweb"); p != "" {
		return "", fmt.Errorf("BaseURL %q must be the FotoWeb origin, without a path", redactURL(base))
	}
	return weborigin.Of(u), nil
}

// redactURL hides user info and secret query values of a URL that goes
// into an error (see package internal/redact).
func redactURL(s string) string { return shared.URL(s) }

func configError(what string, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("tokens: invalid %s: %s", what, strings.Join(msgs, "; "))
}
