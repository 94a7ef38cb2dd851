// Package urlsig mints and verifies fotoembed's stable, HMAC-signed image
// paths:
//
//	{prefix}/{signature}/{options}/{asset}[{ext}]
//
// for example
//
//	/i/e3TSK645NfXtisbO94eCrw/w1200-sq-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg
//
// One image with one option set has exactly one path, and so one cache
// entry: every part has a single accepted spelling, and Verify rejects
// all others.
//
// # Prefix
//
// The route prefix, "/i" by default, is "/" followed by one or more
// segments of [A-Za-z0-9_-] separated by single "/". It is not signed.
//
// # Options
//
// The options segment is a list of tokens joined by "-", in this fixed
// order, each present only when its option is set:
//
//	w{width}      width in pixels, decimal 1..65535 without leading zeros
//	sq            square crop
//	r{rendition}  rendition name, 1..32 characters from [a-z0-9_]
//	x{expiry}     expiry, Unix seconds, decimal 1..253402300799 without leading zeros
//
// The empty option set, which would be an empty segment, is spelled "_".
// So "w800", "sq", "w800-sq-rorig-x1767225600" and "_" are canonical, while
// "w0800", "sq-w800", "w800-w800", "w800-", "W800", "w0", "x0", "h600"
// and "" are rejected. All keys are lower case and there is no escaping.
// Go's [time.Time] expiries are truncated to whole seconds when signing;
// an expiry is the first instant at which the path is refused.
//
// # Asset and extension
//
// The asset segment is the asset's href on the FotoWeb origin (at most
// 2048 bytes, not empty) as unpadded base64url (RFC 4648 §5, alphabet
// A-Z a-z 0-9 - _, no "="). Only the canonical encoding is accepted:
// unused trailing bits must be zero. It may be followed by an extension,
// "." and 1..8 characters from [a-z0-9] (".jpg", ".webp"), for humans and
// CDNs; base64url has no ".", so the first "." starts the extension.
//
// # Signature
//
// The signature covers every byte after the signature segment's "/",
// that is the ASCII string
//
//	{options} "/" {asset} {ext}
//
// with the extension included. It is HMAC-SHA256 (RFC 2104) of those
// bytes under a key of at least 16 bytes, truncated to its first L bytes
// (L in 8..32, default 32, configured per deployment), as unpadded
// base64url: 43 characters for L = 32, 22 for L = 16, 11 for L = 8.
// Verifiers accept exactly the configured L, and compare in constant
// time against every configured key (the first key signs, so keys can be
// rotated). Nothing after the signature is parsed before it is checked.
//
// # Test vectors
//
// With the key being the 30 ASCII bytes "fotoembed-test-vector-key-0001"
// and the asset href
// "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info":
//
//	options {}, no extension, L = 32:
//	/i/RsgAGkvofgyGCekM70ITo-E1f9vlfq2o2c9J7SkvbMs/_/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw
//
//	options {Width: 800}, ".jpg", L = 32:
//	/i/Y7Dwrh4hgJw22fu-sxXmT-ReA4RgmfE-QebWqs5heas/w800/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg
//
//	options {Width: 1200, Square, Rendition: "orig", Expires: 2026-01-01T00:00:00Z}, ".webp", L = 16:
//	/i/eF33wlaEO_U-deyab1U66A/w1200-sq-rorig-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.webp
//
// In the last one the MACed string is
// "w1200-sq-rorig-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.webp"
// and the signature is its HMAC-SHA256's first 16 bytes. More vectors are
// in vectors_test.go.
//
// # Verification
//
// [Signer.Verify] checks, in order: the shape of the path
// ([ErrMalformed]), the signature ([ErrBadSignature]), the options
// ([ErrBadOptions]) and the asset and extension ([ErrMalformed]), and
// the expiry ([ErrExpired], for which the HTTP layer answers 410).
// Errors never contain key material.
package urlsig
