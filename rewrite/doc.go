// Package rewrite is the static-site build step of fotoembed: it runs after
// a site generator (Hugo, Eleventy, Jekyll, Astro, ...) over its output
// folder and replaces image placeholders in the HTML with finished <img>
// (or <figure>) elements whose URLs never expire. It reads HTML only, so
// it works with any generator.
//
// This package is the library: [Run] with a [Config] and a [Source]. The
// command is `fotoembed rewrite` (cmd/fotoembed), which fills the Config
// from flags and FOTOEMBED_* variables; this package reads no environment.
//
// # Placeholders
//
// An author writes, in Markdown or in a template, either
//
//	<img src="fotoweb:ASSET" alt="Boats at dawn" width="600">
//	![Boats at dawn](fotoweb:ASSET)             (Markdown: the same <img>)
//	<img data-fotoweb="ASSET" src="dev-preview.jpg" class="hero">
//
// where ASSET is an asset's .info href (/fotoweb/archives/5001-Photos/
// Folder%2019/harbour.jpg.info, percent-encoded or not) or a FotoWeb URL
// of it (a query or fragment, even an access_token, is dropped). Tag and
// attribute names are matched case-insensitively; values may be quoted,
// single-quoted or unquoted and may hold character references (&amp;,
// &#47;); a tag may end with "/>" and span several lines.
//
// The generated <img> follows the design's HTML rules: src, srcset,
// sizes, width, height, alt, loading="lazy" decoding="async" (or
// loading="eager" fetchpriority="high" for a priority image). Every
// attribute the author wrote WINS over these defaults and keeps its
// place: alt (alt="" marks a decorative image; without alt the text comes
// from FotoWeb metadata and a missing one is an error), width (the CSS
// width in pixels the image is laid out at: it chooses the previews and
// sets height by the aspect ratio), height, sizes, loading, decoding,
// fetchpriority, class, id, style, title, data-* and any other. Only src
// and srcset are always fotoembed's (an author's src on a data-fotoweb
// placeholder is a stand-in for the generator's dev server).
//
// Options are data-fotoweb-* attributes, removed from the output:
//
//	data-fotoweb-figure[="CLASS"]   wrap in <figure class="CLASS"> with a
//	                                <figcaption> holding the caption and
//	                                the credit line
//	data-fotoweb-priority           the page's main image: loading="eager"
//	                                fetchpriority="high" (so does an
//	                                author's fetchpriority="high")
//
// Any other data-fotoweb-* attribute is an error. A figure placeholder
// that is alone in a plain <p> (as Markdown renders an image on its own
// line) replaces that paragraph, since a <figure> may not sit inside a
// <p>. In a figure, an alt text from FotoWeb does not repeat the caption
// the <figcaption> shows (by default both are the description): it gives
// way to the title, or to alt="" when the title repeats the caption too,
// as in the embed package's figures (embed.Text.FigureAlt).
//
// Placeholders inside <pre>, <code>, <textarea>, <script>, <style>,
// <title> and HTML comments are left alone (documentation about
// placeholders stays as written); placeholders inside <noscript> are
// replaced.
//
// # Links
//
// [ModeSigned] points src and srcset at the fotoembed service's stable
// signed URLs (no expiry unless asked for). [ModeDownload] fetches each
// needed preview once into the site, under AssetDir ("_fotoweb") with a
// content-addressed name (the first 20 hex digits of its SHA-256 and an
// extension from its media type), and references it relatively from each
// page, so the site needs neither the service nor a token when it is
// served. Files in AssetDir are never deleted by this package.
//
// [ModeExport] is Fotoware's own recommended way to put DAM images on web
// pages: src and srcset point at permanent public URLs made by FotoWeb's
// Export API (https://TENANT/fotoweb/embed/YYYY/MM/ID.jpg), one export
// per asset and width (and preset), with the widest export's
// doubleResolution URL as an extra srcset candidate when FotoWeb gives
// one. The pages hold no service URL and no token, and the site needs
// neither the service nor a token. Each export is recorded in an export
// ledger (DirectConfig.Exporter's, or the service's), so a rebuild, even
// of a fresh copy of the site, exports nothing again. With
// Config.SiteURL, FotoWeb's export manager records each export with the
// URL of a page that uses it. A dry run makes the exports too
// (they are recorded, so the real run reuses them), so that it finds
// every asset FotoWeb refuses to export. An export revoked in FotoWeb
// stops serving; the exporter makes a new one once it notices (package
// exports checks a recorded URL once it is an hour old), and a later run
// writes the new URL.
//
// # Sources
//
// A [Direct] source talks to FotoWeb itself (the build machine holds the
// FotoWeb credentials; signed mode also needs the signing keys, export
// mode an exporter with its ledger). A [Service] source asks a running
// fotoembed service's POST /v1/resolve with an API key, so the build
// machine needs neither; in download mode the previews are fetched
// through the signed URLs the service returns, and in export mode the
// service exports (with its own ledger and preset) and returns the
// public URLs.
//
// # Files, failure and caching
//
// Only the bytes of placeholder tags change: each file is spliced, never
// re-serialised. A file without placeholders is not touched (its mtime
// stays). Changed files are written atomically (a temporary file in the
// same folder, fsync, rename, original mode kept), in place or, with
// Config.Out, into a mirror of the tree that receives every file (files
// already identical there are left alone), so Out is a complete site.
//
// The run is all-or-nothing: every placeholder is resolved before any
// page is written; if any fails, each failure is reported as
// "file:line: ASSET: reason" and no page is written. Pages are first
// written to temporary files, which are renamed into place only when all
// of them were written: a run interrupted (its context cancelled) before
// the renames leaves every page as it was, and once the renames have
// begun the run finishes them, so no page is ever half-written and the
// site is never a mix. Previews already downloaded and the cache record
// are kept for the next run. Symbolic links are not followed (with Out
// they are copied as links).
//
// Each distinct asset is resolved once, at most Config.Concurrency at a
// time. What was learned (asset dimensions, previews, alt, caption and
// credit texts, download file names, the service's answers, kept apart
// by link mode; never a token) is kept in a record, by default
// .fotoembed-cache.json at the root of the output, written atomically; a
// rebuild within Config.MaxAge makes no upstream request.
// Keep the record out of the deployment if you prefer (it holds nothing
// secret: the same texts are in the pages) or place it with CacheFile.
package rewrite
