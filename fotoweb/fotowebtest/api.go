package fotowebtest

import (
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
	// The same loopback redirect URIs as WebClientID are registered.
	ConfidentialClientID     = "fotoembed-webapp"
	ConfidentialClientSecret = "webapp-secret-not-for-production"
	// User is the user the authorize endpoint approves without a browser
	// by default. It sees only the archives in UserArchives and may edit
	// metadata in PhotosArchive.
	User = "editor"
	// ReadOnlyUser sees what User sees (UserArchives) and may edit
	// nothing: PATCH answers 403 and its asset and collection permissions
	// are the read-only list. Select it with Options.LoginUser or the
	// authorize request's login_hint.
	ReadOnlyUser = "viewer"
)

// Options configure a Fake. The zero value is a working fake with the seed
// data, 8 h tokens, decimal expires_in and 1 rendition 202 before the 200.
//
// Most fields after Logf switch behaviours the reference marks UNCONFIRMED
// (see the package documentation); their zero values are the defaults the
// fake considers most likely.
type Options struct {
	AccessTokenLifetime  time.Duration    // default 8h
	RefreshTokenLifetime time.Duration    // default 30 days
	IntegerExpiresIn     bool             // send expires_in as an integer instead of 28800.000000
	RotateRefreshTokens  *bool            // default true: every refresh issues a new refresh token and kills the old one
	RenditionPending     int              // number of 202 answers before a rendition is ready (default 1; negative = 0)
	RenditionTTL         time.Duration    // how long a rendition background-task URL lives before 410 (default 10m)
	PreviewAuth          PreviewAuthMode  // initial preview protection (default PreviewAuthAny); see SetPreviewAuth
	PageSize             int              // assets per page (default 25)
	Now                  func() time.Time // clock for token, code, previewToken and rendition expiry (default time.Now)
	Logf                 func(format string, args ...any)

	// ExtraAssets adds this many synthetic images (varied shapes) in the
	// folder "Synthetic" of the Photos archive, after the seed assets.
	// They cost about 450 bytes each until requested (a million take about
	// 0.5 GB and 4 s to build): metadata is derived on demand, JSON built
	// and cached on first use, JPEG bytes generated only when fetched.
	ExtraAssets int

	// AuthCodeLifetime is how long an authorization code can be redeemed
	// (default 60s). Codes are single-use.
	AuthCodeLifetime time.Duration

	// ClientCredentialsRefreshToken makes client_credentials responses
	// carry a refresh_token (as the recorded 2023 SaaS answer did). When
	// false the Flavour decides: FlavourSaaS2023 sends one, the others do
	// not (FotoWeb's docs say refresh tokens are no longer issued to
	// non-interactive applications).
	ClientCredentialsRefreshToken bool

	// NoClientCredentialsRefreshToken leaves refresh_token out of
	// client_credentials responses whatever the Flavour (it wins over
	// ClientCredentialsRefreshToken).
	NoClientCredentialsRefreshToken bool

	// AcceptBasicAuth lets clients authenticate to the token endpoint with
	// HTTP Basic (client_secret_basic). Default false: only the form body
	// (client_secret_post) is documented; a Basic header is ignored.
	AcceptBasicAuth bool

	// AllowPublicClientSecret accepts a client_secret sent by the public
	// client (WebClientID) and ignores it. Default false: FotoWeb says
	// public clients must not send one, and the fake answers 400
	// invalid_request.
	AllowPublicClientSecret bool

	// InvalidClientStatus is the status of invalid_client token errors
	// (default 400; 401 is the other RFC 6749 choice). A client that used
	// a Basic header always gets 401 with WWW-Authenticate.
	InvalidClientStatus int

	// QueryTokenRejected lists path prefixes where ?access_token= is not
	// accepted (401). nil means the default []string{"/fotoweb/editors/"}
	// (a 2024 report says the parameter stopped working there); an empty
	// non-nil slice accepts it everywhere.
	QueryTokenRejected []string

	// HiddenStatus is the status for archives and assets the token's user
	// may not see (default 404, so existence does not leak; 403 is the
	// alternative).
	HiddenStatus int

	// Flavour selects the FotoWeb the fake imitates (default
	// FlavourSaaS2024): the defaults of the wire-form switches below
	// (Previews, PagingLinks, Paging, AssetListCacheControl,
	// CollectionListCacheControl, RenditionErrors, Unauthorized) and of
	// ClientCredentialsRefreshToken, and for FlavourOnPrem80 the shape of
	// assets and preview URLs. New panics on an unknown flavour.
	Flavour Flavour

	// Previews says whether previews of an original smaller than a
	// preview size are upscaled to that size (default as the Flavour
	// says: PreviewsUpscaled, as a recorded 370×136 asset had a 2400×882
	// preview).
	Previews PreviewScaling

	// PagingLinks is the form of page links (default as the Flavour says).
	PagingLinks PagingLinkStyle

	// Paging is the shape of paging objects (default as the Flavour says).
	Paging PagingShape

	// AssetListCacheControl is the Cache-Control of asset lists (default
	// "private, max-age=30", as recorded).
	AssetListCacheControl string

	// CollectionListCacheControl is the Cache-Control of collection lists
	// (default "private, max-age=5", as recorded).
	CollectionListCacheControl string

	// RenditionErrors is the form of the rendition service's errors
	// (default as the Flavour says).
	RenditionErrors RenditionErrorStyle

	// Unauthorized is the form of 401 answers (default as the Flavour
	// says).
	Unauthorized UnauthorizedStyle

	// PagingEnds selects what prev/next hold at the ends of a paged list
	// (default PagingEndsMixed).
	PagingEnds PagingEndStyle

	// PageAlways sends a paging object even for lists that fit on one
	// page with Paging2023. Default false: such lists have "paging":
	// null, as a recorded one-asset list had. (Paging2024 always sends
	// one.)
	PageAlways bool

	// SearchCap caps the number of search hits (default 10000, the cap
	// reported for FotoWeb).
	SearchCap int

	// RenditionRequestStatus is the status of a successful rendition
	// request (default 202 as recorded; 200 is what the OpenAPI documents).
	RenditionRequestStatus int

	// WebhookDeleteOperation is the operation-name of asset-deleted
	// webhooks (default "delete"; the real name is unconfirmed).
	WebhookDeleteOperation string

	// LoginUser is the user the authorize endpoint approves: User (the
	// default, also for "") or ReadOnlyUser. An authorize request whose
	// login_hint names one of the two gets that user instead. New panics
	// on any other value.
	LoginUser string
}

