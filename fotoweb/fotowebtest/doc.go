// Package fotowebtest is a fake FotoWeb server for tests and demos.
//
// It is an independent implementation of the server side of the FotoWeb
// REST API as described in the project's reference
// (shared/reference/fotoweb-api.md), quirks included, so that clients
// meet what real servers send: expires_in as 28800.000000, paging links
// that end in null or "", resolution as 300.0, numbers as strings in
// webhooks, 202 before a rendition is ready, and so on. Where real
// responses were recorded (shared/reference/recorded, described in its
// SOURCES.md) the fake answers in their form by default; see Flavours.
//
// Use NewServer in tests:
//
//	s := fotowebtest.NewServer(fotowebtest.Options{})
//	t.Cleanup(s.Close)
//	token := s.ServiceToken() // or use /fotoweb/oauth2/token
//
// or New to serve the handler on any listener (call SetBaseURL).
//
// # Authentication
//
// POST /fotoweb/oauth2/token supports client_credentials (ServiceClientID,
// secret in the form body), authorization_code (WebClientID with PKCE
// S256, ConfidentialClientID with its secret and optional PKCE) and
// refresh_token (rotated by default). Errors are RFC 6749 §5.2 JSON bodies.
// GET /fotoweb/oauth2/authorize approves a user without a browser and
// redirects with code and state: the user named by the request's
// login_hint when that is User or ReadOnlyUser, else Options.LoginUser
// (default User). Refresh tokens keep the user of their code. An unknown
// client_id or redirect URI gets FotoWeb's HTML error page (400) without
// a redirect.
//
// API requests carry the access token as "Authorization: Bearer <t>"
// (scheme case-insensitive) or ?access_token=<t>. Without one the answer
// is 401 in the Options.Unauthorized form (by default plain text without
// WWW-Authenticate); an OAuth token sent as FWAPIToken gets 500, as
// observed on real servers. An asset's previewToken is not an access
// token: only preview URLs accept it (see PreviewAuthMode); every other
// endpoint answers it with 401 (the rendition service with 403).
//
// There are three users:
//
//   - the administrator (client_credentials, ServiceToken) sees every
//     archive, may edit everything, and its full descriptor has
//     canManageExports and hasManageSettingsPermission true;
//   - User ("editor", UserToken) sees UserArchives (Photos and Press),
//     may edit metadata in Photos only (EditText; PATCH elsewhere is 403);
//   - ReadOnlyUser ("viewer", ReadOnlyUserToken) sees what User sees and
//     may edit nothing: PATCH is 403, asset and collection permissions are
//     View, Preview, Download, Order, Export, CropAndDownload, and
//     collections have canUploadTo, canCopyTo, canMoveTo, canCreateFolders
//     and canBeDeleted false.
//
// The descriptor permissions of both users are false. What a user may not
// see answers Options.HiddenStatus (404). Note that an editor's token
// works as ?access_token= on PATCH too: a leaked URL token can change
// metadata.
//
// # Choices for behaviour the reference marks UNCONFIRMED
//
// Each default below can be switched with the Options field named.
//
//   - expires_in is a decimal literal (IntegerExpiresIn for an integer).
//   - client_credentials responses carry no refresh_token in
//     FlavourSaaS2024 and FlavourOnPrem80 (ClientCredentialsRefreshToken,
//     NoClientCredentialsRefreshToken; see Flavours).
//   - Only client_secret_post is accepted; a Basic header is ignored
//     (AcceptBasicAuth). invalid_client is 400 (InvalidClientStatus), 401
//     when the client used Basic.
//   - A public client sending client_secret (any grant) gets 400
//     invalid_request (AllowPublicClientSecret).
//   - Every refresh rotates the refresh token; the old one is dead
//     (RotateRefreshTokens; when off, the response has no refresh_token
//     and the old one stays valid).
//   - Authorization codes live 60 s (AuthCodeLifetime) and are consumed
//     by any redemption attempt, failed ones included. scope is ignored.
//   - ?access_token= is refused under /fotoweb/editors/ and accepted
//     elsewhere (QueryTokenRejected).
//   - Previews accept an OAuth token or the asset's previewToken, each in
//     the Authorization header or as ?access_token= (PreviewAuth, or
//     SetPreviewAuth while running).
//   - prev/next at the ends of paged lists are null in archives with odd
//     ids and "" in even ones (PagingEnds). Pages after the first of a
//     collection+json request come back as asset lists. Page links are
//     accepted in both forms, ;p=N before the query and ?q=...&p=N.
//   - The 2024 paging object's index counts pages from 0, totalPages is
//     the number of pages and count the number of items in the whole
//     list (the recording has them null only).
//   - Search hits are capped at 10,000 (SearchCap).
//   - A rendition request answers 202 (RenditionRequestStatus); polls
//     answer 202 with an empty body while pending. The rendition
//     service's 404 (a GET, an unknown rendition) is a Werkzeug page like
//     its 400, 403 and 415.
//   - Webhooks of deleted assets use operation-name "delete"
//     (WebhookDeleteOperation). pixel-width/-height are "" for
//     non-images. No signature header is sent.
//   - Export URLs are /fotoweb/embed/YYYY/MM/<32 hex>.jpg with _hc.jpg and
//     _2x.jpg variants for highCompression and doubleResolution, and .json
//     for the export data. A revoked export answers 404 NotFound on all of
//     them (the real status is unconfirmed). The preset list lives at
//     /fotoweb/me/presets/exports/ and is sent as application/json; both
//     /presets/exports/<id> and /presets/export/<id> are accepted.
//
// # Flavours
//
// Options.Flavour picks the FotoWeb the fake imitates; every switch it
// bundles can be set on its own. The defaults and their evidence (files
// in shared/reference/recorded unless a URL or tag is given; tags are
// those of fotoweb-api.md §0):
//
//   - Previews of a small original are upscaled to every nominal size with
//     the width and height FotoWeb reports (Previews: PreviewsUpscaled):
//     a 370×136 JPEG with previews 200×74 ... 2400×882
//     (enonic/assetModifiedRequestBody.json, SaaS 2023). No recording shows
//     a small original on 8.0; FlavourOnPrem80 upscales too.
//     PreviewsNeverUpscaled caps them at the original's size. Previews are
//     listed 800, 1200, 1600, 2400, 200, 300, 400, 600, then the squares
//     100, 200, 200, 400, as both recordings list them.
//   - Page links of a search are ?q=...&p=N, of a list without a query
//     ;p=N (PagingLinks: PagingLinksQuery). Evidence: search hrefs carry
//     the query after the path and matrix parameters (/;o=+?q=...,
//     enonic/collectionListWithPaging.json), and a client of a production
//     server splits paging.last on "&p=" (SOURCES.md, "Other evidence");
//     ;p=N without a query is the documented form (D-paging).
//     FlavourOnPrem80 uses ;p=N before the query (PagingLinksMatrix), the
//     documented form, for want of an 8.0 recording.
//   - FlavourSaaS2024 sends the 2024 paging object (Paging: Paging2024)
//     {next, prev, first, last, index, totalPages, count} on every list,
//     a one-page list with "" links, null counters and first the path
//     without the query (enonic/collectionListWithPaging.json, 2024).
//     FlavourSaaS2023 and FlavourOnPrem80 send {prev, next, first, last}
//     on paged lists and "paging": null on one-page lists (Paging2023;
//     enonic/assetList.json and enonic/collectionList.json, 2023).
//   - Asset lists answer Cache-Control "private, max-age=30"
//     (enonic/assetList.meta.json), collection lists "private, max-age=5"
//     (enonic/collectionList.meta.json, collectionListWithPaging.meta.json)
//     (AssetListCacheControl, CollectionListCacheControl); the metadata
//     editor "max-age=60" with Vary "User-Agent, Accept"
//     (enonic/metadataEditor.meta.json); the rendition request's 202 no
//     Cache-Control, Vary "User-Agent, Accept" and Python's JSON spacing
//     (enonic/rendition.meta.json).
//   - The SaaS rendition service answers errors as Werkzeug does
//     (RenditionErrors: RenditionErrorsWerkzeug): HTML pages with
//     Werkzeug's wording and upper-case reason phrases, 403 without a
//     token in the Authorization header (a query access_token does not
//     count), 415 for another media type, 400 for a bad body (comments of
//     enonic/app-fotoware src/main/resources/lib/fotoware/api/requestRendition.ts,
//     quoted in SOURCES.md). FlavourOnPrem80 answers JSON and 401
//     (RenditionErrorsJSON): no recording shows 8.0's rendition service.
//   - A 401 is text/plain "Unauthorized: You are not authorized to access
//     this resource" (the answer quoted in enonic/app-fotoware's
//     getPrivateFullAPIDescriptor.ts, SOURCES.md), without WWW-Authenticate
//     on SaaS (Unauthorized: UnauthorizedText; nothing recorded shows the
//     header) and with it in FlavourOnPrem80 (UnauthorizedTextChallenge),
//     so that both forms are exercised; UnauthorizedJSON is the JSON form.
//   - Every answer carries FotoWeb-Server "Product-Version=8.2.1412.0;
//     Level=Invalid;" (enonic/*.meta.json); FlavourOnPrem80 says
//     8.0.0.0 instead (assumed: the 8.0 recording has no headers).
//   - client_credentials answers carry a refresh_token in FlavourSaaS2023
//     (enonic/token.json, 2023) and none in the others: FotoWeb's
//     documentation says refresh tokens are no longer issued to
//     non-interactive applications (D-oauth-ni).
//   - FlavourOnPrem80's assets have exactly the members of the recorded 8.0
//     asset (drupal/asset.json): no doctype, archiveId, permissions,
//     builtinFields, previewToken, ancestors or counters; renditions
//     without profile and sizeFixed; no quick renditions; thumbnailFields
//     label, firstLine and secondLine; metadata values as strings and
//     lists as elsewhere. Preview hrefs are
//     /fotoweb/cache/<archive id>/<path without extension>.t<hex time>.m<size>[.q].x<signature>.jpg.
//     With no previewToken, previews take the access token
//     (PreviewAuthAny) or nothing (PreviewAuthNone, the older
//     documentation's rule, D-previewlist); PreviewAuthPreviewToken
//     panics. Webhooks come from User-Agent FotoWeb/8.0 (accepted by
//     enonic/app-fotoware's constants.ts).
//
// # Search expressions
//
// ?q= on a collection's searchURL supports free text (file name, title,
// caption, keywords, byline, credit, ...), field predicates (<id>:term,
// fn:, dn:, fp:, dt:, o:, pw:/ph:/fs: with a~~b ranges, mt:, mtf:, mtt:),
// quoted phrases, AND / OR / | / NOT with parentheses and implicit AND.
// Matching is case-insensitive containment; a term with * or ? must match
// a whole value. Repeated q parameters are ANDed; ?fn=x and ?105=y work
// as predicates.
//
// # Seed data
//
// Three archives: 5001 Photos (41 assets; User may edit metadata), 5002
// Press (16 assets, read-only for User; the PDF, the video and an EPS
// graphic live here) and 5003 Internal (8 assets, hidden from User).
// Folders include "Folder 19" (a space, percent-encoded in hrefs) and
// nested "Nordic/Fjords". The exported *Asset constants name notable
// assets. Everything is deterministic: the same hrefs, metadata, times and
// image bytes on every run. Options.ExtraAssets adds synthetic assets.
//
// PATCH on an asset (assetupdate+json) replaces the listed fields: a
// string or list sets a field (a string is a one-element list for bag
// fields such as 25 and 80), null, "" or [] clears it, several values for
// a single-valued field are a 400. Every edit bumps modified and the
// preview URLs (old preview URLs keep working).
//
// # Exports
//
// EXPORT on an asset href (export-request+json; the Export permission is
// required, 403 without) creates a new durable export every time, even
// for an identical request, with a random 32-hex id and YYYY/MM from the
// fake's clock; Exports lists them in creation order and ExportRequests
// counts the requests that created one. width/height 0 mean the original
// size (capped at 3000 px), one side 0 keeps the aspect ratio, both set
// fit the image inside the box. A preset (WebPreset, SquarePreset, listed
// at PresetList) applies its box only when the request gives 0×0;
// "Web" has none, "Square 600" fits the export into 600×600. An unknown
// preset, a malformed body or a non-image asset is a 400.
// highCompression is always offered; doubleResolution only when the
// original's long edge is at least twice the export's, else it is "" and
// the _2x URL answers 404. Export files are served without authentication
// with Cache-Control: public until RevokeExport or DeleteAsset, after
// which every URL of the export answers 404.
//
// # Images
//
// Preview, rendition and export bytes are generated deterministically
// (a gradient with stripes, a centred disc and a frame, seeded by the
// asset) at the advertised size. They are cached in memory once per
// process, shared by every fake (the bytes depend only on the asset's
// archive, path and size and on the output size and format), generated
// once per file even when requests for it arrive together, with the least
// recently used dropped beyond 128 MB.
// Preview URLs look like FotoWeb's,
// /fotoweb/cache/v2/<x>/<y>/<path>.<info>.<signature>.jpg (8.0:
// /fotoweb/cache/<archive id>/<path>.t<time>.m<size>[.q].x<signature>.jpg);
// a wrong segment or signature is a 404. A rotated asset reports its stored size
// and rotation in imageattributes; previews and renditions have the
// displayed (rotated) orientation. ORIGINAL renditions are capped at 3000
// px on the long edge; PNG originals are PNG, other images (EPS included)
// JPEG, the PDF a minimal PDF and the video a stand-in MP4 header.
package fotowebtest
