package fotoweb

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/fotoembed/fotoembed/internal/origin"
)

// Limits on asset references.
const (
	maxRefInput = 8192 // bytes of input accepted at all
	maxRefPath  = 2048 // bytes of the canonical href path
)

const (
	assetPrefix = "/fotoweb/archives/"
	assetSuffix = ".info"
)

// ParseAssetRef validates an asset reference and returns its canonical
// href path, the single spelling used as a cache key and as a request path.
//
// Accepted forms:
//   - an asset href path such as
//     /fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info,
//     percent-encoded or not ("Folder 19" becomes "Folder%2019");
//   - an absolute http(s) URL on origin (scheme, host and port must match;
//     default ports are normalised; user info is refused).
//
// A query or fragment is dropped (a pasted URL may carry access_token).
// Surrounding white space is trimmed.
//
// The result starts with /fotoweb/archives/, has an archive segment and
// at least one more segment, ends with .info and contains no empty, "." or
// ".." segments. Each segment is percent-decoded and re-encoded with every
// byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) written as
// upper-case %XX, so different encodings of one asset give one string.
// Decoded segments must be valid UTF-8 without control characters, and
// must not contain "/" or "\" : an encoded slash (%2F, %5C) would change
// the segment structure FotoWeb sees, so it is refused rather than
// guessed at. A "%" not followed by two hex digits is refused. The
// canonical path is at most 2048 bytes.
//
// Every error wraps ErrBadRef (and ErrOffOrigin for another origin) and
// quotes the reference, truncated and with anything token-like redacted.
// origin may be nil, in which case only paths are accepted.
func ParseAssetRef(origin *url.URL, ref string) (string, error) {
	if len(ref) > maxRefInput {
		return "", badRef(ref, "longer than %d bytes", maxRefInput)
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", badRef(ref, "empty")
	}
	for _, r := range ref {
		if r < 0x20 || r == 0x7f {
			return "", badRef(ref, "control character")
		}
	}
	var rawPath string
	switch {
	case strings.HasPrefix(ref, "//"):
		return "", badRef(ref, "scheme-relative URL; give a path or a full URL")
	case strings.HasPrefix(ref, "/"):
		rawPath = cutQuery(ref)
	default:
		p, err := originPath(origin, ref)
		if err != nil {
			return "", err
		}
		rawPath = p
	}
	return canonicalAssetPath(ref, rawPath)
}

// ParseRef is ParseAssetRef with the client's origin.
func (c *Client) ParseRef(ref string) (string, error) {
	return ParseAssetRef(c.base, ref)
}

// cutQuery drops a query and a fragment.
func cutQuery(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// originPath checks that an absolute URL is on origin and returns its raw
// (still encoded) path.
func originPath(origin *url.URL, ref string) (string, error) {
	i := strings.Index(ref, "://")
	if i <= 0 {
		return "", badRef(ref, "neither an href path (/fotoweb/archives/...) nor an absolute URL")
	}
	scheme := strings.ToLower(ref[:i])
	if scheme != "http" && scheme != "https" {
		return "", badRef(ref, "scheme %q is not http or https", scheme)
	}
	rest := ref[i+3:]
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	authority, path := rest[:hostEnd], cutQuery(rest[hostEnd:])
	if strings.Contains(authority, "@") {
		return "", badRef(ref, "user info in URL")
	}
	u, err := url.Parse(scheme + "://" + authority + "/")
	if err != nil || u.Host == "" {
		return "", badRef(ref, "bad host")
	}
	if origin == nil {
		return "", &refError{msg: badRefMsg(ref, "no origin configured for an absolute URL"), off: true}
	}
	if got, want := Origin(u), Origin(origin); got != want {
		return "", &refError{msg: badRefMsg(ref, "not on the origin "+want), off: true}
	}
	if path == "" {
		path = "/"
	}
	return path, nil
}

// Origin returns the origin of u, "scheme://host[:port]" in lower case
// with the scheme's default port dropped and an IPv6 host in brackets:
// what two URLs share when they are on one origin.
func Origin(u *url.URL) string { return origin.Of(u) }

// canonicalAssetPath decodes and re-encodes each segment of rawPath.
func canonicalAssetPath(ref, rawPath string) (string, error) {
	segs := strings.Split(rawPath, "/")
	if segs[0] != "" {
		return "", badRef(ref, "path does not start with /")
	}
	segs = segs[1:]
	var b strings.Builder
	var last string
	for i, seg := range segs {
		if seg == "" {
			return "", badRef(ref, "empty path segment (double or trailing slash)")
		}
		dec, err := unescapeSegment(seg)
		if err != nil {
			return "", badRef(ref, "%v", err)
		}
		if i == 0 && dec != "fotoweb" || i == 1 && dec != "archives" {
			return "", badRef(ref, "path does not start with %s", assetPrefix)
		}
		if dec == "." || dec == ".." {
			return "", badRef(ref, "dot segment")
		}
		last = dec
		b.WriteByte('/')
		escapeSegment(&b, dec)
		if b.Len() > maxRefPath {
			return "", badRef(ref, "canonical path longer than %d bytes", maxRefPath)
		}
	}
	if len(segs) < 4 {
		return "", badRef(ref, "no archive and file in path (want %s<archive>/.../<file>%s)", assetPrefix, assetSuffix)
	}
	if !strings.HasSuffix(last, assetSuffix) || len(last) <= len(assetSuffix) {
		return "", badRef(ref, "does not end with <file>%s", assetSuffix)
	}
	return b.String(), nil
}

// unescapeSegment percent-decodes one path segment strictly.
func unescapeSegment(seg string) (string, error) {
	if !strings.Contains(seg, "%") {
		if strings.Contains(seg, `\`) {
			return "", fmt.Errorf(`backslash in path segment`)
		}
		if !utf8.ValidString(seg) {
			return "", fmt.Errorf("invalid UTF-8")
		}
		return seg, nil
	}
	buf := make([]byte, 0, len(seg))
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c != '%' {
			buf = append(buf, c)
			continue
		}
		if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
			return "", fmt.Errorf("invalid percent-encoding (write a literal %% as %%25)")
		}
		buf = append(buf, unhex(seg[i+1])<<4|unhex(seg[i+2]))
		i += 2
	}
	dec := string(buf)
	switch {
	case !utf8.ValidString(dec):
		return "", fmt.Errorf("invalid UTF-8 after percent-decoding")
	case strings.ContainsAny(dec, `/\`):
		return "", fmt.Errorf("encoded slash or backslash in path segment")
	}
	for _, r := range dec {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("encoded control character")
		}
	}
	return dec, nil
}

// escapeSegment writes s with every byte outside the unreserved set
// percent-encoded in upper-case hex.
func escapeSegment(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// refError is a ParseAssetRef error: it wraps ErrBadRef, and ErrOffOrigin
// when the reference is a URL on another origin.
type refError struct {
	msg string
	off bool
}

func (e *refError) Error() string { return e.msg }

func (e *refError) Unwrap() []error {
	if e.off {
		return []error{ErrBadRef, ErrOffOrigin}
	}
	return []error{ErrBadRef}
}

// badRef builds an ErrBadRef error naming what was wrong.
func badRef(ref, format string, args ...any) error {
	return &refError{msg: badRefMsg(ref, fmt.Sprintf(format, args...))}
}

func badRefMsg(ref, reason string) string {
	return ErrBadRef.Error() + ": " + reason + ": " + quoteRef(ref)
}
