package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiKeyHeader is the alternative to "Authorization: Bearer <key>".
const apiKeyHeader = "X-API-Key"

// digest returns the SHA-256 of s. Secrets are compared as digests, so
// that the comparison takes the same time whatever their lengths.
func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// hashKeys returns the digests of the API keys.
func hashKeys(keys []string) [][32]byte {
	out := make([][32]byte, len(keys))
	for i, k := range keys {
		out[i] = digest(k)
	}
	return out
}

// equalDigest compares two digests in constant time.
func equalDigest(a, b [32]byte) bool {
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// requireKey lets a request through only with a configured API key in
// "Authorization: Bearer <key>" or "X-API-Key: <key>"; otherwise 401
// with WWW-Authenticate, or 403 for what looks like a picker token
// (picker tokens never open these routes). Every configured key is
// compared, whether or not an earlier one matched.
func (s *Server) requireKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, ok := presentedKey(c.Request())
		if ok && s.validKey(key) {
			return next(c)
		}
		if ok && looksLikePickerToken(key) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fotoembed", error="insufficient_scope"`)
			return errorf(http.StatusForbidden, "a picker token is accepted only by the picker's routes "+
				"(GET /v1/assets, GET /v1/archives, POST /v1/resolve); this route needs the API key")
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fotoembed"`)
		if !ok {
			return errorf(http.StatusUnauthorized, "an API key is required (Authorization: Bearer <key> or X-API-Key)")
		}
		return errorf(http.StatusUnauthorized, "invalid API key")
	}
}

// presentedKey returns the key the request carries, if any.
func presentedKey(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, key, found := strings.Cut(strings.TrimSpace(h), " ")
		if found && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(key) != "" {
			return strings.TrimSpace(key), true
		}
	}
	if k := strings.TrimSpace(r.Header.Get(apiKeyHeader)); k != "" {
		return k, true
	}
	return "", false
}

// validKey compares key against every configured key in constant time.
func (s *Server) validKey(key string) bool {
	d := digest(key)
	match := 0
	for _, k := range s.keys {
		match |= subtle.ConstantTimeCompare(d[:], k[:])
	}
	return match == 1
}
