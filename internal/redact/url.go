package redact

import (
	"net/url"
	"strings"
)

// SensitiveParam reports whether a query parameter or form field of
// this name (already decoded, any case) holds a secret whose value is
// never logged.
func SensitiveParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "code":
		return true
	}
	for _, end := range []string{"token", "secret", "password", "verifier", "api_key", "apikey", "-key"} {
		if strings.HasSuffix(n, end) {
			return true
		}
	}
	return false
}

// Query returns the raw query (or form body, or fragment) with the
// values of sensitive parameters ([SensitiveParam]) replaced by
// [Marker], keeping the order and spelling of the rest. It does not
// apply the patterns; [URL] and [Redactor.String] do.
func Query(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name := k
		for j := 0; j < 3 && strings.Contains(name, "%"); j++ { // encoded once or more
			d, err := url.QueryUnescape(name)
			if err != nil {
				break
			}
			name = d
		}
		if hasValue && SensitiveParam(name) {
			parts[i] = k + "=" + Marker
		}
	}
	return strings.Join(parts, "&")
}

// URL returns rawURL for a log line or message: without user info, with
// sensitive query and fragment values replaced, and then redacted by
// pattern.
func URL(rawURL string) string { return (*Redactor)(nil).URL(rawURL) }

// URL is the package-level [URL] that also removes the configured
// secrets.
func (r *Redactor) URL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return r.String(dropUserinfo(rawURL))
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Opaque != "" {
		b.WriteString(u.Opaque)
	} else {
		if u.Scheme != "" || u.Host != "" {
			b.WriteString("//" + u.Host)
		}
		b.WriteString(u.EscapedPath())
	}
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteString("?" + Query(u.RawQuery))
	}
	if u.Fragment != "" {
		b.WriteString("#" + Query(u.EscapedFragment()))
	}
	return r.String(b.String())
}

// dropUserinfo cuts what looks like user info ("user:password@") out of
// an unparsable URL.
func dropUserinfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	auth := s[i+3:]
	if j := strings.IndexAny(auth, "/?#"); j >= 0 {
		auth = auth[:j]
	}
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		return s[:i+3] + s[i+3+at+1:]
	}
	return s
}
