package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/fotoembed/fotoembed/purge"
	"github.com/fotoembed/fotoembed/redisstore"
)

// purgeConfig is serve's CDN purging: where to send the purge of an
// asset's cache tag when FotoWeb changes or deletes it, or it may no
// longer be shown.
type purgeConfig struct {
	URL             string   // generic webhook
	Header          string   // header carrying Secret
	Secret          string   // secret: environment or file only
	Varnish         []string // Varnish HTTP listeners
	VarnishMethod   string   // BAN or PURGE
	FastlyService   string
	FastlyToken     string // secret
	FastlySoft      bool
	CloudflareZone  string
	CloudflareToken string // secret
}

// register registers the --purge-* flags and their secrets.
func (c *purgeConfig) register(f *flagSet) {
	f.String(&c.URL, "purge-url", "FOTOEMBED_PURGE_URL", "", "URL",
		`webhook that fotoembed POSTs {"tags": [TAG], "asset_tag": TAG, "reason": "modified|deleted|unpublished", "urls": []} to `+
			"when FotoWeb changes or deletes an asset (TAG is the Surrogate-Key and Cache-Tag of its /i/ answers); empty: none. "+
			"Set a URL holding a secret in FOTOEMBED_PURGE_URL, not on the command line")
	f.String(&c.Header, "purge-header", "FOTOEMBED_PURGE_HEADER", purge.DefaultWebhookHeader, "name",
		"request header carrying FOTOEMBED_PURGE_SECRET to --purge-url")
	f.SecretString(&c.Secret, "purge-secret", "FOTOEMBED_PURGE_SECRET", "the purge webhook's secret",
		"sent to --purge-url in --purge-header, as given (such as Bearer TOKEN for Authorization); empty sends none")
	f.List(&c.Varnish, "purge-varnish", "FOTOEMBED_PURGE_VARNISH", "", "URLs",
		"comma-separated HTTP listeners of Varnish servers (such as http://varnish:6081/) that get a BAN with X-Purge-Tag: TAG "+
			"when an asset changes; their VCL must turn it into a ban (see purge/varnish/fotoembed.vcl)")
	f.Enum(&c.VarnishMethod, "purge-varnish-method", "FOTOEMBED_PURGE_VARNISH_METHOD", "BAN", []string{"BAN", "PURGE"},
		"request method of the Varnish purges, as the VCL expects")
	f.String(&c.FastlyService, "purge-fastly-service", "FOTOEMBED_PURGE_FASTLY_SERVICE", "", "ID",
		"Fastly service whose cache drops an asset's surrogate key when it changes (needs FOTOEMBED_PURGE_FASTLY_TOKEN); empty: none")
	f.SecretString(&c.FastlyToken, "purge-fastly-token", "FOTOEMBED_PURGE_FASTLY_TOKEN", "the Fastly API token",
		"Fastly API token with the purge_select scope, for --purge-fastly-service")
	f.Bool(&c.FastlySoft, "purge-fastly-soft", "FOTOEMBED_PURGE_FASTLY_SOFT", false,
		"soft purge on Fastly: mark the asset's objects stale instead of dropping them")
	f.String(&c.CloudflareZone, "purge-cloudflare-zone", "FOTOEMBED_PURGE_CLOUDFLARE_ZONE", "", "ID",
		"Cloudflare zone whose cache drops an asset's cache tag when it changes (needs FOTOEMBED_PURGE_CLOUDFLARE_TOKEN); empty: none")
	f.SecretString(&c.CloudflareToken, "purge-cloudflare-token", "FOTOEMBED_PURGE_CLOUDFLARE_TOKEN", "the Cloudflare API token",
		"Cloudflare API token with the Cache Purge permission, for --purge-cloudflare-zone")
}

