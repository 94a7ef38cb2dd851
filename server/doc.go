// Package server is fotoembed's HTTP service, built on Echo: it answers
// the service's signed image URLs (redirecting to FotoWeb with a fresh
// access token, or streaming the bytes itself), renders HTML snippets and
// resolves batches for CMS integrations, searches FotoWeb for pickers,
// speaks oEmbed, receives FotoWeb's asset webhooks, and serves the
// editor's web UI, health checks and Prometheus metrics.
//
// # Routes
//
//	GET|HEAD /i/{signature}/{options}/{asset}[.ext]   signed image (403 bad signature, 400 malformed, 410 expired)
//	GET      /v1/embed?ref=...                        HTML snippet            (API key)
//	POST     /v1/resolve                              batch resolve, JSON     (API key)
//	GET      /v1/assets?q=&archive=&limit=            search for pickers      (API key)
//	GET      /oembed?url=&maxwidth=&maxheight=        oEmbed 1.0 photo (public archives only)
//	GET      /p/{asset}                               per-asset page with oEmbed discovery (public archives only)
//	POST     /hooks/fotoweb/{secret}                  FotoWeb asset webhooks (cache invalidation)
//	GET      /healthz, /readyz, /metrics              operations
//	GET      /, /static/*                             web UI
//
// # Security
//
// A signed path is verified before anything else: a bad signature makes
// no upstream call and no cache lookup. Anything that does not verify
// because of its signature answers 403; a path that does not have the
// signed shape at all, or whose signed options are invalid, answers 400;
// an expired one 410. A redirect's Location is always on the configured
// FotoWeb origin, checked on the built URL before answering. In proxy mode
// no token ever reaches the browser. API keys and the webhook secret are
// compared in constant time over SHA-256 digests, so neither content nor
// length leaks through timing. Tokens, API keys and the webhook secret are
// redacted from every logged URL, and error bodies carry no internal
// detail.
//
// Dependencies come in through [Config]: the FotoWeb client (any
// [FotoWeb]), the embed Embedder with its Resolver, the urlsig Signer and
// the token source. cmd/ fills the Config; nothing here reads the
// environment. Metrics use their own Prometheus registry; wire
// [Metrics.InstrumentTransport] into the FotoWeb client's and the token
// source's http.Client so that upstream calls and token refreshes are
// counted.
package server
