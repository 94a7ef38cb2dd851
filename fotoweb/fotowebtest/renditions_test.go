package fotowebtest

import (
	"bytes"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requestRendition POSTs a rendition request and returns the response.
func requestRendition(t *testing.T, s *Server, token, href string) response {
	t.Helper()
	return do(t, http.MethodPost, s.URL+"/fotoweb/services/renditions", map[string]string{
		"Authorization": "Bearer " + token, "Content-Type": mtRenditionReq, "Accept": mtRenditionResp,
	}, `{"href":"`+href+`"}`)
}

func TestRenditionFlow(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now})
	tok := s.ServiceToken()
	tests := []struct {
		href    string
		want    dim // decoded size; zero for non-images
		prefix  string
		pending int
	}{
		{SmallAsset + "/__renditions/ORIGINAL", dim{640, 480}, "\xff\xd8", 1},
		{TinyAsset + "/__renditions/ORIGINAL", dim{150, 100}, "\x89PNG", 1},
		{PanoramaAsset + "/__renditions/" + jpg1024Profile, dim{1024, 256}, "\xff\xd8", 1},
		{LandscapeAsset + "/__renditions/ORIGINAL", dim{3000, 2000}, "\xff\xd8", 1}, // capped at 3000
		{DocumentAsset + "/__renditions/ORIGINAL", dim{}, "%PDF", 1},
		{s.URL + SmallAsset + "/__renditions/ORIGINAL", dim{640, 480}, "\xff\xd8", 1}, // absolute href
	}
	for _, tt := range tests {
		r := requestRendition(t, s, tok, tt.href)
		if r.status != http.StatusAccepted || r.header.Get("Content-Type") != mtRenditionResp {
			t.Fatalf("%s: %d %q %s", tt.href, r.status, r.header.Get("Content-Type"), r.body)
		}
		href := r.json(t)["href"].(string)
		if !strings.HasPrefix(href, "/fotoweb/me/background-tasks/") || r.header.Get("Location") != s.URL+href {
			t.Fatalf("href %s, Location %s", href, r.header.Get("Location"))
		}
		for i := 0; i < tt.pending; i++ {
			if p := get(t, s, href, tok, ""); p.status != http.StatusAccepted {
				t.Fatalf("poll %d: %d", i, p.status)
			}
		}
		p := get(t, s, href, tok, "")
		if p.status != 200 || p.header.Get("Content-Type") != "application/octet-stream" ||
			p.header.Get("Content-Disposition") != "attachment" || p.header.Get("Content-Length") == "" {
			t.Fatalf("%s: %d %v", href, p.status, p.header)
		}
		if !bytes.HasPrefix(p.body, []byte(tt.prefix)) {
			t.Errorf("%s: body starts %q", href, p.body[:4])
		}
		if tt.want != (dim{}) {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(p.body))
			if err != nil || (dim{cfg.Width, cfg.Height}) != tt.want {
				t.Errorf("%s: %dx%d (%v), want %v", href, cfg.Width, cfg.Height, err, tt.want)
			}
		}
		if p := get(t, s, href, s.UserToken(), ""); p.status != 404 {
			t.Errorf("another user's task: %d", p.status)
		}
		c.Advance(10 * time.Minute)
		if p := get(t, s, href, tok, ""); p.status != http.StatusGone {
			t.Errorf("after the TTL: %d", p.status)
		}
	}
}

func TestRenditionPendingOption(t *testing.T) {
	for _, tt := range []struct{ pending, want202 int }{{-1, 0}, {0, 1}, {3, 3}} {
		s := newServer(t, Options{RenditionPending: tt.pending})
		tok := s.ServiceToken()
		href := requestRendition(t, s, tok, SmallAsset+"/__renditions/ORIGINAL").json(t)["href"].(string)
		n := 0
		for ; n < 10; n++ {
			if get(t, s, href, tok, "").status != 202 {
				break
			}
		}
		if n != tt.want202 {
			t.Errorf("RenditionPending %d: %d answers 202, want %d", tt.pending, n, tt.want202)
		}
	}
	s := newServer(t, Options{RenditionRequestStatus: 200})
	if r := requestRendition(t, s, s.ServiceToken(), SmallAsset+"/__renditions/ORIGINAL"); r.status != 200 {
		t.Errorf("RenditionRequestStatus: %d", r.status)
	}
}

func TestRenditionErrors(t *testing.T) {
	for _, style := range []RenditionErrorStyle{RenditionErrorsWerkzeug, RenditionErrorsJSON} {
		testRenditionErrors(t, style)
	}
}

// werkzeugReasons are the upper-case reason phrases Werkzeug sends.
var werkzeugReasons = map[int]string{400: "400 BAD REQUEST", 403: "403 FORBIDDEN", 404: "404 NOT FOUND", 415: "415 UNSUPPORTED MEDIA TYPE"}

