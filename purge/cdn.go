package purge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// API base URLs of the CDNs.
const (
	FastlyAPI     = "https://api.fastly.com"
	CloudflareAPI = "https://api.cloudflare.com/client/v4"
)

// FastlyConfig configures Fastly's purge by surrogate key: each purge is
//
//	POST {BaseURL}/service/{ServiceID}/purge/{tag}
//	Fastly-Key: {Token}
//	Fastly-Soft-Purge: 1   (with Soft)
//
// A 2xx answer means done; 429 and 5xx are tried again.
type FastlyConfig struct {
	// ServiceID is the Fastly service's id.
	ServiceID string
	// Token is an API token with the purge_select scope. Never logged.
	Token string
	// Soft marks the objects stale instead of dropping them (Fastly can
	// then serve them while it refetches, with stale-while-revalidate).
	Soft bool
	// BaseURL is the API's base URL (default FastlyAPI); tests point it
	// at a stand-in.
	BaseURL string
}

func (c *FastlyConfig) validate() error {
	var errs []error
	if c.ServiceID == "" {
		errs = append(errs, errors.New("fastly: service id is missing"))
	}
	errs = append(errs, checkToken("fastly", c.Token))
	if c.BaseURL != "" {
		errs = append(errs, checkURL("fastly: base URL", c.BaseURL))
	}
	return errors.Join(errs...)
}

// CloudflareConfig configures Cloudflare's purge by cache tag: each
// purge is
//
//	POST {BaseURL}/zones/{ZoneID}/purge_cache
//	Authorization: Bearer {Token}
//	Content-Type: application/json
//
//	{"tags":["fe-..."]}
//
// A 2xx answer whose JSON says "success": true means done; "success":
// false is a failure; 429 and 5xx are tried again.
type CloudflareConfig struct {
	// ZoneID is the zone's id.
	ZoneID string
	// Token is an API token with the Cache Purge permission. Never
	// logged.
	Token string
	// BaseURL is the API's base URL (default CloudflareAPI); tests point
	// it at a stand-in.
	BaseURL string
}

func (c *CloudflareConfig) validate() error {
	var errs []error
	if c.ZoneID == "" {
		errs = append(errs, errors.New("cloudflare: zone id is missing"))
	}
	errs = append(errs, checkToken("cloudflare", c.Token))
	if c.BaseURL != "" {
		errs = append(errs, checkURL("cloudflare: base URL", c.BaseURL))
	}
	return errors.Join(errs...)
}

// checkToken checks an API token without quoting it.
func checkToken(what, tok string) error {
	switch {
	case tok == "":
		return fmt.Errorf("%s: API token is missing", what)
	case !httpguts.ValidHeaderFieldValue(tok) || strings.ContainsAny(tok, " \t"):
		return fmt.Errorf("%s: API token has spaces or control characters", what)
	}
	return nil
}

// fastly purges surrogate keys of one Fastly service.
type fastly struct{ cfg FastlyConfig }

func (f *fastly) label() string      { return "fastly" }
func (f *fastly) target() string     { return "fastly service " + f.cfg.ServiceID }
func (f *fastly) secrets() []string  { return []string{f.cfg.Token} }
func (f *fastly) check([]byte) error { return nil }

func (f *fastly) request(ctx context.Context, j job) (*http.Request, error) {
	base := f.cfg.BaseURL
	if base == "" {
		base = FastlyAPI
	}
	u := trimBase(base) + "/service/" + url.PathEscape(f.cfg.ServiceID) + "/purge/" + url.PathEscape(j.tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Fastly-Key", f.cfg.Token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if f.cfg.Soft {
		req.Header.Set("Fastly-Soft-Purge", "1")
	}
	return req, nil
}

// cloudflare purges cache tags of one Cloudflare zone.
type cloudflare struct{ cfg CloudflareConfig }

func (c *cloudflare) label() string     { return "cloudflare" }
func (c *cloudflare) target() string    { return "cloudflare zone " + c.cfg.ZoneID }
func (c *cloudflare) secrets() []string { return []string{c.cfg.Token} }

func (c *cloudflare) request(ctx context.Context, j job) (*http.Request, error) {
	base := c.cfg.BaseURL
	if base == "" {
		base = CloudflareAPI
	}
	b, err := json.Marshal(map[string][]string{"tags": {j.tag}})
	if err != nil {
		return nil, err
	}
	u := trimBase(base) + "/zones/" + url.PathEscape(c.cfg.ZoneID) + "/purge_cache"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}

// cloudflareAnswer is the part of Cloudflare's answer envelope used.
type cloudflareAnswer struct {
	Success *bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// check fails unless the answer says "success": true.
func (c *cloudflare) check(body []byte) error {
	var a cloudflareAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Success == nil {
		return fmt.Errorf("answer is not Cloudflare's JSON envelope%s", excerpt(body))
	}
	if *a.Success {
		return nil
	}
	var msgs []string
	for _, e := range a.Errors {
		msgs = append(msgs, fmt.Sprintf("%d %s", e.Code, e.Message))
	}
	return fmt.Errorf("cloudflare answered success: false: %s", strings.Join(msgs, "; "))
}
