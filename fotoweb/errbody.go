package fotoweb

import (
	"bytes"
	"html"
	"mime"
	"strings"
)

// Error bodies come in several forms: JSON ({message, href} from the API,
// RFC 6749 errors from the token endpoint), plain text ("Unauthorized:
// You are not authorized to access this resource") and HTML pages (the
// SaaS rendition service is a Werkzeug application whose 400, 403 and 415
// are Werkzeug's error pages; IIS and proxies answer with their own). An
// *Error keeps a short excerpt of the text; of an HTML page it keeps only
// the title (or first heading), never markup.

// errorText returns the part of an error body worth an excerpt: the
// title of an HTML page, the body itself otherwise.
func errorText(ctype string, body []byte) []byte {
	if !isHTML(ctype, body) {
		return body
	}
	for _, tag := range []string{"title", "h1", "h2", "h3"} {
		if t := elementText(body, tag); t != "" {
			return []byte(t)
		}
	}
	return nil
}

// isHTML reports an HTML answer: by its Content-Type, or, without one,
// by a body starting like a document.
func isHTML(ctype string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		return mt == "text/html" || mt == "application/xhtml+xml"
	}
	if ctype != "" {
		return false
	}
	start := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 64)]))
	return bytes.HasPrefix(start, []byte("<!doctype html")) || bytes.HasPrefix(start, []byte("<html"))
}

// elementText returns the text of the first <tag>...</tag> in an HTML
// body: inner tags dropped, entities decoded, white space collapsed. It
// is "" when there is none.
func elementText(body []byte, tag string) string {
	lower := asciiLower(body[:min(len(body), 16<<10)])
	i := bytes.Index(lower, []byte("<"+tag))
	if i < 0 {
		return ""
	}
	gt := bytes.IndexByte(lower[i:], '>')
	if gt < 0 {
		return ""
	}
	start := i + gt + 1
	end := bytes.Index(lower[start:], []byte("</"+tag))
	if end < 0 {
		return ""
	}
	inner := string(body[start : start+end])
	var b strings.Builder
	for inner != "" {
		lt := strings.IndexByte(inner, '<')
		if lt < 0 {
			b.WriteString(inner)
			break
		}
		b.WriteString(inner[:lt])
		b.WriteByte(' ')
		gt := strings.IndexByte(inner[lt:], '>')
		if gt < 0 {
			break
		}
		inner = inner[lt+gt+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// asciiLower lower-cases ASCII letters only, so offsets stay those of b.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
