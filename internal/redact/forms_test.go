package redact

import (
	"encoding/json"
	"net/url"
	"strings"
)

// jsonEscape returns s as the inside of a JSON string, with the HTML
// characters escaped (\u0026, \u003c, \u003e) as encoding/json does.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// jsonEscapeAll returns s as the inside of a JSON string with "=", "&"
// and '"' all \u-escaped, as some encoders write them.
func jsonEscapeAll(s string) string {
	r := strings.NewReplacer("=", `\u003d`, "&", `\u0026`, `"`, `\u0022`, "?", `\u003f`)
	return r.Replace(s)
}

// lowerHex turns every percent escape of s to lower-case hex.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
		}
	}
	return string(b)
}

// form is one way text carrying a secret reaches a log.
type form struct {
	name string
	enc  func(string) string
}

// forms are the encodings a secret-carrying text may arrive in: raw,
// percent-encoded once and twice (either hex case), path-escaped and
// JSON-escaped, also combined.
var forms = []form{
	{"raw", func(s string) string { return s }},
	{"query", url.QueryEscape},
	{"query-lower", func(s string) string { return lowerHex(url.QueryEscape(s)) }},
	{"query-twice", func(s string) string { return url.QueryEscape(url.QueryEscape(s)) }},
	{"query-twice-lower", func(s string) string { return lowerHex(url.QueryEscape(url.QueryEscape(s))) }},
	{"path", url.PathEscape},
	{"json", jsonEscape},
	{"json-all", jsonEscapeAll},
	{"json-in-json", func(s string) string { return jsonEscape(jsonEscape(s)) }},
	{"json-of-query", func(s string) string { return jsonEscape(url.QueryEscape(s)) }},
	{"query-of-json", func(s string) string { return url.QueryEscape(jsonEscape(s)) }},
}
