package fotowebtest

import (
	"fmt"
	"net/http"
)

// Flavour selects which FotoWeb the fake imitates. Each flavour is a
// bundle of defaults for the wire-form switches in Options (Previews,
// PagingLinks, Paging, the list Cache-Control values, RenditionErrors,
// Unauthorized, the client_credentials refresh_token); a switch set in
// Options wins over its flavour's default. FlavourOnPrem80 also changes
// what no switch covers: the shape of assets and of preview URLs. The
// package documentation names the evidence for each default.
type Flavour int

const (
	// FlavourSaaS2024 (the default) answers as the most recent
	// recordings of a SaaS tenant (FotoWeb 8.2, 2023 and 2024) do.
	FlavourSaaS2024 Flavour = iota
	// FlavourSaaS2023 answers as the 2023 SaaS recordings: no paging
	// object on lists that fit on one page ("paging": null), and a
	// refresh_token in client_credentials answers.
	FlavourSaaS2023
	// FlavourOnPrem80 answers as an on-premises FotoWeb 8.0 (the asset
	// recorded in drupal/asset.json): preview hrefs under
	// /fotoweb/cache/<archive id>/..., assets without doctype,
	// builtinFields, previewToken and the other SaaS additions,
	// renditions without profile and sizeFixed, no quick renditions,
	// paging links ;p=N, webhooks from "FotoWeb/8.0". There is no
	// previewToken, so previews take the access token (PreviewAuthAny) or
	// nothing (PreviewAuthNone); PreviewAuthPreviewToken is refused.
	FlavourOnPrem80
)

// Flavours lists every flavour, the default first.
var Flavours = []Flavour{FlavourSaaS2024, FlavourSaaS2023, FlavourOnPrem80}

// String returns the flavour's name ("SaaS2024", "SaaS2023", "OnPrem80").
func (fl Flavour) String() string {
	switch fl {
	case FlavourSaaS2024:
		return "SaaS2024"
	case FlavourSaaS2023:
		return "SaaS2023"
	case FlavourOnPrem80:
		return "OnPrem80"
	}
	return fmt.Sprintf("Flavour(%d)", int(fl))
}

// HasPreviewToken reports whether assets of the flavour carry a
// previewToken.
func (fl Flavour) HasPreviewToken() bool { return fl != FlavourOnPrem80 }

// PreviewScaling says whether previews of a small original are larger
// than the original.
type PreviewScaling int

const (
	// PreviewsAsFlavour takes the flavour's default (every flavour:
	// PreviewsUpscaled).
	PreviewsAsFlavour PreviewScaling = iota
	// PreviewsUpscaled makes every preview as large as its nominal size,
	// above the original's size too, with the width and height FotoWeb
	// reports for it: a 370×136 original has an 800×294 and a 2400×882
	// preview, as recorded.
	PreviewsUpscaled
	// PreviewsNeverUpscaled caps previews at the original's size: a
	// 640×480 original's 800..2400 previews are all 640×480.
	PreviewsNeverUpscaled
)

// PagingLinkStyle is the form of page links in paging objects.
type PagingLinkStyle int

const (
	// PagingLinksAsFlavour takes the flavour's default (SaaS:
	// PagingLinksQuery; FlavourOnPrem80: PagingLinksMatrix).
	PagingLinksAsFlavour PagingLinkStyle = iota
	// PagingLinksQuery puts the page after the query of a search
	// (/fotoweb/archives/5001-Photos/?q=x&p=1) and as a matrix parameter
	// when there is no query (/fotoweb/archives/5001-Photos/;p=1).
	PagingLinksQuery
	// PagingLinksMatrix always uses a matrix parameter, before any query
	// (/fotoweb/archives/5001-Photos/;p=1?q=x).
	PagingLinksMatrix
)

// PagingShape is the shape of the paging object of lists.
type PagingShape int

const (
	// PagingAsFlavour takes the flavour's default (FlavourSaaS2024:
	// Paging2024; the others: Paging2023).
	PagingAsFlavour PagingShape = iota
	// Paging2024 sends {prev, next, first, last, index, totalPages,
	// count} on every list. A list that fits on one page has "" for
	// prev, next and last, null for index, totalPages and count, and
	// first is the list's path without its query, as recorded
	// (collectionListWithPaging.json). A paged list has index (the page,
	// from 0), totalPages and count (the number of items in the whole
	// list) as numbers.
	Paging2024
	// Paging2023 sends {prev, next, first, last} on paged lists and
	// "paging": null on lists that fit on one page (unless
	// Options.PageAlways).
	Paging2023
)

// RenditionErrorStyle is the form of the rendition service's errors
// (POST /fotoweb/services/renditions).
type RenditionErrorStyle int

