package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestEmbedSnippet(t *testing.T) {
	e := newEnv(t, envOptions{})
	q := url.Values{"ref": {e.fake.URL + fotowebtest.LandscapeAsset}, "width": {"600"}, "class": {"hero"}, "priority": {""}}
	r := e.api(http.MethodGet, "/v1/embed?"+q.Encode(), nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	html := string(r.body)
	for _, want := range []string{`<img src="` + e.ts.URL + `/i/`, `width="600"`, `height="400"`, `alt="Fishing boats in the harbour at dawn"`,
		`class="hero"`, `fetchpriority="high"`} {
		if !strings.Contains(html, want) {
			t.Errorf("snippet lacks %s:\n%s", want, html)
		}
	}

	q.Set("figure", "true")
	r = e.api(http.MethodGet, "/v1/embed?"+q.Encode(), nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(string(r.body), "<figure") || !strings.Contains(string(r.body), "Kari Nordmann") {
		t.Errorf("figure snippet: %s", r.body)
	}

	for _, tt := range []struct {
		query  string
		status int
		msg    string
	}{
		{"", http.StatusBadRequest, "ref is required"},
		{"ref=" + url.QueryEscape(fotowebtest.LandscapeAsset) + "&width=abc", http.StatusBadRequest, "width"},
		{"ref=" + url.QueryEscape(fotowebtest.LandscapeAsset) + "&width=-5", http.StatusBadRequest, "width"},
		{"ref=" + url.QueryEscape(fotowebtest.LandscapeAsset) + "&figure=maybe", http.StatusBadRequest, "figure"},
		{"ref=" + url.QueryEscape(fotowebtest.LandscapeAsset) + "&delivery=carrier-pigeon", http.StatusBadRequest, "delivery"},
		{"ref=" + url.QueryEscape(fotowebtest.LandscapeAsset) + "&decorative&alt=x", http.StatusBadRequest, "decorative"},
		{"ref=/not/an/asset", http.StatusBadRequest, "asset reference"},
		{"ref=https://evil.example/fotoweb/archives/5001-Photos/a.jpg.info", http.StatusBadRequest, "origin"},
		{"ref=" + url.QueryEscape("/fotoweb/archives/5001-Photos/nope.jpg.info"), http.StatusNotFound, "not found"},
	} {
		r := e.api(http.MethodGet, "/v1/embed?"+tt.query, nil)
		wantStatus(t, r, tt.status)
		var body struct{ Message string }
		decode(t, r, &body)
		if !strings.Contains(body.Message, tt.msg) {
			t.Errorf("%s: message %q lacks %q", tt.query, body.Message, tt.msg)
		}
	}
}

type resolveResponse struct {
	Results []struct {
		Ref, URL, Srcset, Sizes, Alt, Caption, Credit, HTML, Page, OEmbed, Error string
		Width, Height                                                            int
	}
}

func TestResolveBatch(t *testing.T) {
	e := newEnv(t, envOptions{})
	items := []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "width": 600},
		{"ref": fotowebtest.PressPortraitAsset, "width": 300, "figure": true},
		{"ref": "/fotoweb/archives/5001-Photos/missing.jpg.info"},
		{"ref": "not a reference"},
		{"ref": fotowebtest.NoCaptionAsset},
		{"ref": fotowebtest.NoCaptionAsset, "decorative": true, "delivery": "direct"},
	}
	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": items})
	wantStatus(t, r, http.StatusOK)
	var got resolveResponse
	decode(t, r, &got)
	if len(got.Results) != len(items) {
		t.Fatalf("%d results for %d items", len(got.Results), len(items))
	}
	a := got.Results[0]
	if a.Error != "" || a.Ref != fotowebtest.LandscapeAsset || !strings.HasPrefix(a.URL, e.ts.URL+"/i/") ||
		a.Width != 600 || a.Height != 400 || !strings.Contains(a.Srcset, " 600w") || a.Sizes != "(max-width: 600px) 100vw, 600px" ||
		a.Alt == "" || a.Caption == "" || !strings.HasPrefix(a.Credit, "Photo: Kari Nordmann") || !strings.HasPrefix(a.HTML, "<img ") {
		t.Errorf("landscape result: %+v", a)
	}
	if !strings.HasPrefix(a.Page, e.ts.URL+"/p/") || !strings.HasPrefix(a.OEmbed, e.ts.URL+"/oembed?") {
		t.Errorf("public asset: page %q oembed %q", a.Page, a.OEmbed)
	}
	if p := got.Results[1]; p.Error != "" || p.Page != "" || p.OEmbed != "" || !strings.HasPrefix(p.HTML, "<figure") {
		t.Errorf("press asset (not public): %+v", p)
	}
	if m := got.Results[2]; m.Error != msgNotFound || m.HTML != "" {
		t.Errorf("missing asset: %+v", m)
	}
	if b := got.Results[3]; !strings.Contains(b.Error, "asset reference") {
		t.Errorf("bad ref: %+v", b)
	}
	if n := got.Results[4]; !strings.Contains(n.Error, "alt") {
		t.Errorf("no alt text: %+v", n)
	}
	if d := got.Results[5]; d.Error != "" || !strings.Contains(d.URL, "access_token=") || !embed.OnOrigin(d.URL, e.fake.URL) {
		t.Errorf("direct delivery: %+v", d)
	}
	// The signed URL of a result works.
	wantStatus(t, e.get(strings.TrimPrefix(a.URL, e.ts.URL)), http.StatusFound)
}

