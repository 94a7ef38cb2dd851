package rewrite

import "bytes"

// Span is a placeholder's byte range and line, for tests.
type Span struct {
	Start, End, Line int
	Ref              string
	Err              error
}

// FindPlaceholders exposes the scanner to the tests.
func FindPlaceholders(doc []byte) ([]Span, error) {
	sr, err := findPlaceholders(doc)
	if err != nil {
		return nil, err
	}
	out := make([]Span, len(sr.phs))
	for i, ph := range sr.phs {
		out[i] = Span{ph.start, ph.end, ph.line, ph.ref, ph.err}
	}
	return out, nil
}

// RewriteDoc replaces every placeholder of doc with img's markup, as a
// run does, without any source: for fuzzing.
func RewriteDoc(doc []byte, img *Image) ([]byte, error) {
	sr, err := findPlaceholders(doc)
	if err != nil {
		return nil, err
	}
	if len(sr.phs) == 0 {
		return doc, nil
	}
	return splice(doc, sr.phs, func(i int, b *bytes.Buffer) {
		render(b, &sr.phs[i], img, func(c Candidate) string { return c.URL })
	}), nil
}
