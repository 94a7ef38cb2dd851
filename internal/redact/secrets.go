package redact

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// MinSecretLen is the shortest configured secret a [Redactor] removes:
// shorter ones would wreck every log line and protect nothing.
const MinSecretLen = 4

// Redactor removes configured secrets, in every form, and then
// everything [String] removes. It is immutable and so safe for
// concurrent use; the nil *Redactor removes by pattern only.
type Redactor struct {
	secrets []secretForm // longest first
}

// secretForm finds one configured secret in any of its encodings.
type secretForm struct {
	anchor string         // a part every form holds verbatim; "" if none
	re     *regexp.Regexp // every form of the secret
}

// New returns a Redactor for the given secrets (API keys, hook secret,
// signing keys, client secret, tokens). Empty secrets and secrets
// shorter than [MinSecretLen] are ignored, as are duplicates.
func New(secrets ...string) *Redactor {
	seen := map[string]bool{}
	var list []string
	for _, s := range secrets {
		if len(s) >= MinSecretLen && !seen[s] {
			seen[s] = true
			list = append(list, s)
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	r := &Redactor{}
	for _, s := range list {
		r.secrets = append(r.secrets, secretForm{anchor: anchor(s), re: regexp.MustCompile(formsPattern(s))})
	}
	return r
}

// String removes the configured secrets from s, in their raw,
// percent-encoded (once or more, either hex case) and JSON-escaped
// forms, and then everything the package-level [String] removes.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			if sec.anchor == "" || strings.Contains(s, sec.anchor) {
				s = sec.re.ReplaceAllLiteralString(s, Marker)
			}
		}
	}
	return String(s)
}

// unreserved reports whether c is never escaped by URL or JSON
// encoders, so that it stands verbatim in every form of a secret.
func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
}

// anchor returns the longest run of unreserved bytes of s, which every
// form of s holds verbatim, if it is long enough to be worth a check.
func anchor(s string) string {
	best, start := "", 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && unreserved(s[i]) {
			continue
		}
		if i-start > len(best) {
			best = s[start:i]
		}
		start = i + 1
	}
	if len(best) < 3 {
		return ""
	}
	return best
}

// formsPattern returns a regexp source matching s in every form: each
// unreserved byte verbatim, each other byte verbatim, percent-encoded
// once or more with either hex case, or JSON-escaped (\u00XX, \", \\,
// \/, \n …, with any number of backslashes for JSON inside JSON); a space
// also as "+", a non-ASCII rune also as \uXXXX.
func formsPattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if unreserved(c) {
			b.WriteString(regexp.QuoteMeta(string(c)))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		var pct strings.Builder
		for j := i; j < i+n; j++ {
			pct.WriteString(`%(?:25)*` + hexClass(s[j]))
		}
		alts := []string{regexp.QuoteMeta(s[i : i+n]), pct.String()}
		const bs = `(?:\\|%(?:25)*5[cC])` // a backslash, also percent-encoded
		if r != utf8.RuneError && r <= 0xFFFF {
			alts = append(alts, bs+`+u`+hex4Class(r))
		}
		switch c {
		case ' ':
			alts = append(alts, `\+`, `%(?:25)*2[bB]`)
		case '\n', '\r', '\t', '\b', '\f':
			alts = append(alts, bs+`+`+string("nrtbf"[strings.IndexByte("\n\r\t\b\f", c)]))
		case '"', '\\', '/':
			alts = append(alts, bs+`+(?:`+regexp.QuoteMeta(string(c))+`|`+pct.String()+`)`)
		}
		b.WriteString("(?:" + strings.Join(alts, "|") + ")")
		i += n
	}
	return b.String()
}

// hexClass returns a regexp matching c as two hex digits of either case.
func hexClass(c byte) string {
	h := fmt.Sprintf("%02x", c)
	return digitClass(h[0]) + digitClass(h[1])
}

// hex4Class returns a regexp matching r as four hex digits of either case.
func hex4Class(r rune) string {
	h := fmt.Sprintf("%04x", r)
	var b strings.Builder
	for i := 0; i < 4; i++ {
		b.WriteString(digitClass(h[i]))
	}
	return b.String()
}

// digitClass matches the lower-case hex digit d in either case.
func digitClass(d byte) string {
	if d >= 'a' {
		return "[" + string(d) + string(d-'a'+'A') + "]"
	}
	return string(d)
}