func testRenditionErrors(t *testing.T, style RenditionErrorStyle) {
	s := newServer(t, Options{RenditionErrors: style})
	werkzeug := style == RenditionErrorsWerkzeug
	tok := s.ServiceToken()
	svc := s.URL + "/fotoweb/services/renditions"
	noAuth := 401
	if werkzeug {
		noAuth = 403 // the rendition service answers 403 without a token in the header
	}
	tests := []struct {
		name   string
		method string
		header map[string]string
		body   string
		status int
	}{
		{"wrong content type", "POST", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"},
			`{"href":"` + SmallAsset + `/__renditions/ORIGINAL"}`, 415},
		{"no token", "POST", map[string]string{"Content-Type": mtRenditionReq}, `{"href":"x"}`, noAuth},
		{"misspelt header", "POST", map[string]string{"Authentication": "Bearer " + tok, "Content-Type": mtRenditionReq}, `{"href":"x"}`, noAuth},
		{"GET", "GET", map[string]string{"Authorization": "Bearer " + tok}, "", 404},
		{"malformed", "POST", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": mtRenditionReq}, `{`, 400},
		{"unknown asset", "POST", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": mtRenditionReq},
			`{"href":"/fotoweb/archives/5001-Photos/nope.jpg.info/__renditions/ORIGINAL"}`, 404},
		{"unknown profile", "POST", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": mtRenditionReq},
			`{"href":"` + SmallAsset + `/__renditions/0000"}`, 404},
		{"hidden from the user", "POST", map[string]string{"Authorization": "Bearer " + s.UserToken(), "Content-Type": mtRenditionReq},
			`{"href":"` + HiddenAsset + `/__renditions/ORIGINAL"}`, 404},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, svc, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("style %d, %s: %d, want %d (%s)", style, tt.name, resp.StatusCode, tt.status, body)
			continue
		}
		ctype := resp.Header.Get("Content-Type")
		switch {
		case werkzeug && (resp.Status != werkzeugReasons[tt.status] || ctype != "text/html; charset=utf-8" ||
			!strings.HasPrefix(string(body), "<!doctype html>\n<html lang=en>\n<title>"+strconv.Itoa(tt.status)+" "+http.StatusText(tt.status)+"</title>")):
			t.Errorf("%s: %q %q %s, want a Werkzeug page", tt.name, resp.Status, ctype, body)
		case !werkzeug && !strings.HasPrefix(ctype, "application/json") && !strings.HasPrefix(ctype, "text/plain"):
			t.Errorf("%s: %q %s, want JSON or text", tt.name, ctype, body)
		}
	}
	if werkzeug {
		// A token in the query does not count: only the header does.
		r := do(t, http.MethodPost, svc+"?access_token="+tok, map[string]string{"Content-Type": mtRenditionReq},
			`{"href":"`+SmallAsset+`/__renditions/ORIGINAL"}`)
		if r.status != 403 {
			t.Errorf("query token: %d, want 403", r.status)
		}
		if !strings.Contains(werkzeugBody(t, s), "You don&#39;t have the permission") {
			t.Error("403 page lacks Werkzeug's wording")
		}
	}
	r := do(t, http.MethodOptions, svc, nil, "")
	if r.status != 200 || r.header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("OPTIONS: %d %q", r.status, r.header.Get("Allow"))
	}
	if r := get(t, s, SmallAsset+"/__renditions/ORIGINAL", tok, ""); r.status != 404 {
		t.Errorf("GET of a rendition href: %d", r.status)
	}
	if r := get(t, s, "/fotoweb/me/background-tasks/nope/0/x.jpg", tok, ""); r.status != 404 {
		t.Errorf("unknown task: %d", r.status)
	}
}

// werkzeugBody returns the body of a 403 from the rendition service.
func werkzeugBody(t *testing.T, s *Server) string {
	t.Helper()
	r := do(t, http.MethodPost, s.URL+"/fotoweb/services/renditions", map[string]string{"Content-Type": mtRenditionReq}, `{}`)
	return string(r.body)
}

// TestRenditionResponseAsRecorded: the 202 carries the recorded headers
// (Vary: User-Agent, Accept; no Cache-Control) and Python's spacing.
func TestRenditionResponseAsRecorded(t *testing.T) {
	s := newServer(t, Options{})
	r := requestRendition(t, s, s.ServiceToken(), SmallAsset+"/__renditions/ORIGINAL")
	if r.status != 202 || r.header.Get("Vary") != "User-Agent, Accept" || r.header.Get("Cache-Control") != "" ||
		!strings.HasPrefix(string(r.body), `{"href": "/fotoweb/me/background-tasks/`) {
		t.Errorf("%d %v %s", r.status, r.header, r.body)
	}
}
