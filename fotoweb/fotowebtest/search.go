package fotowebtest

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// A search expression is parsed into a tree of nodes:
//
//	expr    = and { ("OR" | "|") and }
//	and     = not { ["AND"] not }        (juxtaposition is AND)
//	not     = "NOT" not | primary
//	primary = "(" expr ")" | term
//	term    = [field ":"] (word | "quoted words")
//
// AND, OR and NOT are operators only in upper case. A field is a metadata
// field number (5, 25, 120, ...) or a predicate (fn, dn, fp, dt, o, pw, ph,
// fs, mt, mtf, mtt). Matching is case-insensitive; without wildcards a
// term matches values that contain it, with * or ? it must match a whole
// value (fn:*.jpg). Free text searches the file name and the fields in
// freeTextFields.
type node interface {
	match(a *asset) bool
	query() string    // FotoWeb's searchQuery form
	internal() string // FotoWeb's _searchString (Index Manager) form
}

var freeTextFields = []int{5, 25, 80, 90, 105, 110, 115, 116, 120}

type (
	andNode  struct{ l, r node }
	orNode   struct{ l, r node }
	notNode  struct{ n node }
	termNode struct {
		field  string // "" = free text
		value  string
		quoted bool
	}
)

func (n andNode) match(a *asset) bool { return n.l.match(a) && n.r.match(a) }
func (n orNode) match(a *asset) bool  { return n.l.match(a) || n.r.match(a) }
func (n notNode) match(a *asset) bool { return !n.n.match(a) }
func (n andNode) query() string       { return "(" + n.l.query() + ") AND (" + n.r.query() + ")" }
func (n orNode) query() string        { return "(" + n.l.query() + ") OR (" + n.r.query() + ")" }
func (n notNode) query() string       { return "NOT (" + n.n.query() + ")" }
func (n andNode) internal() string    { return "(" + n.l.internal() + " AND " + n.r.internal() + ")" }
func (n orNode) internal() string     { return "(" + n.l.internal() + " OR " + n.r.internal() + ")" }
func (n notNode) internal() string    { return "NOT " + n.n.internal() }

func (t termNode) query() string {
	if t.field == "" {
		return `"` + t.value + `"`
	}
	return t.field + `:"` + t.value + `"`
}

func (t termNode) internal() string {
	name := map[string]string{"": "FQYTXT", "fn": "FQYFN", "dn": "FQYDN", "fp": "FQYFP", "dt": "FQYDT"}[t.field]
	if name == "" {
		name = "IPTC" + strings.Repeat("0", max(0, 3-len(t.field))) + t.field
	}
	return name + " contains (" + t.value + ")"
}

// token kinds.
const (
	tTerm = iota
	tLParen
	tRParen
	tAnd
	tOr
	tNot
)

type token struct {
	kind int
	text string
}

// tokenize splits a search expression. Parentheses and | end a word; a
// double quote starts a quoted part that may hold spaces.
func tokenize(s string) []token {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(':
			out = append(out, token{tLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")"})
			i++
		case c == '|':
			out = append(out, token{tOr, "|"})
			i++
		default:
			start := i
			for i < len(rs) && !unicode.IsSpace(rs[i]) && !strings.ContainsRune("()|", rs[i]) {
				if rs[i] == '"' {
					for i++; i < len(rs) && rs[i] != '"'; i++ {
					}
				}
				i++
			}
			w := string(rs[start:min(i, len(rs))])
			switch w {
			case "AND":
				out = append(out, token{tAnd, w})
			case "OR":
				out = append(out, token{tOr, w})
			case "NOT":
				out = append(out, token{tNot, w})
			default:
				out = append(out, token{tTerm, w})
			}
		}
	}
	return out
}

type parser struct {
	toks []token
	pos  int
}

var errSyntax = errors.New("invalid search expression")

// parseSearch parses a search expression; an empty one is nil (no filter).
func parseSearch(s string) (node, error) {
	p := &parser{toks: tokenize(s)}
	if len(p.toks) == 0 {
		return nil, nil
	}
	n, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("%w: unexpected %q", errSyntax, p.toks[p.pos].text)
	}
	return n, err
}

func (p *parser) peek() int {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return -1
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.peek() == tOr {
		p.pos++
		var r node
		if r, err = p.and(); err == nil {
			l = orNode{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (node, error) {
	l, err := p.not()
	for err == nil {
		switch p.peek() {
		case tAnd:
			p.pos++
		case tTerm, tNot, tLParen:
		default:
			return l, nil
		}
		var r node
		if r, err = p.not(); err == nil {
			l = andNode{l, r}
		}
	}
	return l, err
}

func (p *parser) not() (node, error) {
	if p.peek() == tNot {
		p.pos++
		n, err := p.not()
		return notNode{n}, err
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	switch p.peek() {
	case tLParen:
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != tRParen {
			return nil, fmt.Errorf("%w: missing )", errSyntax)
		}
		p.pos++
		return n, nil
	case tTerm:
		t := p.toks[p.pos]
		p.pos++
		return parseTerm(t.text), nil
	case -1:
		return nil, fmt.Errorf("%w: unexpected end", errSyntax)
	}
	return nil, fmt.Errorf("%w: unexpected %q", errSyntax, p.toks[p.pos].text)
}

// parseTerm splits field:value and removes quotes.
func parseTerm(w string) termNode {
	var t termNode
	if i := strings.IndexByte(w, ':'); i > 0 && !strings.Contains(w[:i], `"`) && isFieldName(w[:i]) {
		t.field, w = strings.ToLower(w[:i]), w[i+1:]
	}
	if strings.HasPrefix(w, `"`) {
		t.quoted = true
		w = strings.TrimSuffix(w[1:], `"`)
	}
	t.value = w
	return t
}

func isFieldName(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
