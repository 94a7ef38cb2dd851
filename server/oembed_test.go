package server

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

type oembedJSON struct {
	Version, Type, URL, Title string
	AuthorName                string `json:"author_name"`
	ProviderName              string `json:"provider_name"`
	ProviderURL               string `json:"provider_url"`
	CacheAge                  int64  `json:"cache_age"`
	Width, Height             int
}

func TestOEmbed(t *testing.T) {
	e := newEnv(t, envOptions{})
	page := e.srv.pageURL(fotowebtest.LandscapeAsset)
	get := func(params url.Values) response {
		return e.get("/oembed?" + params.Encode())
	}
	r := get(url.Values{"url": {page}})
	wantStatus(t, r, http.StatusOK)
	var o oembedJSON
	decode(t, r, &o)
	if o.Version != "1.0" || o.Type != "photo" || !strings.HasPrefix(o.URL, e.ts.URL+"/i/") ||
		o.Width != 1200 || o.Height != 800 || o.Title != "Harbour at dawn" || o.AuthorName != "Kari Nordmann" ||
		o.ProviderName != "fotoembed" || o.ProviderURL != e.ts.URL+"/" || o.CacheAge != 3600 {
		t.Errorf("oEmbed %+v", o)
	}
	wantStatus(t, e.get(strings.TrimPrefix(o.URL, e.ts.URL)), http.StatusFound)

	sizes := []struct {
		maxW, maxH   string
		wantW, wantH int
	}{
		{"500", "", 400, 267},
		{"1000", "300", 400, 267},
		{"2000", "2000", 1600, 1067},
		{"100", "", 200, 133}, // smaller than every preview: the smallest, with its true size
	}
	for _, s := range sizes {
		r := get(url.Values{"url": {page}, "maxwidth": {s.maxW}, "maxheight": {s.maxH}, "format": {"json"}})
		wantStatus(t, r, http.StatusOK)
		var o oembedJSON
		decode(t, r, &o)
		if o.Width != s.wantW || o.Height != s.wantH {
			t.Errorf("maxwidth %s maxheight %s: %dx%d, want %dx%d", s.maxW, s.maxH, o.Width, o.Height, s.wantW, s.wantH)
		}
		// The oEmbed specification: width and height are those of the
		// image at url.
		if w, h := e.imageSizeAt(o.URL); w != o.Width || h != o.Height {
			t.Errorf("maxwidth %s: oEmbed says %dx%d, the image at its url is %dx%d", s.maxW, o.Width, o.Height, w, h)
		}
	}

	// A FotoWeb asset URL on the origin is accepted too.
	wantStatus(t, get(url.Values{"url": {e.fake.URL + fotowebtest.PortraitAsset}}), http.StatusOK)

	for _, tt := range []struct {
		name   string
		params url.Values
		status int
	}{
		{"xml", url.Values{"url": {page}, "format": {"xml"}}, http.StatusNotImplemented},
		{"no url", url.Values{}, http.StatusBadRequest},
		{"bad maxwidth", url.Values{"url": {page}, "maxwidth": {"-1"}}, http.StatusBadRequest},
		{"unknown site", url.Values{"url": {"https://example.com/p/abc"}}, http.StatusNotFound},
		{"bad page segment", url.Values{"url": {e.ts.URL + "/p/!!"}}, http.StatusNotFound},
		{"not an asset", url.Values{"url": {e.ts.URL + "/p/" + urlsig.EncodeAsset("/etc/passwd")}}, http.StatusNotFound},
		{"private archive", url.Values{"url": {e.srv.pageURL(fotowebtest.PressPortraitAsset)}}, http.StatusUnauthorized},
		{"missing asset", url.Values{"url": {e.srv.pageURL("/fotoweb/archives/5001-Photos/gone.jpg.info")}}, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) { wantStatus(t, get(tt.params), tt.status) })
	}
}

func TestAssetPage(t *testing.T) {
	e := newEnv(t, envOptions{})
	page := e.srv.pageURL(fotowebtest.ScriptAsset)
	r := e.get(strings.TrimPrefix(page, e.ts.URL))
	wantStatus(t, r, http.StatusOK)
	html := string(r.body)
	oembed := strings.ReplaceAll(e.srv.oembedURL(page), "&", "&amp;")
	for _, want := range []string{`<link rel="alternate" type="application/json+oembed" href="` + oembed + `"`,
		`<figure`, `/i/`, `&lt;script&gt;`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Errorf("page does not escape the caption:\n%s", html)
	}
	if r.Header.Get("Content-Security-Policy") == "" {
		t.Error("page without CSP")
	}
	// The discovery link leads to a working oEmbed answer.
	wantStatus(t, e.get(strings.TrimPrefix(e.srv.oembedURL(page), e.ts.URL)), http.StatusOK)
	// An asset without title or caption still gets a page (file name as alt).
	wantStatus(t, e.get(strings.TrimPrefix(e.srv.pageURL(fotowebtest.NoCaptionAsset), e.ts.URL)), http.StatusOK)

	for _, p := range []string{
		e.srv.pageURL(fotowebtest.PressPortraitAsset), // not public
		e.srv.pageURL(fotowebtest.HiddenAsset),
		e.ts.URL + "/p/" + urlsig.EncodeAsset("/fotoweb/archives/5001-Photos/gone.jpg.info"),
		e.ts.URL + "/p/a%2Fb",
		e.ts.URL + "/p/YWJj=",
	} {
		r := e.get(strings.TrimPrefix(p, e.ts.URL))
		wantStatus(t, r, http.StatusNotFound)
	}
}

func TestFitPreview(t *testing.T) {
	in := &embed.Info{Href: "/a.info", Doctype: "image", Width: 3000, Height: 2000, Previews: []embed.Preview{
		{Size: 200, Width: 200, Height: 133, Href: "/p200"}, {Size: 800, Width: 800, Height: 533, Href: "/p800"},
		{Size: 1600, Width: 1600, Height: 1067, Href: "/p1600"}, {Size: 400, Width: 400, Height: 400, Href: "/sq", Square: true},
	}}
	for _, tt := range []struct{ maxW, maxH, wantW, wantH int }{
		{1200, 0, 800, 533}, {1600, 1067, 1600, 1067}, {1600, 1000, 800, 533}, {150, 0, 200, 133}, {200, 50, 200, 133},
	} {
		i, w, h, err := fitPreview(in, tt.maxW, tt.maxH)
		if err != nil || w != tt.wantW || h != tt.wantH || in.Previews[i].Square {
			t.Errorf("fit %dx%d: preview %d %dx%d %v, want %dx%d", tt.maxW, tt.maxH, i, w, h, err, tt.wantW, tt.wantH)
		}
	}
}

// imageSizeAt follows a signed URL of the service to the file it means
// and returns the file's pixel size.
func (e *env) imageSizeAt(u string) (int, int) {
	e.t.Helper()
	r := e.get(strings.TrimPrefix(u, e.ts.URL))
	data := r.body
	if r.StatusCode == http.StatusFound {
		data = e.fakeBytes(strings.TrimPrefix(r.Header.Get("Location"), e.fake.URL))
	} else if r.StatusCode != http.StatusOK {
		e.t.Fatalf("%s: status %d", u, r.StatusCode)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("%s: %v", u, err)
	}
	return cfg.Width, cfg.Height
}
