package fotoweb

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// redacted replaces secrets in error messages and excerpts.
const redacted = "[REDACTED]"

// maxExcerpt bounds the response body excerpt kept in an *Error.
const maxExcerpt = 200

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// access_token=..., refresh_token=..., client_secret=... in URLs and forms.
	{regexp.MustCompile(`(?i)((?:(?:access|refresh|id|preview)_?)?token|client_secret|code_verifier|password|secret)(=|%3D)[^&\s"'<>]*`), "${1}${2}" + redacted},
	// The same names as JSON members: "access_token": "...".
	{regexp.MustCompile(`(?i)("(?:(?:access|refresh|id|preview)_?)?token"|"client_secret"|"password"|"secret")(\s*:\s*)"(?:[^"\\]|\\.)*"?`), `${1}${2}"` + redacted + `"`},
	// Authorization header values.
	{regexp.MustCompile(`(?i)\b(bearer|basic|FWAPIToken:?)(\s+)[A-Za-z0-9._~+/=-]+`), "${1}${2}" + redacted},
	// Anything that looks like a JWT (three base64url parts, first "eyJ").
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?`), redacted},
	// Long opaque base64url-ish blobs in three dot-separated parts.
	{regexp.MustCompile(`[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{8,}`), redacted},
}

// redact removes anything token-like from s.
func redact(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// redactExact removes the given secrets verbatim (and in their query
// encoding), then applies the patterns.
func redactExact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, sec, redacted)
		if q := url.QueryEscape(sec); q != sec {
			s = strings.ReplaceAll(s, q, redacted)
		}
	}
	return redact(s)
}

// excerpt turns the start of a response body into a short, single-line,
// redacted string for an *Error.
func excerpt(body []byte, secrets ...string) string {
	s := string(body)
	if len(s) > 4*maxExcerpt {
		s = s[:4*maxExcerpt] // redact with some context, then cut
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = redactExact(s, secrets...)
	s = truncate(s, maxExcerpt)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// truncate cuts s to at most n bytes on a rune boundary, adding "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// quoteRef quotes a caller-supplied reference for an error message:
// redacted, truncated, with control characters escaped.
func quoteRef(ref string) string {
	return strconv.Quote(truncate(redact(ref), 120))
}
