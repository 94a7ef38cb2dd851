// Package embed turns a FotoWeb asset reference plus what the page needs
// into correct, fast, safe HTML and URLs. (The name shadows the standard
// library's embed package; rename one import where a file needs both.)
//
// The pipeline is resolve → choose → URLs → HTML:
//
//   - A [Resolver] asks FotoWeb (through an [AssetSource], such as
//     *fotoweb.Client) what it knows about an asset and keeps the answer
//     as an [Info] in a [Store] (in process by default a [MemoryStore],
//     bounded by entries and an estimate of bytes, evicting the least
//     recently used; the interface is small so that a shared Redis store
//     can implement it). Entries are keyed by the canonical href, so every
//     spelling of one asset shares one entry. Concurrent misses for one
//     asset make one upstream request, and a caller waits for it at most
//     MissTimeout; a stale entry is served at once while one background
//     refresh runs (stale-while-revalidate, within StaleIfError); a failed
//     refresh serves the stale entry for StaleIfError, then fails; "not
//     found" is remembered for NotFoundTTL. [Resolver.Stats] exposes counters for metrics. An Info
//     never holds an access token or a URL with a token; it holds the
//     asset's previewToken (that one asset's previews, one hour) only
//     when ResolverConfig.PreviewTokens asks for it, and is then fetched
//     anew before that token expires.
//
//   - [Info.Choose] picks a FotoWeb preview for a rendered width (CSS
//     width × device pixel ratio): the smallest preview at least that
//     wide, never past the original (FotoWeb upscales the previews of a
//     small original; the smallest at least as wide as the original is
//     the largest used). Previews come in fixed sizes whose size is the
//     long edge, so portrait images are chosen by their true width.
//     [Info.Candidates] lists the srcset candidates: distinct true widths
//     up to the original's. A size FotoWeb does not know (it sends 1×1
//     for an image it could not measure) is unknown, never 1 pixel:
//     previews are then chosen and listed by their nominal size, and the
//     height attribute is left out (see [Layout]). [Info.ChooseFor] maps
//     the options of a signed URL back to the same preview: a candidate is
//     signed with its true (or nominal) width, so the handler finds
//     exactly that preview.
//
//   - URLs come in three kinds. Signed service URLs (urlsig) hold no token
//     and may be cached (an Info in use memoises its signed paths). FotoWeb URLs
//     carry what the URL token policy ([URLToken]) puts on them when they
//     are made: nothing, the asset's previewToken, or the live access
//     token; they are never stored. [Embedder.RedirectURL] is what the
//     redirect handler calls, and returns the token's expiry so that
//     Cache-Control never outlives the token. Export URLs are permanent
//     public URLs made by FotoWeb's Export API through an [Exporter],
//     which records each export so that none is made twice.
//
//   - [Embedder.RenderImg] and [Embedder.RenderFigure] write the markup,
//     escaping every attribute value and text themselves; see [Options].
//     [Embedder.FuncMap] offers the same as html/template helpers with
//     options given as strings (see [ParseOptions]).
//
// # HTML
//
// An <img> always has src, srcset, sizes, width, height and alt, but for
// an image whose size FotoWeb does not know: no height then (and no
// width without a CSS width), rather than a wrong aspect ratio. Alt text
// comes from the metadata field configured in [Fields] (default 120,
// caption), falling back to the title (5); alt="" only for an image the
// caller marks decorative, and an error ([ErrNoAlt]) when there is none.
// In a figure, an alt text that repeats the caption gives way to the
// title, or to alt="" when the title repeats it too ([Text.FigureAlt]):
// a screen reader reads each text once.
// Images load lazily (loading="lazy" decoding="async") unless marked as
// priority (loading="eager" fetchpriority="high"). The default sizes is
// "(max-width: Wpx) 100vw, Wpx" for a CSS width W: the image fills narrow
// viewports and is W pixels wide otherwise.
//
// A figure's credit line is composed by [Text.CreditLine]: "Photo: Byline
// / Credit" (either alone when the other is missing), else the copyright
// notice prefixed with "©".
//
// # Link modes
//
// A [LinkMode] (Config.Links, Options.Links, the delivery= template
// option) says what the HTML's URLs point at. Signed links (the default)
// point the HTML at the service, which redirects to FotoWeb or proxies.
// Direct links put the FotoWeb URL with what the URL token policy allows
// into the HTML: only for pages rendered per request, since preview URLs
// are ephemeral, tokens expire and every visitor sees the token. Export
// links put permanent public export URLs into the HTML: the page needs
// neither the service nor a token (the Embedder needs an [Exporter];
// Options.Publication names the page for FotoWeb's export manager).
package embed
