// Package fotoweb is a client for the Fotoware FotoWeb REST API: the API
// descriptor, archives, asset representations, search, previews and the
// Rendition Request API.
//
// A Client is created from a Config with New and is safe for concurrent
// use. Every request it makes is bounded by Config.Timeout per attempt;
// idempotent requests (GET, HEAD and rendition polling) are retried on
// 408, 429, 500, 502, 503 and 504 answers and on transport failures
// (connection refused or reset, EOF, timeouts) with exponential backoff and
// full jitter, honouring Retry-After up to Config.MaxRetryAfter, for at
// most Config.MaxAttempts attempts. The rendition POST is not idempotent:
// it is retried only after a 429 (the server refused it before doing any
// work) and when the connection could not be made at all (dial or DNS
// failure); net/http already resends it when nothing was written on a
// reused connection. Cancelling the caller's context stops retries at once.
//
// A 401 answer (JSON or plain text, with or without WWW-Authenticate)
// makes the client call Invalidate on a token source that implements
// Invalidator, fetch a fresh token and retry once. The rendition service
// answers a dead token with 403: see Client.Rendition.
//
// Tokens travel in an "Authorization: Bearer" header, or in the
// access_token query parameter when Config.TokenInQuery is set (not for
// the rendition request, which the service accepts with the header only).
// Tokens never appear in errors or log lines: errors name the method and
// the path without its query, and response excerpts are redacted. An
// error answer's body is kept as a short excerpt: the text of a JSON or
// plain-text answer, the title of an HTML page (such as the rendition
// service's Werkzeug pages), never markup.
//
// Links FotoWeb returns (paging, rendition tasks, previews) are followed
// only on the configured origin, so a token is never sent elsewhere. Page
// links are followed as given, whatever their form (;p=N before the
// query, ?q=...&p=N after it); a paging object may be null, the 2023 form
// {prev, next, first, last} or the 2024 one with index, totalPages and
// count, with null or "" for absent links.
//
// Decoding is tolerant of what real servers send: integers written with
// decimals (300.0, 28800.000000), "" where null, a number or an object is
// expected, null lists, absent fields, numbers as strings, and metadata
// values that are a string, a list or null. On-premises FotoWeb 8.0
// assets have no doctype, builtinFields or previewToken and renditions
// without profile: those fields are then empty.
//
// Asset references are canonicalised by ParseAssetRef; see its
// documentation for the accepted forms.
package fotoweb
