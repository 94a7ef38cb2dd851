package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/browsertest"
)

// The harbour (5472×3648) as FotoWeb describes an image it could not
// measure: 1×1, previews claiming width = height = size.
var unknownSizeEnv = envOptions{unmeasured: []string{fotowebtest.LandscapeAsset}}

// srcsetWidths returns the w descriptors of a srcset.
func srcsetWidths(srcset string) []string {
	var ws []string
	for _, m := range regexp.MustCompile(` (\d+)w(?:,|$)`).FindAllStringSubmatch(srcset, -1) {
		ws = append(ws, m[1])
	}
	return ws
}

func TestUnknownSizeAssets(t *testing.T) {
	e := newEnv(t, unknownSizeEnv)
	r := e.api(http.MethodGet, "/v1/assets?q=harbour", nil)
	wantStatus(t, r, http.StatusOK)
	var got struct{ Assets []map[string]any }
	decode(t, r, &got)
	seen := false
	for _, a := range got.Assets {
		_, hasW := a["width"]
		_, hasH := a["height"]
		if a["ref"] == fotowebtest.LandscapeAsset {
			seen = true
			if hasW || hasH {
				t.Errorf("unknown size reported: %v", a)
			}
			if a["thumbnail"] == "" || a["filename"] != "harbour.jpg" {
				t.Errorf("entry %v", a)
			}
		} else if !hasW || !hasH {
			t.Errorf("known size left out: %v", a)
		}
	}
	if !seen {
		t.Fatalf("harbour not found: %s", r.body)
	}
}

func TestUnknownSizeResolve(t *testing.T) {
	e := newEnv(t, unknownSizeEnv)
	items := []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "width": 600},
		{"ref": fotowebtest.LandscapeAsset},
		{"ref": fotowebtest.PortraitAsset, "width": 600},
	}
	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": items})
	wantStatus(t, r, http.StatusOK)
	var raw struct{ Results []map[string]any }
	decode(t, r, &raw)
	var got resolveResponse
	decode(t, r, &got)

	a := got.Results[0]
	if _, ok := raw.Results[0]["height"]; ok || a.Error != "" || a.Width != 600 {
		t.Errorf("width 600: %v", raw.Results[0])
	}
	if !strings.Contains(a.HTML, ` width="600" `) || strings.Contains(a.HTML, "height=") {
		t.Errorf("width 600: HTML %s", a.HTML)
	}
	if ws := srcsetWidths(a.Srcset); !slices.Equal(ws, []string{"200", "300", "400", "600", "800", "1200"}) {
		t.Errorf("srcset widths %v, want the nominal sizes up to 1200", ws)
	}
	b := got.Results[1]
	if _, ok := raw.Results[1]["width"]; ok || strings.Contains(b.HTML, "width=") || strings.Contains(b.HTML, "height=") {
		t.Errorf("no width: %v", raw.Results[1])
	}
	if ws := srcsetWidths(b.Srcset); len(ws) != 8 || ws[7] != "2400" {
		t.Errorf("no width: srcset widths %v, want every nominal size", ws)
	}
	if p := got.Results[2]; p.Width != 600 || p.Height != 900 {
		t.Errorf("a measured asset beside it: %dx%d", p.Width, p.Height)
	}

	// The src is the 600 preview: what the browser gets is the true
	// picture, landscape.
	res := e.get(strings.TrimPrefix(a.URL, e.ts.URL))
	wantStatus(t, res, http.StatusFound)
	img := e.fakeBytes(strings.TrimPrefix(res.Header.Get("Location"), e.fake.URL))
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width != 600 || cfg.Height != 400 {
		t.Errorf("src file %dx%d (%v), want 600x400", cfg.Width, cfg.Height, err)
	}

	q := url.Values{"ref": {fotowebtest.LandscapeAsset}, "width": {"400"}, "figure": {"1"}}
	r = e.api(http.MethodGet, "/v1/embed?"+q.Encode(), nil)
	wantStatus(t, r, http.StatusOK)
	if h := string(r.body); !strings.Contains(h, ` width="400" `) || strings.Contains(h, "height=") || !strings.Contains(h, "<figcaption>") {
		t.Errorf("/v1/embed: %s", h)
	}
}

