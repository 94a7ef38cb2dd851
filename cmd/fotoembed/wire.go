package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// tokenSource returns the token source --auth asks for. hc, when not nil,
// is the base client for the token endpoint.
func (c *fotowebConfig) tokenSource(hc *http.Client) (*tokens.Source, error) {
	opts := tokens.Options{HTTPClient: hc}
	switch c.Auth {
	case authClientCredentials:
		return tokens.ClientCredentials(tokens.ClientCredentialsConfig{
			BaseURL: c.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret}, opts)
	case authStatic:
		return tokens.Static(c.StaticToken), nil
	case authUser:
		app := tokens.AuthCodeConfig{BaseURL: c.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
		return tokens.RefreshSource(app, &tokens.FileStore{Path: c.TokenFile}, opts)
	}
	return nil, fmt.Errorf("unknown --auth %q", c.Auth)
}

// client returns the FotoWeb API client. hc, when not nil, sends its
// requests (the server's instrumented transport).
func (c *fotowebConfig) client(ts fotoweb.TokenSource, hc *http.Client, log *slog.Logger) (*fotoweb.Client, error) {
	return fotoweb.New(fotoweb.Config{
		BaseURL:      c.URL,
		Tokens:       ts,
		HTTPClient:   hc,
		Timeout:      c.Timeout,
		TokenInQuery: c.TokenInQuery,
		RateLimit:    c.RateLimit,
		Logger:       log,
	})
}

// resolver returns the caching asset resolver over src.
func (c *resolverConfig) resolver(src embed.AssetSource) (*embed.Resolver, error) {
	return embed.NewResolver(embed.ResolverConfig{
		Source:       src,
		TTL:          offIfZero(c.CacheTTL),
		StaleIfError: offIfZero(c.StaleWindow),
		NotFoundTTL:  offIfZero(c.NotFoundTTL),
		Fields:       c.Fields,
	})
}
