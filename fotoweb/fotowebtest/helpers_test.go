package fotowebtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// newServer starts a fake for one test.
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// response is a read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decoding %q: %v", truncate(r.body), err)
	}
	return m
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// do sends a request; header values are set as given.
func do(t *testing.T, method, u string, header map[string]string, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// get GETs a path of s with a bearer token and an optional Accept.
func get(t *testing.T, s *Server, path, token, accept string) response {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	if accept != "" {
		h["Accept"] = accept
	}
	if !strings.HasPrefix(path, "http") {
		path = s.URL + path
	}
	return do(t, http.MethodGet, path, h, "")
}

// postToken posts a form to the token endpoint.
func postToken(t *testing.T, s *Server, form url.Values) response {
	t.Helper()
	return do(t, http.MethodPost, s.URL+"/fotoweb/oauth2/token",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}, form.Encode())
}

// asset GETs an asset's JSON.
func assetDocOf(t *testing.T, s *Server, href, token string) map[string]any {
	t.Helper()
	r := get(t, s, href, token, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", href, r.status, truncate(r.body))
	}
	return r.json(t)
}

// newClock returns a fake clock at the tests' fixed start time.
func newClock() *testutil.Clock {
	return testutil.NewClock(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC))
}

// list returns m[key] as a slice of objects.
func list(t *testing.T, m map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s is %T, want a list", key, m[key])
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// getBench GETs u and returns the status, discarding the body.
func getBench(u, token string) int {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
