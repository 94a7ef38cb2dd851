package purge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// DefaultWebhookHeader is the header carrying WebhookConfig.Secret when
// no other is named.
const DefaultWebhookHeader = "X-Purge-Secret"

// WebhookConfig configures the generic webhook: each purge is a POST of
// the JSON object
//
//	{"tags":["fe-..."],"asset_tag":"fe-...","reason":"modified","urls":[]}
//
// to URL (Content-Type: application/json). tags and asset_tag name the
// asset's cache tag ([Tag]); reason is "modified", "deleted" or
// "unpublished"; urls lists public URLs to drop, empty unless URLs is
// set (the signed /i/ URLs of an asset cannot be enumerated). Any 2xx
// answer means done; 408, 425, 429 and 5xx are tried again.
type WebhookConfig struct {
	// URL receives the POSTs (http or https).
	URL string
	// Header is the name of the header carrying Secret (default
	// DefaultWebhookHeader).
	Header string
	// Secret, when set, is sent in Header so that the receiver can tell
	// the purges are fotoembed's. It is never logged.
	Secret string
	// URLs, when set, lists the public URLs of an asset to put in urls.
	URLs func(asset string) []string
}

func (c *WebhookConfig) validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("webhook: URL is missing"))
	} else if err := checkURL("webhook: URL", c.URL); err != nil {
		errs = append(errs, err)
	}
	if c.Header != "" && !httpguts.ValidHeaderFieldName(c.Header) {
		errs = append(errs, fmt.Errorf("webhook: header name %q is not a valid HTTP header name", c.Header))
	}
	if c.Secret != "" && !httpguts.ValidHeaderFieldValue(c.Secret) {
		errs = append(errs, errors.New("webhook: the secret is not a valid HTTP header value (no line breaks or control characters)"))
	}
	return errors.Join(errs...)
}

// webhookBody is the JSON the webhook receives.
type webhookBody struct {
	Tags     []string `json:"tags"`
	AssetTag string   `json:"asset_tag"`
	Reason   string   `json:"reason"`
	URLs     []string `json:"urls"`
}

// webhook is the generic webhook backend.
type webhook struct {
	cfg    WebhookConfig
	header string
}

func newWebhook(c WebhookConfig) *webhook {
	h := c.Header
	if h == "" {
		h = DefaultWebhookHeader
	}
	return &webhook{cfg: c, header: textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(h))}
}

func (w *webhook) label() string      { return "webhook" }
func (w *webhook) target() string     { return originOf(w.cfg.URL) }
func (w *webhook) secrets() []string  { return []string{w.cfg.Secret} }
func (w *webhook) check([]byte) error { return nil }

func (w *webhook) request(ctx context.Context, j job) (*http.Request, error) {
	body := webhookBody{Tags: []string{j.tag}, AssetTag: j.tag, Reason: j.reason, URLs: []string{}}
	if w.cfg.URLs != nil {
		if u := w.cfg.URLs(j.asset); len(u) > 0 {
			body.URLs = u
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if w.cfg.Secret != "" {
		req.Header.Set(w.header, w.cfg.Secret)
	}
	return req, nil
}

// userAgent identifies fotoembed's purge requests.
const userAgent = "fotoembed-purge/1"
