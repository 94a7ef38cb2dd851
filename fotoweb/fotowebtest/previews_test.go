package fotowebtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
)

type dim struct{ w, h int }

func previewsOf(t *testing.T, doc map[string]any) []map[string]any {
	t.Helper()
	return list(t, doc, "previews")
}

// nominal is the order of the non-square previews real servers list:
// the nominal sizes 800..2400, then 200..600.
var nominal = []int{800, 1200, 1600, 2400, 200, 300, 400, 600}

// sizeIndex maps a nominal size to its place in the tables below (sizes
// 200..2400 in increasing order).
func sizeIndex(n int) int {
	for i, s := range []int{200, 300, 400, 600, 800, 1200, 1600, 2400} {
		if s == n {
			return i
		}
	}
	return -1
}

func TestPreviewSizes(t *testing.T) {
	type sizes struct {
		href    string
		plain   []dim // the eight non-square previews, by nominal size 200..2400
		squares []int
	}
	// Originals larger than 2400 px look the same in both modes.
	large := []sizes{
		{LandscapeAsset, []dim{{200, 133}, {300, 200}, {400, 267}, {600, 400}, {800, 533}, {1200, 800}, {1600, 1067}, {2400, 1600}}, []int{100, 200, 200, 400}},
		{PortraitAsset, []dim{{133, 200}, {200, 300}, {267, 400}, {400, 600}, {533, 800}, {800, 1200}, {1067, 1600}, {1600, 2400}}, []int{100, 200, 200, 400}},
		{PanoramaAsset, []dim{{200, 50}, {300, 75}, {400, 100}, {600, 150}, {800, 200}, {1200, 300}, {1600, 400}, {2400, 600}}, []int{100, 200, 200, 400}},
		{RotatedAsset, []dim{{150, 200}, {225, 300}, {300, 400}, {450, 600}, {600, 800}, {900, 1200}, {1200, 1600}, {1800, 2400}}, []int{100, 200, 200, 400}},
	}
	for _, tt := range []struct {
		name  string
		opts  Options
		cases []sizes
	}{
		{"upscaled (default)", Options{}, append(large[:len(large):len(large)],
			sizes{SquareAsset, []dim{{200, 200}, {300, 300}, {400, 400}, {600, 600}, {800, 800}, {1200, 1200}, {1600, 1600}, {2400, 2400}}, []int{100, 200, 200, 400}},
			sizes{SmallAsset, []dim{{200, 150}, {300, 225}, {400, 300}, {600, 450}, {800, 600}, {1200, 900}, {1600, 1200}, {2400, 1800}}, []int{100, 200, 200, 400}},
			sizes{TinyAsset, []dim{{200, 133}, {300, 200}, {400, 267}, {600, 400}, {800, 533}, {1200, 800}, {1600, 1067}, {2400, 1600}}, []int{100, 200, 200, 400}},
			sizes{GraphicAsset, []dim{{200, 80}, {300, 120}, {400, 160}, {600, 240}, {800, 320}, {1200, 480}, {1600, 640}, {2400, 960}}, []int{100, 200, 200, 400}},
		)},
		{"never upscaled", Options{Previews: PreviewsNeverUpscaled}, append(large[:len(large):len(large)],
			sizes{SquareAsset, []dim{{200, 200}, {300, 300}, {400, 400}, {600, 600}, {800, 800}, {1200, 1200}, {1600, 1600}, {2000, 2000}}, []int{100, 200, 200, 400}},
			sizes{SmallAsset, []dim{{200, 150}, {300, 225}, {400, 300}, {600, 450}, {640, 480}, {640, 480}, {640, 480}, {640, 480}}, []int{100, 200, 200, 400}},
			sizes{TinyAsset, []dim{{150, 100}, {150, 100}, {150, 100}, {150, 100}, {150, 100}, {150, 100}, {150, 100}, {150, 100}}, []int{100, 100, 100, 100}},
			sizes{GraphicAsset, []dim{{200, 80}, {300, 120}, {400, 160}, {600, 240}, {800, 320}, {1000, 400}, {1000, 400}, {1000, 400}}, []int{100, 200, 200, 400}},
		)},
	} {
		s := newServer(t, tt.opts)
		tok := s.ServiceToken()
		for _, c := range tt.cases {
			t.Run(tt.name+"/"+fileOf(c.href), func(t *testing.T) {
				doc := assetDocOf(t, s, c.href, tok)
				pv := previewsOf(t, doc)
				if len(pv) != 12 || doc["previewcount"] != 12.0 {
					t.Fatalf("%d previews", len(pv))
				}
				for i, p := range pv {
					w, h, size := int(p["width"].(float64)), int(p["height"].(float64)), int(p["size"].(float64))
					if size != max(w, h) {
						t.Errorf("preview %d: size %d for %dx%d", i, size, w, h)
					}
					if i < 8 {
						if want := c.plain[sizeIndex(nominal[i])]; p["square"] != false || (dim{w, h}) != want {
							t.Errorf("preview %d (nominal %d): %dx%d square=%v, want %v", i, nominal[i], w, h, p["square"], want)
						}
					} else if p["square"] != true || w != c.squares[i-8] || h != w {
						t.Errorf("square %d: %dx%d, want %d", i, w, h, c.squares[i-8])
					}
				}
				if pv[9]["href"] != pv[10]["href"] {
					t.Error("the duplicated 200 square should have one href")
				}
			})
		}
	}
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	doc := assetDocOf(t, s, DocumentAsset, tok)
	if pv, ok := doc["previews"].([]any); !ok || len(pv) != 0 || doc["doctype"] != "document" {
		t.Errorf("document previews %#v", doc["previews"])
	}
	doc = assetDocOf(t, s, VideoAsset, tok)
	if _, ok := doc["previews"]; ok || doc["doctype"] != "movie" {
		t.Errorf("video previews %#v", doc["previews"])
	}
}

