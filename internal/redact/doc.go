// Package redact removes secrets from text bound for logs, error
// messages and API answers: OAuth tokens, client secrets, authorization
// codes and verifiers, Authorization header values, JWT-looking strings
// and configured secrets (API keys, hook secret, signing keys).
//
// It is the one redaction of the module: every other package that
// redacts calls it. What it removes it replaces with [Marker], in every
// form the text may carry it: raw, percent-encoded once or more (with
// upper or lower case hex), JSON-escaped (\u003d, \") and inside URLs,
// paths, JSON documents and form bodies.
//
// [String] applies the patterns alone; a [Redactor] built by [New] also
// removes the configured secrets wherever they appear. [URL] and [Query]
// prepare URLs for logs.
package redact