// PreviewAuthMode selects what the fake requires to GET or HEAD a
// preview URL (/fotoweb/cache/...). Set it with Options.PreviewAuth or,
// while running, with SetPreviewAuth. In every mode a token may come as
// "Authorization: Bearer <t>" or as ?access_token=<t> (FotoWeb documents
// the query form for image URLs). A previewToken is accepted only by
// preview URLs, and only for its own asset while it lives; every other
// endpoint refuses it with 401.
type PreviewAuthMode int

const (
	// PreviewAuthAny (the default) accepts an OAuth access token of a
	// user who sees the archive, or the asset's previewToken. No
	// credentials, or a dead or foreign token, is 401; an access token of
	// a user who may not see the archive gets Options.HiddenStatus.
	PreviewAuthAny PreviewAuthMode = iota
	// PreviewAuthPreviewToken accepts only the asset's own live
	// previewToken. An OAuth access token, no token, another asset's
	// previewToken or an expired one is 401.
	PreviewAuthPreviewToken
	// PreviewAuthNone serves previews with no credentials at all (older
	// servers); any credentials sent are ignored.
	PreviewAuthNone
	// PreviewAuthAccessToken accepts only an OAuth access token of a user
	// who sees the archive; a previewToken is 401.
	PreviewAuthAccessToken
)

// PagingEndStyle selects how the ends of a paged list are marked.
type PagingEndStyle int

const (
	// PagingEndsMixed marks ends with null in archives with an odd id
	// (5001, 5003) and with "" in archives with an even id (5002), so a
	// client meets both forms real servers send.
	PagingEndsMixed PagingEndStyle = iota
	// PagingEndsNull marks every end with null.
	PagingEndsNull
	// PagingEndsEmpty marks every end with "".
	PagingEndsEmpty
)

// Fault is injected on requests whose path starts with a prefix.
type Fault struct {
	Status     int           // answer with this status instead (0 = no status fault)
	Rate       float64       // probability in (0,1]; 0 means always
	Latency    time.Duration // added before answering
	RetryAfter time.Duration // with Status 429/503: Retry-After header in seconds
	Reset      bool          // close the connection without an answer (hijack)
	Times      int           // apply only to the next Times matching requests (0 = until cleared)
	// Hang, when not nil, holds each matching request (after Latency)
	// until the channel is closed or the client goes away (a FotoWeb that
	// accepts connections and never answers); once released, the
	// request is answered as the other fields say (normally, when Status
	// is 0). Close it before closing the server: Close waits for
	// handlers.
	Hang <-chan struct{}
}

// Server is a Fake listening on 127.0.0.1.
type Server struct {
	*Fake
	*httptest.Server
}