func TestResolveLimits(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.MaxBatch = 3 }})
	items := make([]map[string]any, 4)
	for i := range items {
		items[i] = map[string]any{"ref": fotowebtest.LandscapeAsset}
	}
	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": items})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "the limit is 3") {
		t.Errorf("batch limit message: %s", r.body)
	}
	r = e.do(http.MethodPost, "/v1/resolve", strings.NewReader(`{"items": [`), "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusBadRequest)
	r = e.do(http.MethodPost, "/v1/resolve", strings.NewReader(``), "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusBadRequest)
	// Refused at the item limit, long before the end of the body.
	huge := `{"items": [` + strings.Repeat(`{"ref": "x"},`, 100000) + `{}]}`
	r = e.do(http.MethodPost, "/v1/resolve", strings.NewReader(huge), "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusBadRequest)
	padded := `{"items": [` + strings.Repeat(" ", maxResolveBody) + `]}`
	r = e.do(http.MethodPost, "/v1/resolve", strings.NewReader(padded), "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
}

func TestDirectRefusedInProxyMode(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "delivery": "direct"}}})
	wantStatus(t, r, http.StatusOK)
	var got resolveResponse
	decode(t, r, &got)
	if res := got.Results[0]; !strings.Contains(res.Error, "direct delivery is disabled") || strings.Contains(string(r.body), "access_token") {
		t.Errorf("direct in proxy mode: %s", r.body)
	}
}

func TestAPIKey(t *testing.T) {
	e := newEnv(t, envOptions{})
	path := "/v1/assets?q=harbour"
	for _, tt := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"bearer", []string{"Authorization", "Bearer " + testAPIKey}, http.StatusOK},
		{"bearer lower case scheme", []string{"Authorization", "bearer " + testAPIKey}, http.StatusOK},
		{"X-API-Key", []string{"X-API-Key", testAPIKey}, http.StatusOK},
		{"none", nil, http.StatusUnauthorized},
		{"wrong key", []string{"X-API-Key", testAPIKey + "x"}, http.StatusUnauthorized},
		{"prefix of the key", []string{"Authorization", "Bearer " + testAPIKey[:10]}, http.StatusUnauthorized},
		{"basic scheme", []string{"Authorization", "Basic " + testAPIKey}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(path, tt.hdr...)
			wantStatus(t, r, tt.status)
			if tt.status == http.StatusUnauthorized {
				if r.Header.Get("WWW-Authenticate") == "" || !strings.Contains(string(r.body), `"message"`) {
					t.Errorf("401 without WWW-Authenticate or JSON message: %v %s", r.Header, r.body)
				}
			}
		})
	}
	closed := newEnv(t, envOptions{configure: func(c *Config) { c.APIKeys = nil }})
	wantStatus(t, closed.get(path, "X-API-Key", testAPIKey), http.StatusUnauthorized)
}

