package server

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted replaces secrets in logged text.
const redacted = "[REDACTED]"

// hookPrefix is the webhook route's path before the secret.
const hookPrefix = "/hooks/fotoweb/"

// sensitiveParams are query parameters whose values are never logged.
var sensitiveParams = map[string]bool{
	"access_token": true, "token": true, "key": true, "api_key": true, "apikey": true,
	"x-api-key": true, "secret": true, "code": true, "client_secret": true,
	"refresh_token": true, "id_token": true, "password": true, "previewtoken": true,
	"preview_token": true, "code_verifier": true,
}

// secretPatterns catch token-like text in free-form messages.
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(?i)\b((?:access_|refresh_|id_|preview_?)?token|api_?key|key|secret|client_secret|code|code_verifier|password)(=|%3D)[^&\s"'<>]*`), "${1}${2}" + redacted},
	{regexp.MustCompile(`(?i)("(?:(?:access|refresh|id|preview)_?)?token"|"client_secret"|"password"|"secret"|"api_?key")(\s*:\s*)"(?:[^"\\]|\\.)*"?`), `${1}${2}"` + redacted + `"`},
	{regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+`), "${1}${2}" + redacted},
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?`), redacted},
	{regexp.MustCompile(`(?i)(/hooks/fotoweb/)[^/?#\s"]+`), "${1}" + redacted},
}

// redactText removes anything token-like from s.
func redactText(s string) string {
	if !mayHoldSecret(s) {
		return s // the common log line, a signed image path: no regexp work
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// mayHoldSecret reports whether any of secretPatterns could match s. It
// is false only when s has none of what each pattern needs: "=" or "%3D"
// right after "token", "key", "secret", "code", "verifier" or
// "password", in which every name the first pattern knows ends (the
// first); a double quote (the second); "bearer" or "basic" (the third);
// "eyJ" (the fourth); "/hooks/" (the fifth); ASCII letters in any case.
// Any non-ASCII byte gives true, since case-insensitive patterns also
// match Unicode case folds such as "ſ" for "s".
func mayHoldSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c == '"':
			return true
		case c == '=':
			if secretName(s[:i]) {
				return true
			}
		case c == '%':
			if i+2 < len(s) && s[i+1] == '3' && s[i+2]|0x20 == 'd' && secretName(s[:i]) {
				return true
			}
		case c == 'e':
			if strings.HasPrefix(s[i:], "eyJ") {
				return true
			}
		case c|0x20 == 'b':
			if hasPrefixFold(s[i:], "bearer") || hasPrefixFold(s[i:], "basic") {
				return true
			}
		case c == '/':
			if hasPrefixFold(s[i:], "/hooks/") {
				return true
			}
		}
	}
	return false
}

// secretNameEnds are the endings of the parameter names the first of
// secretPatterns redacts.
var secretNameEnds = []string{"token", "key", "secret", "code", "verifier", "password"}

// secretName reports whether s ends, ignoring ASCII case, in one of
// secretNameEnds.
func secretName(s string) bool {
	for _, end := range secretNameEnds {
		if len(s) >= len(end) && strings.EqualFold(s[len(s)-len(end):], end) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the ASCII prefix, ignoring
// ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// redactor removes known secrets verbatim (and in their URL encodings),
// then token-like text.
type redactor struct {
	secrets []string
}

// newRedactor returns a redactor for the configured secrets.
func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		r.secrets = append(r.secrets, s)
		for _, enc := range []string{url.QueryEscape(s), url.PathEscape(s)} {
			if enc != s {
				r.secrets = append(r.secrets, enc)
			}
		}
	}
	return r
}

// text redacts s.
func (r *redactor) text(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	return redactText(s)
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
		out += "?" + redactQuery(u.RawQuery)
	}
	return r.text(out)
}

// redactQuery replaces the values of sensitive parameters, keeping the
// order and spelling of the rest.
func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && sensitiveParams[strings.ToLower(name)] {
			parts[i] = k + "=" + redacted
		}
	}
	return strings.Join(parts, "&")
}
