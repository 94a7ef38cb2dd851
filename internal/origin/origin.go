// Package origin is the module's one notion of a URL's origin: what two
// URLs share when they are on one site (scheme, host and port, compared
// without regard to case or a spelled-out default port), the check that
// a URL handed to a browser stays on an origin, and the check of a
// configured base URL.
package origin

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// Of returns the origin of u, "scheme://host[:port]" in lower case with
// the scheme's default port (80 for http, 443 for https) dropped and an
// IPv6 host in brackets. User info, path, query and fragment are not
// part of it.
func Of(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// Parse returns the origin ([Of]) of s when s is an absolute http(s) URL
// with a host and without user info, and "" otherwise. A path, query or
// fragment is dropped.
func Parse(s string) string {
	u, err := url.Parse(s)
	if err != nil || !web(u) || u.User != nil {
		return ""
	}
	return Of(u)
}

// On reports whether loc is an absolute http(s) URL without user info,
// white space, control characters or backslashes whose origin ([Of])
// equals that of origin, itself an absolute URL.
func On(loc, origin string) bool {
	return onFast(loc, origin) || onFull(loc, origin)
}

// onFull is On without the fast path.
func onFull(loc, origin string) bool {
	if strings.ContainsFunc(loc, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '\\' }) {
		return false
	}
	u, err := url.Parse(loc)
	if err != nil || u.User != nil || u.Opaque != "" || !web(u) {
		return false
	}
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	return Of(u) == Of(o)
}

// onFast is a cheap sufficient condition for On(loc, origin): origin is
// "http://" or "https://" and a host name of letters, digits, "." and
// "-" with an optional port of digits (no path, no trailing "/"), and
// loc is origin followed by "/", without control characters, white
// space or backslashes, and every "%" starts a valid escape (so that
// url.Parse accepts it). URLs built from a configured origin pass it;
// anything else gets the full check.
func onFast(loc, origin string) bool {
	n := len(origin)
	return len(loc) > n && loc[:n] == origin && Plain(origin) && CleanPath(loc[n:])
}

// CleanPath reports whether p starts with "/" and holds no control
// characters, white space or backslashes, and every "%" in it starts a
// valid escape: appended to a [Plain] origin, it makes a URL on that
// origin that url.Parse accepts, and so does anything appended to it
// that is as clean (an escaped query).
func CleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c < 0x21, c == 0x7f, c == '\\':
			return false
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return false
			}
		}
	}
	return true
}

// Plain reports whether s is "http://" or "https://", then a non-empty
// host of ASCII letters, digits, "." and "-", then optionally ":" and
// digits: an origin the cheap checks ([CleanPath]) may build on.
func Plain(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if host == "" || hasPort && port == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// Base checks a configured base URL: an absolute http(s) URL with a host
// and without user info, query or fragment. It returns s without
// trailing "/" and the parsed URL; whether a path is allowed is the
// caller's rule. The error quotes s with anything secret in it redacted
// and is meant to be wrapped by the caller, which names the setting.
func Base(s string) (string, *url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || !web(u):
		return "", nil, fmt.Errorf("%q is not an absolute http(s) URL", redact.URL(s))
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", nil, fmt.Errorf("%q must not have user info, query or fragment", redact.URL(s))
	}
	return strings.TrimRight(s, "/"), u, nil
}

// web reports whether u is an absolute http(s) URL with a host.
func web(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}