// TestFitRecorded: the recorded 370×136 JPEG
// (enonic/assetModifiedRequestBody.json) came with previews up to
// 2400×882; fit gives FotoWeb's numbers for every size.
func TestFitRecorded(t *testing.T) {
	want := map[int]dim{800: {800, 294}, 1200: {1200, 441}, 1600: {1600, 588}, 2400: {2400, 882},
		200: {200, 74}, 300: {300, 110}, 400: {400, 147}, 600: {600, 221}}
	for n, d := range want {
		if w, h := fit(370, 136, n, true); (dim{w, h}) != d {
			t.Errorf("fit(370, 136, %d) = %dx%d, want %v", n, w, h, d)
		}
		if w, h := fit(370, 136, n, false); n > 370 && (dim{w, h}) != (dim{370, 136}) {
			t.Errorf("fit(370, 136, %d, never upscale) = %dx%d", n, w, h)
		}
	}
}

// fetchJPEG GETs a preview and decodes it.
func fetchJPEG(t *testing.T, s *Server, href, token string) (dim, response) {
	t.Helper()
	r := get(t, s, href, token, "")
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", href, r.status, r.body)
	}
	img, err := jpeg.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("decoding %s: %v", href, err)
	}
	b := img.Bounds()
	return dim{b.Dx(), b.Dy()}, r
}

func TestPreviewBytes(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	for _, href := range []string{LandscapeAsset, PortraitAsset, PanoramaAsset, SmallAsset, TinyAsset, RotatedAsset, GraphicAsset, NorwegianAsset, SpaceNameAsset} {
		for i, p := range previewsOf(t, assetDocOf(t, s, href, tok)) {
			w, h := int(p["width"].(float64)), int(p["height"].(float64))
			if w*h > 200_000 && !(href == SmallAsset && w*h <= 500_000) && !(href == PanoramaAsset && i == 3) {
				continue // keep the test fast under -race
			}
			got, r := fetchJPEG(t, s, p["href"].(string), tok)
			if got != (dim{w, h}) {
				t.Errorf("%s preview %d: %v, want %dx%d", href, i, got, w, h)
			}
			if r.header.Get("Content-Type") != "image/jpeg" || r.header.Get("Cache-Control") != "private" ||
				r.header.Get("ETag") == "" || r.header.Get("Content-Length") != fmt.Sprint(len(r.body)) {
				t.Errorf("headers %v", r.header)
			}
		}
	}
}

func TestPreviewCachingAndSignature(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	href := previewsOf(t, assetDocOf(t, s, SpaceNameAsset, tok))[0]["href"].(string)
	_, r1 := fetchJPEG(t, s, href, tok)
	_, r2 := fetchJPEG(t, s, href, tok)
	if !bytes.Equal(r1.body, r2.body) || r1.header.Get("ETag") != r2.header.Get("ETag") {
		t.Error("repeated GETs differ")
	}
	// A second fake answers the same bytes (from the process's cache;
	// TestPreviewGeneratedOnce checks that a fresh cache generates them).
	s2 := newServer(t, Options{})
	if _, r3 := fetchJPEG(t, s2, href, s2.ServiceToken()); !bytes.Equal(r1.body, r3.body) {
		t.Error("bytes differ between fakes")
	}
	r := do(t, http.MethodGet, s.URL+href, map[string]string{"Authorization": "Bearer " + tok, "If-None-Match": r1.header.Get("ETag")}, "")
	if r.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.status)
	}
	i := strings.LastIndex(href, ".jpg")
	tampered := []string{
		href[:i-1] + flip(href[i-1]) + ".jpg",                        // signature
		strings.Replace(href, "/cache/v2/", "/cache/v2/"+"Z", 1),     // x segment
		strings.Replace(href, "summer%20party", "winter%20party", 1), // path
		"/fotoweb/cache/v2/a/b/nothing.jpg",
	}
	for _, h := range tampered {
		if r := get(t, s, h, tok, ""); r.status != 404 {
			t.Errorf("%s: %d", h, r.status)
		}
	}
	s.DeleteAsset(SpaceNameAsset)
	if r := get(t, s, href, tok, ""); r.status != 404 {
		t.Errorf("deleted asset preview: %d", r.status)
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestPreviewToken(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now})
	doc := assetDocOf(t, s, SpaceNameAsset, s.UserToken())
	parts := strings.Split(doc["previewToken"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("previewToken %v", doc["previewToken"])
	}
	var head, claims map[string]any
	for i, v := range []*map[string]any{&head, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	if head["alg"] != "HS256" || claims["aud"] != "preview_token" || claims["exp"].(float64)-claims["iat"].(float64) != 3600 ||
		claims["ass"] != "archives/5001/Folder%2019/summer%20party%202023.jpg" || claims["sub"] != "15003" {
		t.Errorf("header %v claims %v", head, claims)
	}
}