// Validate reports every problem with c at once; no secret is quoted.
func (c *purgeConfig) Validate() error {
	var errs []error
	switch {
	case c.URL == "" && c.Secret != "":
		errs = append(errs, errors.New("FOTOEMBED_PURGE_SECRET is set but --purge-url is not"))
	case c.URL != "" && !httpURL(c.URL):
		errs = append(errs, fmt.Errorf("--purge-url %q must be an absolute http(s) URL", safeURL(c.URL)))
	}
	if c.URL != "" && !httpguts.ValidHeaderFieldName(c.Header) {
		errs = append(errs, fmt.Errorf("--purge-header %q is not an HTTP header name", c.Header))
	}
	if c.Secret != "" && !httpguts.ValidHeaderFieldValue(c.Secret) {
		errs = append(errs, errors.New("FOTOEMBED_PURGE_SECRET (or --purge-secret-file) must be one line without control characters"))
	}
	for _, u := range c.Varnish {
		if !httpURL(u) {
			errs = append(errs, fmt.Errorf("--purge-varnish: %q must be an absolute http(s) URL such as http://varnish:6081/", safeURL(u)))
		}
	}
	errs = append(errs,
		checkCDN("--purge-fastly-service", c.FastlyService, "FOTOEMBED_PURGE_FASTLY_TOKEN", "--purge-fastly-token-file", c.FastlyToken),
		checkCDN("--purge-cloudflare-zone", c.CloudflareZone, "FOTOEMBED_PURGE_CLOUDFLARE_TOKEN", "--purge-cloudflare-token-file", c.CloudflareToken))
	if c.FastlySoft && c.FastlyService == "" {
		errs = append(errs, errors.New("--purge-fastly-soft is set but --purge-fastly-service is not"))
	}
	return errors.Join(errs...)
}

// checkCDN checks a CDN's id flag and its API token.
func checkCDN(idFlag, id, tokenEnv, tokenFile, token string) error {
	var errs []error
	switch {
	case id != "" && token == "":
		errs = append(errs, fmt.Errorf("%s needs an API token: set %s or use %s", idFlag, tokenEnv, tokenFile))
	case id == "" && token != "":
		errs = append(errs, fmt.Errorf("%s is set but %s is not", tokenEnv, idFlag))
	}
	if strings.ContainsAny(id, "/?#% ") {
		errs = append(errs, fmt.Errorf("%s %q is not an id", idFlag, id))
	}
	if token != "" && (!httpguts.ValidHeaderFieldValue(token) || strings.ContainsAny(token, " \t")) {
		errs = append(errs, fmt.Errorf("%s (or %s) must be one word without spaces or control characters", tokenEnv, tokenFile))
	}
	return errors.Join(errs...)
}

// httpURL reports whether s is an absolute http(s) URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// configured reports whether any purge backend is set.
func (c *purgeConfig) configured() bool {
	return c.URL != "" || len(c.Varnish) > 0 || c.FastlyService != "" || c.CloudflareZone != ""
}

// purger returns the Purger c asks for, nil when no backend is set.
// once, when not nil, makes replicas send one purge per change (see
// purgeOnce). The caller registers it with the metrics, sets it as
// server.Config.Purger and closes it at shutdown, before the store.
func (c *purgeConfig) purger(log *slog.Logger, once func(context.Context, string) bool) (*purge.Purger, error) {
	if !c.configured() {
		return nil, nil
	}
	cfg := purge.Config{Logger: log, Once: once}
	if c.URL != "" {
		cfg.Webhook = &purge.WebhookConfig{URL: c.URL, Header: c.Header, Secret: c.Secret}
	}
	if len(c.Varnish) > 0 {
		cfg.Varnish = &purge.VarnishConfig{URLs: c.Varnish, Method: c.VarnishMethod}
	}
	if c.FastlyService != "" {
		cfg.Fastly = &purge.FastlyConfig{ServiceID: c.FastlyService, Token: c.FastlyToken, Soft: c.FastlySoft}
	}
	if c.CloudflareZone != "" {
		cfg.Cloudflare = &purge.CloudflareConfig{ZoneID: c.CloudflareZone, Token: c.CloudflareToken}
	}
	p, err := purge.New(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("CDN purging on", "webhook", c.URL != "", "varnish", len(c.Varnish), "fastly", c.FastlyService != "",
		"cloudflare", c.CloudflareZone != "", "once_across_replicas", once != nil)
	return p, nil
}

// purgeOnce is the purger's Once for replicas sharing the Redis store
// shared: one purge per change among them. nil without a shared store.
func purgeOnce(shared *redisstore.Store) func(context.Context, string) bool {
	if shared == nil {
		return nil
	}
	return func(ctx context.Context, key string) bool { return shared.Once(ctx, key, purge.OnceTTL) }
}
