package server

import (
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// redacted replaces secrets in logged text.
const redacted = redact.Marker

// hookPrefix is the webhook route's path before the secret.
const hookPrefix = "/hooks/fotoweb/"

// redactText removes anything token-like from s (see package
// internal/redact).
func redactText(s string) string { return redact.String(s) }

// redactor removes the configured secrets in every encoding, then
// token-like text, and hides whatever follows the webhook route.
type redactor struct {
	r *redact.Redactor
}

// newRedactor returns a redactor for the configured secrets.
func newRedactor(secrets ...string) *redactor {
	return &redactor{r: redact.New(secrets...)}
}

// text redacts s.
func (r *redactor) text(s string) string {
	return hideHookSecret(r.r.String(s))
}

// uri returns the request URI for a log line: the hook secret path
// segment and sensitive query values replaced, then everything redacted.
func (r *redactor) uri(u *url.URL) string {
	path := u.EscapedPath()
	if strings.HasPrefix(path, hookPrefix) {
		path = hookPrefix + redacted
	}
	out := path
	if u.RawQuery != "" {
		out += "?" + redact.Query(u.RawQuery)
	}
	return r.text(out)
}

// hideHookSecret replaces the path segment after every hookPrefix (any
// ASCII case) in s: a wrong hook secret may be a near miss of the right.
// Text without the prefix comes back as it is, with no allocation.
func hideHookSecret(s string) string {
	i := indexHookPrefix(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		i += len(hookPrefix)
		j := i
		for j < len(s) && !strings.ContainsRune("/?# \t\r\n\"", rune(s[j])) {
			j++
		}
		b.WriteString(s[:i])
		if j > i {
			b.WriteString(redacted)
		}
		s = s[j:]
		i = indexHookPrefix(s)
	}
	b.WriteString(s)
	return b.String()
}

// indexHookPrefix returns the index of the first hookPrefix in s,
// ignoring case, or -1.
func indexHookPrefix(s string) int {
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '/') // hookPrefix starts with '/'
		if j < 0 {
			return -1
		}
		i += j
		if len(s)-i < len(hookPrefix) {
			return -1
		}
		if strings.EqualFold(s[i:i+len(hookPrefix)], hookPrefix) {
			return i
		}
		i++
	}
}