const (
	// RenditionErrorsAsFlavour takes the flavour's default (SaaS:
	// RenditionErrorsWerkzeug; FlavourOnPrem80: RenditionErrorsJSON).
	RenditionErrorsAsFlavour RenditionErrorStyle = iota
	// RenditionErrorsWerkzeug answers errors as the Werkzeug (Python)
	// service behind the SaaS rendition endpoint does: an HTML page with
	// Werkzeug's wording and an upper-case reason phrase ("400 BAD
	// REQUEST", "403 FORBIDDEN", "415 UNSUPPORTED MEDIA TYPE"). The
	// service reads the token from the Authorization header only; without
	// a valid one (none, a query access_token, an expired token) it
	// answers 403, not 401.
	RenditionErrorsWerkzeug
	// RenditionErrorsJSON answers errors as the rest of the API does
	// (JSON {message, href}); a missing or bad token is a 401 in the
	// Options.Unauthorized form.
	RenditionErrorsJSON
)

// UnauthorizedStyle is the form of 401 answers of the API and preview
// URLs (the token endpoint has its own RFC 6749 errors).
type UnauthorizedStyle int

const (
	// UnauthorizedAsFlavour takes the flavour's default (SaaS:
	// UnauthorizedText; FlavourOnPrem80: UnauthorizedTextChallenge).
	UnauthorizedAsFlavour UnauthorizedStyle = iota
	// UnauthorizedText is a text/plain body "Unauthorized: You are not
	// authorized to access this resource" without WWW-Authenticate.
	UnauthorizedText
	// UnauthorizedTextChallenge is the same body with
	// WWW-Authenticate: Bearer realm="FotoWeb" (and error="invalid_token"
	// when a token was sent).
	UnauthorizedTextChallenge
	// UnauthorizedJSON is a JSON {message, href} body with the
	// WWW-Authenticate challenge (the fake's form before flavours).
	UnauthorizedJSON
)

// wireForms are the effective wire-form settings: the flavour's defaults
// with Options' switches applied.
type wireForms struct {
	flavour         Flavour
	upscale         bool
	queryPaging     bool // &p=N after a query
	paging2024      bool
	assetListCC     string
	collectionCC    string
	werkzeug        bool // rendition service errors as Werkzeug pages
	unauthorized    UnauthorizedStyle
	ccRefresh       bool // client_credentials answers carry a refresh_token
	previewTokens   bool // assets carry a previewToken
	onPrem          bool // 8.0 asset shape and preview hrefs
	webhookAgent    string
	recordedHeaders bool // rendition response and editor headers as recorded
}

// resolveWire computes the effective settings of o. It panics on an
// unknown flavour.
func resolveWire(o Options) wireForms {
	fl := o.Flavour
	if fl < FlavourSaaS2024 || fl > FlavourOnPrem80 {
		panic(fmt.Sprintf("fotowebtest: unknown Options.Flavour %d", int(fl)))
	}
	onPrem := fl == FlavourOnPrem80
	w := wireForms{
		flavour:         fl,
		upscale:         o.Previews != PreviewsNeverUpscaled,
		queryPaging:     o.PagingLinks == PagingLinksQuery || o.PagingLinks == PagingLinksAsFlavour && !onPrem,
		paging2024:      o.Paging == Paging2024 || o.Paging == PagingAsFlavour && fl == FlavourSaaS2024,
		assetListCC:     orString(o.AssetListCacheControl, "private, max-age=30"),
		collectionCC:    orString(o.CollectionListCacheControl, "private, max-age=5"),
		werkzeug:        o.RenditionErrors == RenditionErrorsWerkzeug || o.RenditionErrors == RenditionErrorsAsFlavour && !onPrem,
		unauthorized:    o.Unauthorized,
		ccRefresh:       o.ClientCredentialsRefreshToken || fl == FlavourSaaS2023,
		previewTokens:   fl.HasPreviewToken(),
		onPrem:          onPrem,
		webhookAgent:    "FotoWeb/8.1",
		recordedHeaders: !onPrem,
	}
	if o.NoClientCredentialsRefreshToken {
		w.ccRefresh = false
	}
	if w.unauthorized == UnauthorizedAsFlavour {
		w.unauthorized = UnauthorizedText
		if onPrem {
			w.unauthorized = UnauthorizedTextChallenge
		}
	}
	if onPrem {
		w.webhookAgent = "FotoWeb/8.0"
	}
	return w
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Flavour returns the flavour the fake imitates.
func (f *Fake) Flavour() Flavour { return f.wire.flavour }

// checkPreviewAuth panics when m cannot work in the fake's flavour.
func (f *Fake) checkPreviewAuth(m PreviewAuthMode) {
	if m == PreviewAuthPreviewToken && !f.wire.previewTokens {
		panic("fotowebtest: PreviewAuthPreviewToken needs previewTokens, which " + f.wire.flavour.String() + " does not have")
	}
}

// unauthorizedText is the body of a plain-text 401 (the text of a
// real answer quoted in enonic/app-fotoware's getPrivateFullAPIDescriptor.ts).
const unauthorizedText = "Unauthorized: You are not authorized to access this resource"

// unauthorized answers 401 in the configured form. badToken says a token
// was sent (and refused).
func (f *Fake) unauthorized(w http.ResponseWriter, r *http.Request, badToken bool, msg string) {
	style := f.wire.unauthorized
	if style != UnauthorizedText {
		challenge := `Bearer realm="FotoWeb"`
		if badToken {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if style == UnauthorizedJSON {
		writeError(w, r, http.StatusUnauthorized, msg)
		return
	}
	writeText(w, http.StatusUnauthorized, unauthorizedText)
}
