package tokens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds a token request when [Options.HTTPClient] is nil.
const DefaultTimeout = 30 * time.Second

// maxTokenBody is the largest token response the transport rewrites
// (x/oauth2 reads at most 1 MiB of it anyway).
const maxTokenBody = 1 << 20

// HTTPClient returns a copy of base (nil: a client with [DefaultTimeout])
// whose transport rewrites a decimal "expires_in" (28800.000000, as
// FotoWeb has been seen to send) in token responses to an integer, so
// that golang.org/x/oauth2 can parse them. Every other field and every
// body that is not such a token response pass through unchanged. Use it
// only for the token endpoint.
func HTTPClient(base *http.Client) *http.Client {
	c := &http.Client{Timeout: DefaultTimeout}
	if base != nil {
		cp := *base
		c = &cp
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if _, done := next.(*expiresInTransport); !done {
		c.Transport = &expiresInTransport{next: next}
	}
	return c
}

// expiresInTransport is the http.RoundTripper behind HTTPClient.
type expiresInTransport struct {
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *expiresInTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.Body == nil || req.Method == http.MethodHead {
		return resp, err
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return resp, nil // compressed by the caller's own choice; leave it alone
	}
	orig := resp.Body
	body, err := io.ReadAll(io.LimitReader(orig, maxTokenBody+1))
	if err != nil {
		orig.Close()
		return nil, fmt.Errorf("tokens: reading the token response: %w", err)
	}
	if len(body) > maxTokenBody {
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
		return resp, nil
	}
	orig.Close()
	if fixed, ok := normalizeExpiresIn(resp.Header.Get("Content-Type"), body); ok {
		body = fixed
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// normalizeExpiresIn returns body with a non-integer expires_in replaced
// by whole seconds, and whether it changed anything. Like x/oauth2, it
// reads form-encoded and text/plain bodies as a query string and
// everything else as JSON.
func normalizeExpiresIn(contentType string, body []byte) ([]byte, bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		return normalizeForm(body)
	}
	return normalizeJSON(body)
}

func normalizeJSON(body []byte) ([]byte, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body, false // not a JSON object (an HTML error page, say): untouched
	}
	raw, ok := m["expires_in"]
	if !ok {
		return body, false
	}
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		if json.Unmarshal(raw, &s) != nil {
			return body, false
		}
	}
	n, ok := wholeSeconds(s)
	if !ok {
		return body, false
	}
	m["expires_in"] = json.RawMessage(strconv.FormatInt(n, 10))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(m) != nil {
		return body, false
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), true
}

func normalizeForm(body []byte) ([]byte, bool) {
	vals, err := url.ParseQuery(string(body))
	if err != nil || !vals.Has("expires_in") {
		return body, false
	}
	n, ok := wholeSeconds(vals.Get("expires_in"))
	if !ok {
		return body, false
	}
	vals.Set("expires_in", strconv.FormatInt(n, 10))
	return []byte(vals.Encode()), true
}

// wholeSeconds parses a decimal or exponent number ("28800.000000",
// "2.88e4") and returns it rounded down to whole seconds, but at least 1
// for a positive value (x/oauth2 reads 0 as "never expires"). It reports
// false for integers (already fine) and for anything that is no number.
func wholeSeconds(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, ".eE") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	n := math.Floor(f)
	switch {
	case n > math.MaxInt32:
		n = math.MaxInt32
	case n < math.MinInt32:
		n = math.MinInt32
	case n == 0 && f > 0:
		n = 1
	}
	return int64(n), true
}
