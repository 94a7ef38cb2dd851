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
// A 401 answer makes the client call Invalidate on a token source that
// implements Invalidator, fetch a fresh token and retry once.
//
// Tokens travel in an "Authorization: Bearer" header, or in the
// access_token query parameter when Config.TokenInQuery is set. Tokens
// never appear in errors or log lines: errors name the method and the path
// without its query, and response excerpts are redacted.
//
// Links FotoWeb returns (paging, rendition tasks, previews) are followed
// only on the configured origin, so a token is never sent elsewhere.
//
// Decoding is tolerant of what real servers send: integers written with
// decimals (300.0, 28800.000000), "" where null, a number or an object is
// expected, null lists, absent fields, numbers as strings, and metadata
// values that are a string, a list or null.
//
// Asset references are canonicalised by ParseAssetRef; see its
// documentation for the accepted forms.
package fotoweb
