package embed

import (
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// OnOrigin reports whether loc is an absolute http(s) URL without user
// info or control characters whose scheme and host (default port
// dropped) equal origin's.
func OnOrigin(loc, origin string) bool {
	return onOriginFast(loc, origin) || onOriginFull(loc, origin)
}

// onOriginFull is OnOrigin without the fast path.
func onOriginFull(loc, origin string) bool {
	if strings.ContainsFunc(loc, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '\\' }) {
		return false
	}
	u, err := url.Parse(loc)
	if err != nil || u.User != nil || u.Opaque != "" || u.Host == "" {
		return false
	}
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	return fotoweb.Origin(u) == fotoweb.Origin(o)
}

// onOriginFast is a cheap sufficient condition for OnOrigin(loc, origin),
// origin being a normalised origin (scheme://host, lower case, no "/"): loc is origin followed by "/",
// without control characters or backslashes, and every "%" starts a
// valid escape (so that url.Parse would accept it). URLs built by the
// Embedder from the configured origin pass it; anything else gets
// the full check.
func onOriginFast(loc, origin string) bool {
	n := len(origin)
	if n == 0 || len(loc) <= n || loc[n] != '/' || loc[:n] != origin {
		return false
	}
	for i := n; i < len(loc); i++ {
		switch c := loc[i]; {
		case c < 0x21, c == 0x7f, c == '\\':
			return false
		case c == '%':
			if i+2 >= len(loc) || !isHex(loc[i+1]) || !isHex(loc[i+2]) {
				return false
			}
		}
	}
	return true
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}
