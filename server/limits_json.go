package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Bounds of a decoded request body beyond its size (maxResolveBody,
// maxHookBody) and its items (Config.MaxBatch): a body is refused (400)
// as soon as it passes one, before any more of it is decoded.
const (
	// maxJSONDepth bounds the nesting of objects and arrays.
	maxJSONDepth = 32
	// maxJSONString bounds one JSON string (key or value) in bytes as
	// sent, escapes included.
	maxJSONString = 64 << 10
	// maxFormPairs bounds the fields of a form-encoded webhook body.
	maxFormPairs = 1000
)

// jsonLimitError is a body refused by a jsonGuard or parseFormValue.
type jsonLimitError struct{ msg string }

func (e *jsonLimitError) Error() string { return e.msg }

// jsonGuard passes JSON text through, failing the read that nests deeper
// than maxJSONDepth or makes a string longer than maxJSONString. It
// follows only strings and brackets, keeping no buffer; the decoder
// reading from it checks the rest.
type jsonGuard struct {
	r        io.Reader
	depth    int
	strLen   int // bytes of the current string so far
	inString bool
	escaped  bool
	err      error
}

// Read implements io.Reader.
func (g *jsonGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if g.inString {
			g.strLen++
			switch {
			case g.escaped:
				g.escaped = false
			case c == '\\':
				g.escaped = true
			case c == '"':
				g.inString = false
			}
			if g.strLen > maxJSONString {
				g.err = &jsonLimitError{fmt.Sprintf("a string in the request body is longer than %d bytes", maxJSONString)}
				return i, g.err
			}
			continue
		}
		switch c {
		case '"':
			g.inString, g.strLen = true, 0
		case '{', '[':
			if g.depth++; g.depth > maxJSONDepth {
				g.err = &jsonLimitError{fmt.Sprintf("the request body nests deeper than %d levels", maxJSONDepth)}
				return i, g.err
			}
		case '}', ']':
			g.depth-- // unbalanced text is the decoder's to refuse
		}
	}
	return n, err
}

// decodeList decodes body, a JSON object (or null) whose member name (in
// any case, as encoding/json matches) is an array of at most max items,
// calling add for each item in turn; other members are skipped. It is
// refused with a 400 naming the limit when item max+1 starts, before
// that item is decoded, so a long list costs no more than max items.
// Nesting and strings are bounded by a jsonGuard. The rest of body is
// then read (see deadlineBody); text after the object is ignored, as
// json.Decoder.Decode ignores it.
func decodeList[T any](body io.Reader, name string, max int, add func(T)) error {
	dec := json.NewDecoder(&jsonGuard{r: body})
	tok, err := dec.Token()
	if err != nil {
		return jsonBodyError(err)
	}
	if tok != nil {
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return badRequest("the request body must be a JSON object: {%q: [...]}", name)
		}
		seen := false
		for dec.More() {
			if tok, err = dec.Token(); err != nil {
				return jsonBodyError(err)
			}
			if key, _ := tok.(string); !strings.EqualFold(key, name) {
				var skip json.RawMessage // at most the body's size
				if err := dec.Decode(&skip); err != nil {
					return jsonBodyError(err)
				}
				continue
			}
			if seen {
				return badRequest("%q appears more than once in the request body", name)
			}
			seen = true
			if err := decodeItems(dec, name, max, add); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing brace
			return jsonBodyError(err)
		}
	}
	_, _ = io.Copy(io.Discard, body) // bounded by http.MaxBytesReader and the body's deadline
	return nil
}

// decodeItems decodes the array (or null) of decodeList's member.
func decodeItems[T any](dec *json.Decoder, name string, max int, add func(T)) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonBodyError(err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return badRequest("%s must be an array", name)
	}
	for n := 0; dec.More(); n++ {
		if n == max {
			return badRequest("too many %s: more than %d (the limit is %d per request)", name, max, max)
		}
		var it T
		if err := dec.Decode(&it); err != nil {
			return jsonBodyError(err)
		}
		add(it)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return jsonBodyError(err)
	}
	return nil
}

// formValue returns the first value of key in a form-encoded body (as
// url.Values.Get after url.ParseQuery) without building the map of every
// field; a body of more than maxFormPairs fields is refused.
func formValue(body, key string) (string, error) {
	for n := 0; body != ""; n++ {
		if n == maxFormPairs {
			return "", &jsonLimitError{fmt.Sprintf("the form has more than %d fields", maxFormPairs)}
		}
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if strings.Contains(pair, ";") {
			return "", fmt.Errorf("invalid semicolon separator in form")
		}
		k, v, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); err != nil {
			return "", err
		} else if k != key {
			continue
		}
		return url.QueryUnescape(v)
	}
	return "", nil
}