// WebhookKind is the kind of asset event FotoWeb notifies about.
type WebhookKind string

// Webhook kinds.
const (
	AssetIngested WebhookKind = "ingested"
	AssetModified WebhookKind = "modified"
	AssetDeleted  WebhookKind = "deleted"
)

// Hrefs of seed archives.
const (
	PhotosArchive   = "/fotoweb/archives/5001-Photos/"   // User sees it and may edit metadata
	PressArchive    = "/fotoweb/archives/5002-Press/"    // User sees it, read-only
	InternalArchive = "/fotoweb/archives/5003-Internal/" // hidden from User
)

// Hrefs of notable seed assets (the `.info` URLs, percent-encoded as
// FotoWeb sends them).
const (
	// LandscapeAsset is 5472×3648 with full metadata (title, caption,
	// keywords, byline, credit, copyright) and one quick rendition.
	LandscapeAsset = "/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info"
	// PortraitAsset is 3000×4500; its resolution is sent as 300.0.
	PortraitAsset = "/fotoweb/archives/5001-Photos/Folder%2019/lighthouse-portrait.jpg.info"
	// SquareAsset is 2000×2000.
	SquareAsset = "/fotoweb/archives/5001-Photos/Folder%2019/moss-square.jpg.info"
	// SpaceNameAsset has spaces in its file name (4032×3024).
	SpaceNameAsset = "/fotoweb/archives/5001-Photos/Folder%2019/summer%20party%202023.jpg.info"
	// CJKAsset has a Japanese title and caption (1920×1080).
	CJKAsset = "/fotoweb/archives/5001-Photos/Folder%2019/tokyo-night.jpg.info"
	// EmojiAsset has emoji in title, caption and keywords (1600×1067).
	EmojiAsset = "/fotoweb/archives/5001-Photos/Folder%2019/celebration-emoji.jpg.info"
	// ScriptAsset has <script>, &, " and < in its title and caption (1200×800).
	ScriptAsset = "/fotoweb/archives/5001-Photos/Folder%2019/script-caption.jpg.info"
	// PanoramaAsset is 6000×1500.
	PanoramaAsset = "/fotoweb/archives/5001-Photos/Landscapes/lofoten-panorama.jpg.info"
	// SmallAsset is 640×480: its previews from 800 up are upscaled
	// (800×600 ... 2400×1800), or 640×480 with PreviewsNeverUpscaled.
	SmallAsset = "/fotoweb/archives/5001-Photos/Landscapes/small-640x480.jpg.info"
	// TinyAsset is a 150×100 PNG: every preview is larger than the
	// original (200×133 ... 2400×1600), or 150×100 with
	// PreviewsNeverUpscaled.
	TinyAsset = "/fotoweb/archives/5001-Photos/Landscapes/tiny-150x100.png.info"
	// RotatedAsset is stored 4000×3000 with rotation 90, displayed 3000×4000.
	RotatedAsset = "/fotoweb/archives/5001-Photos/Landscapes/rotated-cliff.jpg.info"
	// NoCaptionAsset has no title (5) and no caption (120) (3000×2000).
	NoCaptionAsset = "/fotoweb/archives/5001-Photos/Landscapes/untitled-dunes.jpg.info"
	// NorwegianAsset has Norwegian text and a non-ASCII file name
	// (fjord-blåbær-æøå.jpg, 2400×1600).
	NorwegianAsset = "/fotoweb/archives/5001-Photos/Nordic/Fjords/fjord-bl%C3%A5b%C3%A6r-%C3%A6%C3%B8%C3%A5.jpg.info"
	// DocumentAsset is a PDF: doctype "document", no previews.
	DocumentAsset = "/fotoweb/archives/5002-Press/Press%20Kit%202023/press-release-2023.pdf.info"
	// VideoAsset is an MP4: doctype "movie", the previews key is absent.
	VideoAsset = "/fotoweb/archives/5002-Press/Press%20Kit%202023/ferry-timelapse.mp4.info"
	// GraphicAsset is an EPS logo: doctype "graphic" with previews (1000×400).
	GraphicAsset = "/fotoweb/archives/5002-Press/Logos/fotoembed-logo.eps.info"
	// PressPortraitAsset is 2667×4000 in the read-only Press archive.
	PressPortraitAsset = "/fotoweb/archives/5002-Press/Press%20Kit%202023/ceo-portrait.jpg.info"
	// HiddenAsset is in the Internal archive, which User cannot see.
	HiddenAsset = "/fotoweb/archives/5003-Internal/HR/staff-party-01.jpg.info"
)