// TestSearchAssetsFigureAlt: each hit carries figure_alt, the alt text
// its image gets in a <figure> (never the caption again), present even
// when it is "" because the caption names the image.
func TestSearchAssetsFigureAlt(t *testing.T) {
	e := newEnv(t, envOptions{})
	// moss: the title also says what the caption says; dunes: nothing.
	e.fake.SetMetadata(fotowebtest.SquareAsset, 5, "reindeer moss on the Hardangervidda plateau.")
	figureAlt := func(q, ref string) (string, bool) {
		t.Helper()
		var got struct{ Assets []map[string]any }
		r := e.api(http.MethodGet, "/v1/assets?limit=100&q="+url.QueryEscape(q), nil)
		wantStatus(t, r, http.StatusOK)
		decode(t, r, &got)
		for _, a := range got.Assets {
			if a["ref"] == ref {
				s, ok := a["figure_alt"].(string)
				return s, ok
			}
		}
		t.Fatalf("%s not found searching %q", ref, q)
		return "", false
	}
	for _, c := range []struct{ q, ref, want string }{
		{"harbour", fotowebtest.LandscapeAsset, "Harbour at dawn"}, // the description is the caption
		{"moss", fotowebtest.SquareAsset, ""},                      // so is the title
		{"dunes", fotowebtest.NoCaptionAsset, ""},                  // no texts at all
	} {
		if got, ok := figureAlt(c.q, c.ref); !ok || got != c.want {
			t.Errorf("%s: figure_alt %q (present %v), want %q", c.ref, got, ok, c.want)
		}
	}
}

func TestSearchAssets(t *testing.T) {
	e := newEnv(t, envOptions{})
	var got struct {
		Assets []struct {
			Ref, Filename, Title, Thumbnail string
			Width, Height                   int
		}
	}
	r := e.api(http.MethodGet, "/v1/assets?q=harbour&limit=5", nil)
	wantStatus(t, r, http.StatusOK)
	decode(t, r, &got)
	if len(got.Assets) == 0 || len(got.Assets) > 5 {
		t.Fatalf("%d assets for harbour (limit 5)", len(got.Assets))
	}
	var harbour bool
	for _, a := range got.Assets {
		harbour = harbour || a.Ref == fotowebtest.LandscapeAsset
		if !strings.HasPrefix(a.Thumbnail, e.ts.URL+"/i/") || a.Filename == "" || a.Width == 0 {
			t.Errorf("hit %+v", a)
		}
	}
	if !harbour {
		t.Errorf("harbour.jpg not among %+v", got.Assets)
	}
	// The thumbnail is a ~200 px preview behind a working signed URL, and
	// the search already told the resolver about the asset: no asset GET.
	th := e.get(strings.TrimPrefix(got.Assets[0].Thumbnail, e.ts.URL))
	wantStatus(t, th, http.StatusFound)
	if n := e.fake.Count(got.Assets[0].Ref); n != 0 {
		t.Errorf("%d asset requests for a thumbnail of a search hit, want 0", n)
	}

	r = e.api(http.MethodGet, "/v1/assets?archive=5002&limit=100", nil)
	wantStatus(t, r, http.StatusOK)
	got.Assets = nil
	decode(t, r, &got)
	if len(got.Assets) == 0 {
		t.Fatal("no assets in the Press archive")
	}
	for _, a := range got.Assets {
		if !strings.HasPrefix(a.Ref, fotowebtest.PressArchive) {
			t.Errorf("archive=5002 gave %s", a.Ref)
		}
		if a.Ref == fotowebtest.DocumentAsset {
			t.Errorf("a document without previews is offered: %+v", a)
		}
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x"} {
		wantStatus(t, e.api(http.MethodGet, "/v1/assets?"+q, nil), http.StatusBadRequest)
	}
	wantStatus(t, e.api(http.MethodGet, "/v1/assets?archive=9999", nil), http.StatusNotFound)
}
