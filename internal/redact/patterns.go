package redact

import (
	"regexp"
	"strings"
)

// Marker replaces every secret that redaction removes.
const Marker = "[REDACTED]"

// Building blocks of the patterns; every pattern is case-insensitive.
const (
	// pctEsc starts a percent-encoded byte, encoded once or more ("%",
	// "%25", "%2525" …); the two hex digits follow.
	pctEsc = `%(?:25)*`
	// bs is a backslash, raw or percent-encoded (JSON, then a URL).
	bs = `(?:\\|` + pctEsc + `5c)`
	// jsonEsc starts a JSON "\u00" escape, with any number of backslashes
	// (JSON inside JSON); the two hex digits follow.
	jsonEsc = bs + `+u00`
	// before is what may stand before a short name (code, key) so that it
	// is a name of its own: the start, a non-word byte or an escaped one.
	before = `(?:^|[^a-z0-9_]|` + pctEsc + `[0-9a-f]{2}|` + jsonEsc + `[0-9a-f]{2})`
	// name is a parameter or member that holds a secret. Every
	// alternative ends in one of secretNameEnds.
	name = `(?:token|secret|password|verifier|api_?key|` + before + `(?:code|key))`
	// equals is "=" in any of its forms; colon is ":"; quote is '"'
	// (also \" and \\\"); space is a blank, "+" or an encoded one.
	equals = `(?:=|` + pctEsc + `3d|` + jsonEsc + `3d)`
	colon  = `(?::|` + pctEsc + `3a|` + jsonEsc + `3a)`
	quote  = `(?:` + bs + `*(?:"|` + pctEsc + `22)|` + jsonEsc + `22)`
	space  = `(?:\s|\+|` + pctEsc + `2[0b])`
	// value is a parameter value: up to a separator, blank or quote
	// (also an escaped quote, \"). Escaped separators (%26, \u0026) do
	// not end it, so it may take more than the secret, never less.
	value = `(?:[^&\s"'<>\\]|\\[^"\\])*`
)

// patterns catch secrets by their shape; see doc.go.
var patterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// access_token=…, code%3D…, client_secret\u003d…, token="…".
	{regexp.MustCompile(`(?i)(` + name + equals + quote + `?)` + value), "${1}" + Marker},
	// JSON members: "access_token": "…", \"code\":\"…\", %22token%22%3A%22…
	{regexp.MustCompile(`(?i)(` + name + quote + space + `*` + colon + space + `*` + quote + `)` + value), "${1}" + Marker},
	// Authorization header values: Bearer …, Basic …, FWAPIToken: ….
	{regexp.MustCompile(`(?i)(` + before + `(?:bearer|basic|fwapitoken(?::|` + pctEsc + `3a)?)` + space + `+)[a-z0-9._~+/=%-]+`), "${1}" + Marker},
	// Anything that looks like a JWT (base64url parts, the first "eyJ").
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?`), Marker},
	// Long opaque base64url blobs in three dot-separated parts.
	{regexp.MustCompile(`[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{8,}`), Marker},
}

// String removes every token-like secret from s by pattern: parameter
// and JSON member values of secret names, Authorization header values
// and JWT-looking strings, in their raw, percent-encoded and
// JSON-escaped forms. Text that holds none is returned unchanged.
func String(s string) string {
	if !mayHoldSecret(s) {
		return s // the common case, such as a signed image path: no regexp work
	}
	for _, p := range patterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// secretNameEnds are the endings of every name the first two patterns
// know, ASCII lower case.
var secretNameEnds = []string{"token", "secret", "password", "verifier", "key", "code"}

// Byte classes of mayHoldSecret, one table lookup a byte.
const (
	clsB64   = 1 << iota // in the base64url alphabet
	clsSep               // '=', '"', '%' or '\': may follow a secret name
	clsStart             // 'e', 'b', 'f' in either case: may start "eyJ", "bearer", "basic", "fwapitoken"
	clsHigh              // not ASCII
	clsDot               // '.'
)

// byteClass holds the classes of every byte.
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if isB64URL(b) {
			t[c] |= clsB64
		}
		switch b {
		case '=', '"', '%', '\\':
			t[c] |= clsSep
		case 'e', 'E', 'b', 'B', 'f', 'F':
			t[c] |= clsStart
		case '.':
			t[c] |= clsDot
		}
		if b >= 0x80 {
			t[c] |= clsHigh
		}
	}
	return t
}()

// mayHoldSecret reports whether any of patterns could match s. It is
// false only when s has none of what each pattern needs: one of
// secretNameEnds right before "=", '"', '%' or '\' (the first two, whose
// separators and quotes all start with one of these); "bearer", "basic"
// or "fwapitoken" before a blank, "+" or "%" (or its ":") (the third);
// "eyJ" with a dot after its base64url run (the fourth); a dot between
// runs of 16 base64url bytes (the fifth). Any non-ASCII byte gives true,
// since case-insensitive patterns also match Unicode case folds such as
// "ſ" for "s" or "K" (Kelvin) for "k". It reads each byte once or twice
// (see jwtEnd) and allocates nothing: it runs on every logged request URI.
func mayHoldSecret(s string) bool {
	run := 0     // base64url bytes right before i
	dotRun := -1 // when >= 0: a dot after 16 of them, and run bytes since
	jwtEnd := 0  // the end of the base64url run last scanned for "eyJ…."
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := byteClass[c]
		if k&(clsSep|clsStart|clsHigh) != 0 {
			switch {
			case k&clsHigh != 0:
				return true
			case k&clsSep != 0:
				if secretName(s[:i]) {
					return true
				}
			case c == 'e':
				if i >= jwtEnd && strings.HasPrefix(s[i:], "eyJ") {
					// A JWT needs a dot after the run; a later "eyJ" in
					// the same run ends at the same place.
					j := i + 3
					for j < len(s) && byteClass[s[j]]&clsB64 != 0 {
						j++
					}
					if j < len(s) && s[j] == '.' {
						return true
					}
					jwtEnd = j
				}
			case c|0x20 == 'b':
				if hasPrefixFold(s[i:], "bearer") && blankAt(s, i+6, false) || hasPrefixFold(s[i:], "basic") && blankAt(s, i+5, false) {
					return true
				}
			case c|0x20 == 'f':
				if hasPrefixFold(s[i:], "fwapitoken") && blankAt(s, i+10, true) {
					return true
				}
			}
		}
		switch {
		case k&clsB64 != 0:
			run++
			if dotRun >= 0 && run >= 16 {
				return true // 16+ "." 16+: the fifth pattern needs a third part, close enough
			}
		case k&clsDot != 0 && run >= 16:
			dotRun, run = 0, 0
		default:
			dotRun, run = -1, 0
		}
	}
	return false
}

// blankAt reports whether s[i] may start what the third pattern needs
// after a scheme name: a blank, "+" or a percent-encoded one; after
// "fwapitoken" (colon set) also its colon.
func blankAt(s string, i int, colon bool) bool {
	if i >= len(s) {
		return false
	}
	switch s[i] {
	case ' ', '\t', '\n', '\f', '\r', '+', '%':
		return true
	case ':':
		return colon
	}
	return false
}

// isB64URL reports whether c is in the base64url alphabet.
func isB64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

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