func TestUnknownSizeOEmbed(t *testing.T) {
	e := newEnv(t, unknownSizeEnv)
	page := e.srv.pageURL(fotowebtest.LandscapeAsset)
	for _, tt := range []struct {
		params url.Values
		w, h   int
	}{
		{url.Values{"url": {page}}, 1200, 800}, // the default maxwidth: the nominal 1200 preview, measured
		{url.Values{"url": {page}, "maxwidth": {"500"}}, 400, 267},
		{url.Values{"url": {page}, "maxwidth": {"1000"}, "maxheight": {"300"}}, 300, 200},
		{url.Values{"url": {page}, "maxwidth": {"150"}}, 200, 133}, // none fits: the smallest, its true size
	} {
		r := e.get("/oembed?" + tt.params.Encode())
		wantStatus(t, r, http.StatusOK)
		var o oembedJSON
		decode(t, r, &o)
		if o.Width != tt.w || o.Height != tt.h {
			t.Errorf("%v: %dx%d, want %dx%d", tt.params, o.Width, o.Height, tt.w, tt.h)
		}
		if w, h := e.imageSizeAt(o.URL); w != o.Width || h != o.Height {
			t.Errorf("%v: oEmbed says %dx%d, the image at its url is %dx%d", tt.params, o.Width, o.Height, w, h)
		}
	}

	// When the preview cannot be measured, the size is left out.
	e.fault("/fotoweb/cache/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	r := e.get("/oembed?" + url.Values{"url": {page}, "maxwidth": {"700"}}.Encode())
	wantStatus(t, r, http.StatusOK)
	var o map[string]any
	if err := json.Unmarshal(r.body, &o); err != nil {
		t.Fatal(err)
	}
	if _, ok := o["width"]; ok || o["url"] == "" {
		t.Errorf("unmeasurable: %v", o)
	}
}

// TestUIBrowserUnknownSize checks that the picker says "size unknown"
// for an image FotoWeb could not measure, and the size of others.
func TestUIBrowserUnknownSize(t *testing.T) {
	browser := browsertest.Start(t)
	e := newEnv(t, unknownSizeEnv)
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)),
		chromedp.WaitVisible(chromedp.CSS("#results li button.pick")),
	)
	if err != nil {
		t.Fatalf("browse: %v\nstatus: %s", err, pageText(browser, "#status"))
	}
	dims, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll("#results button.pick")].map(b => [b.dataset.ref, b.querySelector(".dims").textContent]))`))
	if err != nil {
		t.Fatal(err)
	}
	if got := dims[fotowebtest.LandscapeAsset]; got != "size unknown" {
		t.Errorf("harbour: %q, want size unknown (all: %v)", got, dims)
	}
	if got := dims[fotowebtest.PortraitAsset]; got != "3000 × 4500 px" {
		t.Errorf("portrait: %q, want 3000 × 4500 px", got)
	}
	sel := `#results button.pick[data-ref="` + fotowebtest.LandscapeAsset + `"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS("#preview img"))); err != nil {
		t.Fatal(err)
	}
	size, err := chromedp.Run(ctx, chromedp.Poll[[]int](
		`(() => { const i = document.querySelector('#preview img'); return i && i.complete && i.naturalWidth > 0 && [i.naturalWidth, i.naturalHeight, i.width, i.height]; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || len(size) != 4 {
		t.Fatalf("preview image: %v, %v", size, err)
	}
	// Shown at the CSS width (600) with the picture's own shape (3:2),
	// neither 1×1 nor square.
	if size[2] != 600 || size[3] != 400 || size[0]*2 != size[1]*3 {
		t.Errorf("preview: natural %dx%d, shown %dx%d; want 3:2 shown at 600x400", size[0], size[1], size[2], size[3])
	}
	if meta := pageText(browser, "#picked-meta"); !strings.Contains(meta, "size unknown") {
		t.Errorf("picked image's details %q", meta)
	}
}
