package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/redisstore"
)

// tokenSource returns the token source --auth asks for. hc, when not nil,
// is the base client for the token endpoint. userStore, when not nil,
// keeps the --auth user token instead of the token file. log, when not
// nil, is told about a lost or restored login.
func (c *fotowebConfig) tokenSource(hc *http.Client, userStore tokens.TokenStore, log *slog.Logger) (*tokens.Source, error) {
	opts := tokens.Options{HTTPClient: hc, Logger: log}
	switch c.Auth {
	case authClientCredentials:
		return tokens.ClientCredentials(tokens.ClientCredentialsConfig{
			BaseURL: c.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret}, opts)
	case authStatic:
		return tokens.Static(c.StaticToken), nil
	case authUser:
		app := tokens.AuthCodeConfig{BaseURL: c.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
		if userStore == nil {
			userStore = &tokens.FileStore{Path: c.TokenFile}
		}
		return tokens.RefreshSource(app, userStore, opts)
	}
	return nil, fmt.Errorf("unknown --auth %q", c.Auth)
}

// client returns the FotoWeb API client. hc, when not nil, sends its
// requests (the server's instrumented transport).
func (c *fotowebConfig) client(ts fotoweb.TokenSource, hc *http.Client, log *slog.Logger) (*fotoweb.Client, error) {
	cfg := c.apiConfig(log)
	cfg.Tokens, cfg.HTTPClient = ts, hc
	return fotoweb.New(cfg)
}

// apiConfig is the FotoWeb client's configuration from c, without its
// token source and HTTP client.
func (c *fotowebConfig) apiConfig(log *slog.Logger) fotoweb.Config {
	return fotoweb.Config{
		BaseURL:      c.URL,
		Timeout:      c.Timeout,
		TokenInQuery: c.TokenInQuery,
		RateLimit:    c.RateLimit,
		Logger:       log,
	}
}

// resolver returns the caching asset resolver over src; store nil means
// the in-process one, bounded by the --cache-max-* limits.
func (c *resolverConfig) resolver(src embed.AssetSource, store embed.Store, previewTokens bool) (*embed.Resolver, error) {
	return c.settings(previewTokens).NewResolver(src, store)
}

// sharedStore opens the Redis store --store names; nil for memory. The
// caller closes it.
func (c *serverConfig) sharedStore(ctx context.Context, near embed.MemoryStoreConfig, log *slog.Logger) (*redisstore.Store, error) {
	if c.Store == "" || c.Store == storeMemory {
		return nil, nil
	}
	redisstore.SetClientLogger(log, 0)
	return redisstore.New(ctx, redisstore.Config{URL: c.Store, NearTTL: offIfZero(c.StoreNearTTL), NearLimits: near, Timeout: c.StoreTimeout, Logger: log})
}

// userTokenStore keeps the --auth user token in Redis for every replica
// and in the token file `fotoembed login` wrote: every rotation goes to
// both, and the newer of the two is used, so that losing either (Redis
// restarted empty, a lost file) loses nothing.
func userTokenStore(ctx context.Context, shared *redisstore.Store, tokenFile string, log *slog.Logger) tokens.TokenStore {
	file := &tokens.FileStore{Path: tokenFile}
	ts := shared.TokenStore("user", file)
	if seeded, err := ts.Seed(ctx, file); err != nil {
		log.Warn("could not copy the login token to Redis; trying again when it is needed", "err", err.Error())
	} else if seeded {
		log.Info("login token copied to Redis for every replica", "file", tokenFile)
	}
	return ts
}
