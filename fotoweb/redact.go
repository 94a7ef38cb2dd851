package fotoweb

import (
	"strconv"
	"strings"
	"unicode/utf8"

	shared "github.com/fotoembed/fotoembed/internal/redact"
)

// maxExcerpt bounds the response body excerpt kept in an *Error.
const maxExcerpt = 200

// redact removes anything token-like from s (see package
// internal/redact).
func redact(s string) string { return shared.String(s) }

// redactExact removes the given secrets in every encoding, then anything
// token-like.
func redactExact(s string, secrets ...string) string {
	if len(secrets) == 0 {
		return shared.String(s)
	}
	return shared.New(secrets...).String(s)
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
