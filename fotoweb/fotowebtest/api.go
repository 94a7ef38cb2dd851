package fotowebtest

// CONTRACT STUB: this file fixes the public API that other packages' tests
// code against. The implementation replaces the panics; names and
// signatures stay (additions are fine).

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"
)

// Seed credentials the fake accepts by default.
const (
	// ServiceClientID / ServiceClientSecret: a non-interactive application
	// (client_credentials grant); its tokens see every archive.
	ServiceClientID     = "fotoembed-service"
	ServiceClientSecret = "service-secret-not-for-production"
	// WebClientID: a public native application (authorization code + PKCE,
	// no secret). Any loopback redirect URI (http://127.0.0.1:PORT/...,
	// http://localhost:PORT/..., http://[::1]:PORT/...) is registered.
	WebClientID = "fotoembed-web"
	// ConfidentialClientID / ConfidentialClientSecret: a "Web App / API"
	// application (authorization code with client secret, refresh allowed).
	ConfidentialClientID     = "fotoembed-webapp"
	ConfidentialClientSecret = "webapp-secret-not-for-production"
	// User is the least-privilege user the authorize endpoint approves
	// without a browser. It sees only the archives in UserArchives.
	User = "editor"
)

// Options configure a Fake. The zero value is a working fake with the seed
// data, 8 h tokens, decimal expires_in and 1 rendition 202 before the 200.
type Options struct {
	AccessTokenLifetime  time.Duration    // default 8h
	RefreshTokenLifetime time.Duration    // default 30 days
	IntegerExpiresIn     bool             // send expires_in as an integer instead of 28800.000000
	RotateRefreshTokens  *bool            // default true: every refresh issues a new refresh token and kills the old one
	RenditionPending     int              // number of 202 answers before a rendition is ready (default 1; negative = 0)
	RenditionTTL         time.Duration    // how long a rendition background-task URL lives before 410 (default 10m)
	PreviewAuth          PreviewAuthMode  // how preview URLs are protected (default PreviewAuthAny)
	PageSize             int              // assets per page (default 25)
	Now                  func() time.Time // clock for token expiry (default time.Now)
	Logf                 func(format string, args ...any)
}

// PreviewAuthMode selects what the fake requires to GET a preview URL.
type PreviewAuthMode int

const (
	// PreviewAuthAny accepts an OAuth access token (header or
	// access_token query) or the asset's previewToken as a bearer token.
	PreviewAuthAny PreviewAuthMode = iota
	// PreviewAuthPreviewToken accepts only "Authorization: Bearer <previewToken>".
	PreviewAuthPreviewToken
	// PreviewAuthNone serves previews without authentication (older servers).
	PreviewAuthNone
	// PreviewAuthAccessToken accepts only an OAuth access token.
	PreviewAuthAccessToken
)

// Fault is injected on requests whose path starts with a prefix.
type Fault struct {
	Status     int           // answer with this status instead (0 = no status fault)
	Rate       float64       // probability in (0,1]; 0 means always
	Latency    time.Duration // added before answering
	RetryAfter time.Duration // with Status 429/503: Retry-After header in seconds
	Reset      bool          // close the connection without an answer (hijack)
	Times      int           // apply only to the next Times matching requests (0 = until cleared)
}

// Fake is a FotoWeb server: an http.Handler with seed data, OAuth 2.0,
// faults and request counters.
type Fake struct{}

// New returns a fake FotoWeb handler. The caller serves it; BaseURL must
// be set (SetBaseURL) before absolute URLs (Location headers, webhooks,
// descriptor) are correct.
func New(opts Options) *Fake { panic("not implemented") }

// Server is a Fake listening on 127.0.0.1.
type Server struct {
	*Fake
	*httptest.Server
}

// NewServer starts a fake on a loopback port. Close it when done
// (t.Cleanup(s.Close)).
func NewServer(opts Options) *Server { panic("not implemented") }

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { panic("not implemented") }

// SetBaseURL sets the origin the fake uses for absolute URLs.
func (f *Fake) SetBaseURL(u string) { panic("not implemented") }

// Count returns how many requests reached the exact path (query ignored),
// faulted ones included.
func (f *Fake) Count(path string) int { panic("not implemented") }

// CountPrefix returns how many requests reached paths with this prefix.
func (f *Fake) CountPrefix(prefix string) int { panic("not implemented") }

// TokenRequests returns how many token-endpoint requests used grant
// ("client_credentials", "authorization_code", "refresh_token"; "" = all).
func (f *Fake) TokenRequests(grant string) int { panic("not implemented") }

// ResetCounters zeroes every counter.
func (f *Fake) ResetCounters() { panic("not implemented") }

// SetFault injects f on paths starting with prefix; ClearFaults removes all.
func (f *Fake) SetFault(prefix string, fault Fault) { panic("not implemented") }

// ClearFaults removes every injected fault.
func (f *Fake) ClearFaults() { panic("not implemented") }

// RevokeTokens invalidates every access token issued so far (refresh
// tokens stay valid).
func (f *Fake) RevokeTokens() { panic("not implemented") }

// RevokeRefreshTokens invalidates every refresh token issued so far.
func (f *Fake) RevokeRefreshTokens() { panic("not implemented") }

// SetTokenEndpointDown makes the token endpoint answer 503 while down.
func (f *Fake) SetTokenEndpointDown(down bool) { panic("not implemented") }

// Assets returns the hrefs of every seed asset, in a stable order.
func (f *Fake) Assets() []string { panic("not implemented") }

// Archives returns the seed archives (href of each), in id order.
func (f *Fake) Archives() []string { panic("not implemented") }

// UserArchives returns the hrefs of the archives User may see.
func (f *Fake) UserArchives() []string { panic("not implemented") }

// SetMetadata changes one field of an asset (as an edit in FotoWeb would)
// and bumps its modified time; DeleteAsset removes an asset (404 after).
func (f *Fake) SetMetadata(href string, field int, value ...string) { panic("not implemented") }

// DeleteAsset removes an asset; later GETs answer 404.
func (f *Fake) DeleteAsset(href string) { panic("not implemented") }

// WebhookKind is the kind of asset event FotoWeb notifies about.
type WebhookKind string

// Webhook kinds.
const (
	AssetIngested WebhookKind = "ingested"
	AssetModified WebhookKind = "modified"
	AssetDeleted  WebhookKind = "deleted"
)

// EmitWebhook POSTs a webhook payload for the asset, shaped as FotoWeb's
// (absolute href, numbers as strings, User-Agent FotoWeb/8.1, no
// signature), to target. It returns the receiver's status code.
func (f *Fake) EmitWebhook(ctx context.Context, target string, kind WebhookKind, href string) (int, error) {
	panic("not implemented")
}
