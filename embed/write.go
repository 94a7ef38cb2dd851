package embed

import (
	"strconv"
	"strings"
)

// writer builds HTML. Every text and attribute value goes through
// escape; only constant markup is written raw.
type writer struct {
	strings.Builder
}

// htmlSpecial marks the bytes escape replaces.
var htmlSpecial = [256]bool{'&': true, '<': true, '>': true, '"': true, '\'': true}

// escape writes s with &, <, >, " and ' replaced by character references,
// the same replacements as html.EscapeString, without allocating.
func (w *writer) escape(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if !htmlSpecial[s[i]] {
			continue
		}
		var r string
		switch s[i] {
		case '&':
			r = "&amp;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		case '"':
			r = "&#34;"
		default:
			r = "&#39;"
		}
		w.WriteString(s[last:i])
		w.WriteString(r)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// escapedLen returns an upper bound of the length of s once escaped.
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if htmlSpecial[s[i]] {
			n += 4
		}
	}
	return n
}

// attr writes ` name="value"` with value escaped. name must be a constant
// or a validated attribute name.
func (w *writer) attr(name, value string) {
	w.WriteByte(' ')
	w.WriteString(name)
	w.WriteString(`="`)
	w.escape(value)
	w.WriteByte('"')
}

// attrIf writes the attribute when value is not empty.
func (w *writer) attrIf(name, value string) {
	if value != "" {
		w.attr(name, value)
	}
}

// attrInt writes ` name="n"`.
func (w *writer) attrInt(name string, n int) {
	w.WriteByte(' ')
	w.WriteString(name)
	w.WriteString(`="`)
	w.int(n)
	w.WriteByte('"')
}

// attrIntIf writes ` name="n"` when n is above 0.
func (w *writer) attrIntIf(name string, n int) {
	if n > 0 {
		w.attrInt(name, n)
	}
}

// int writes n in decimal.
func (w *writer) int(n int) {
	var buf [20]byte
	w.Write(strconv.AppendInt(buf[:0], int64(n), 10))
}

// url writes a URL into an attribute value, escaped; see spaceless.
func (w *writer) url(s string) {
	w.escape(spaceless(s))
}

// spaceless returns s with ASCII white space (never valid in a URL, and a
// separator in srcset) percent-encoded.
func spaceless(s string) string {
	if !hasSpace(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\f', '\r':
			b.WriteByte('%')
			b.WriteString(strconv.FormatUint(uint64(c)|0x100, 16)[1:])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// asciiSpace marks ASCII white space as HTML defines it.
var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\f': true, '\r': true}

// hasSpace reports whether s contains ASCII white space.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if asciiSpace[s[i]] {
			return true
		}
	}
	return false
}

// attrSafe reports whether s can be written into an attribute value as it
// is: no byte escape would replace and no white space.
func attrSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if htmlSpecial[s[i]] || asciiSpace[s[i]] {
			return false
		}
	}
	return true
}
