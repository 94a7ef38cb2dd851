package fotowebtest

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// exportReq sends EXPORT with a bearer token.
func exportReq(t *testing.T, s *Server, href, token, body string) response {
	t.Helper()
	return do(t, "EXPORT", s.URL+href, map[string]string{
		"Authorization": "Bearer " + token, "Content-Type": mtExportReq, "Accept": mtExportData}, body)
}

// exportImages returns the image URLs of an export-data response.
func exportImages(t *testing.T, r response) (normal, hc, double string, size dim) {
	t.Helper()
	exp := r.json(t)["export"].(map[string]any)
	img := exp["image"].(map[string]any)
	sz := exp["size"].(map[string]any)
	return img["normal"].(string), img["highCompression"].(string), img["doubleResolution"].(string),
		dim{int(sz["w"].(float64)), int(sz["h"].(float64))}
}

var regexpEmbed = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/fotoweb/embed/2024/05/([0-9a-f]{32})\.jpg$`)

// jpegSize GETs u without credentials and returns the status and size.
func jpegSize(t *testing.T, s *Server, u string) (int, dim) {
	t.Helper()
	r := get(t, s, u, "", "")
	if r.status != 200 {
		return r.status, dim{}
	}
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("%s: Cache-Control %q", u, cc)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return r.status, dim{cfg.Width, cfg.Height}
}

func TestExportSizesAndVariants(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now})
	tok := s.ServiceToken()
	tests := []struct {
		name, href, body string
		size             dim
		double           dim // zero: no doubleResolution
		preset           string
	}{
		{"width", LandscapeAsset, `{"width":800,"height":0,"publication":"https://www.example.org"}`, dim{800, 533}, dim{1600, 1067}, ""},
		{"original", LandscapeAsset, `{"width":0,"height":0}`, dim{3000, 2000}, dim{}, ""},
		{"web preset", LandscapeAsset, `{"width":0,"height":0,"preset":"` + WebPreset + `"}`, dim{3000, 2000}, dim{}, WebPreset},
		{"square preset", LandscapeAsset, `{"preset":"` + SquarePreset + `"}`, dim{600, 400}, dim{1200, 800}, SquarePreset},
		{"square preset, portrait", PortraitAsset, `{"preset":"` + SquarePreset + `"}`, dim{400, 600}, dim{800, 1200}, SquarePreset},
		{"request beats preset", LandscapeAsset, `{"width":1000,"preset":"` + SquarePreset + `"}`, dim{1000, 667}, dim{2000, 1333}, SquarePreset},
		{"singular preset path", SquareAsset, `{"preset":"/fotoweb/me/presets/export/5f0c1e2d3a4b5c6d7e8f9a02"}`, dim{600, 600}, dim{1200, 1200}, SquarePreset},
		{"absolute preset", SquareAsset, `{"preset":"` + s.URL + SquarePreset + `"}`, dim{600, 600}, dim{1200, 1200}, SquarePreset},
		{"small original", SmallAsset, `{}`, dim{640, 480}, dim{}, ""},
		{"exactly half", SmallAsset, `{"width":320}`, dim{320, 240}, dim{640, 480}, ""},
		{"just over half", SmallAsset, `{"width":321}`, dim{321, 241}, dim{}, ""},
		{"height", PanoramaAsset, `{"height":100}`, dim{400, 100}, dim{800, 200}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exportReq(t, s, tt.href, tok, tt.body)
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), mtExportData) {
				t.Fatalf("%d %s", r.status, r.body)
			}
			normal, hc, double, size := exportImages(t, r)
			m := regexpEmbed.FindStringSubmatch(normal)
			if m == nil || size != tt.size || hc != strings.TrimSuffix(normal, ".jpg")+"_hc.jpg" {
				t.Fatalf("normal %q hc %q size %v", normal, hc, size)
			}
			x := s.Exports()[i]
			if x.ID != m[1] || x.URL != normal || x.HighCompression != hc || x.DoubleResolution != double ||
				x.Asset != tt.href || (dim{x.Width, x.Height}) != tt.size || x.Preset != tt.preset || x.Revoked ||
				!x.Created.Equal(c.Now()) {
				t.Errorf("Exports()[%d] = %+v", i, x)
			}
			// Large images are not fetched, to keep the test fast under -race.
			small := func(d dim) bool { return d.w*d.h <= 500_000 }
			for _, u := range []string{normal, hc} {
				if !small(tt.size) {
					break
				}
				if st, got := jpegSize(t, s, u); st != 200 || got != tt.size {
					t.Errorf("%s: %d %v", u, st, got)
				}
			}
			if tt.double == (dim{}) {
				if double != "" {
					t.Errorf("doubleResolution %q, want none", double)
				}
				if st, _ := jpegSize(t, s, strings.TrimSuffix(normal, ".jpg")+"_2x.jpg"); st != 404 {
					t.Errorf("_2x without doubleResolution: %d", st)
				}
			} else if double != strings.TrimSuffix(normal, ".jpg")+"_2x.jpg" {
				t.Errorf("doubleResolution %q", double)
			} else if small(tt.double) {
				if st, got := jpegSize(t, s, double); st != 200 || got != tt.double {
					t.Errorf("doubleResolution: %d %v, want %v", st, got, tt.double)
				}
			}
			j := get(t, s, strings.TrimSuffix(normal, ".jpg")+".json", "", "")
			if j.status != 200 || !bytes.Equal(j.body, r.body) {
				t.Errorf(".json: %d %s", j.status, j.body)
			}
		})
	}
	if got := s.ExportRequests(); got != len(tests) {
		t.Errorf("ExportRequests() = %d, want %d", got, len(tests))
	}
}

func TestExportEachRequestIsNew(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	body := `{"width":200,"publication":"https://www.example.org"}`
	var urls []string
	for range 3 {
		r := exportReq(t, s, LandscapeAsset, tok, body)
		normal, _, _, _ := exportImages(t, r)
		if slices.Contains(urls, normal) {
			t.Fatalf("URL %s repeated", normal)
		}
		urls = append(urls, normal)
	}
	xs := s.Exports()
	if len(xs) != 3 || s.ExportRequests() != 3 {
		t.Fatalf("%d exports, %d requests", len(xs), s.ExportRequests())
	}
	for i, x := range xs {
		if x.URL != urls[i] || x.Publication != "https://www.example.org" {
			t.Errorf("export %d: %+v", i, x)
		}
	}
	s.ResetCounters()
	if s.ExportRequests() != 0 || len(s.Exports()) != 3 {
		t.Errorf("after ResetCounters: %d requests, %d exports", s.ExportRequests(), len(s.Exports()))
	}
}

func TestExportErrorsAndPermissions(t *testing.T) {
	s := newServer(t, Options{})
	admin, editor, viewer := s.ServiceToken(), s.UserToken(), s.ReadOnlyUserToken()
	s.archByKey["5002"].noExport = true // Press: non-admins lack Export
	tests := []struct {
		name, href, token, body string
		status                  int
		msg                     string
	}{
		{"editor", LandscapeAsset, editor, `{"width":100}`, 200, ""},
		{"viewer", LandscapeAsset, viewer, `{"width":100}`, 200, ""},
		{"viewer, no Export permission", PressPortraitAsset, viewer, `{"width":100}`, 403, "Export"},
		{"editor, no Export permission", PressPortraitAsset, editor, `{"width":100}`, 403, "Export"},
		{"admin keeps Export", PressPortraitAsset, admin, `{"width":100}`, 200, ""},
		{"hidden archive", HiddenAsset, viewer, `{"width":100}`, 404, ""},
		{"not an image", DocumentAsset, admin, `{}`, 400, "only images"},
		{"unknown preset", LandscapeAsset, admin, `{"preset":"/fotoweb/me/presets/exports/nope"}`, 400, "unknown export preset"},
		{"preset elsewhere", LandscapeAsset, admin, `{"preset":"/fotoweb/archives/5001-Photos/"}`, 400, "unknown export preset"},
		{"malformed", LandscapeAsset, admin, `{`, 400, "malformed"},
		{"negative", LandscapeAsset, admin, `{"width":-1}`, 400, "malformed"},
		{"no token", LandscapeAsset, "", `{}`, 401, ""},
	}
	created := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exportReq(t, s, tt.href, tt.token, tt.body)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.msg) {
				t.Errorf("%d %s, want %d %q", r.status, r.body, tt.status, tt.msg)
			}
			if r.status == 200 {
				created++
			}
		})
	}
	if s.ExportRequests() != created || len(s.Exports()) != created {
		t.Errorf("ExportRequests %d, Exports %d, want %d", s.ExportRequests(), len(s.Exports()), created)
	}
	r := do(t, "EXPORT", s.URL+LandscapeAsset, map[string]string{"Authorization": "Bearer " + admin, "Content-Type": "application/json"}, `{}`)
	if r.status != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: %d", r.status)
	}
}

func TestRevokeExport(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	a, _, _, _ := exportImages(t, exportReq(t, s, LandscapeAsset, tok, `{"width":400}`))
	b, _, _, _ := exportImages(t, exportReq(t, s, LandscapeAsset, tok, `{"width":400}`))
	d, _, _, _ := exportImages(t, exportReq(t, s, SpaceNameAsset, tok, `{"width":400}`))
	variants := func(u string) []string {
		stem := strings.TrimSuffix(u, ".jpg")
		return []string{u, stem + "_hc.jpg", stem + "_2x.jpg", stem + ".json"}
	}
	tests := []struct {
		name string
		arg  string
		ok   bool
	}{
		{"by highCompression URL", variants(a)[1], true},
		{"again, relative .json", strings.TrimPrefix(variants(a)[3], s.URL), true},
		{"unknown", s.URL + "/fotoweb/embed/2024/05/00000000000000000000000000000000.jpg", false},
		{"not an export", LandscapeAsset, false},
	}
	for _, tt := range tests {
		if got := s.RevokeExport(tt.arg); got != tt.ok {
			t.Errorf("%s: RevokeExport = %v", tt.name, got)
		}
	}
	for _, u := range variants(a) {
		r := get(t, s, u, "", "")
		if r.status != 404 || !strings.Contains(string(r.body), "NotFound") {
			t.Errorf("revoked %s: %d %s", u, r.status, r.body)
		}
	}
	for _, u := range variants(b) {
		if r := get(t, s, u, "", ""); r.status != 200 {
			t.Errorf("other export %s: %d", u, r.status)
		}
	}
	if xs := s.Exports(); !xs[0].Revoked || xs[1].Revoked || xs[2].Revoked {
		t.Errorf("Revoked flags %v %v %v", xs[0].Revoked, xs[1].Revoked, xs[2].Revoked)
	}
	s.DeleteAsset(SpaceNameAsset)
	for _, u := range variants(d) {
		if r := get(t, s, u, "", ""); r.status != 404 {
			t.Errorf("deleted asset %s: %d", u, r.status)
		}
	}
}

func TestExportPresets(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ReadOnlyUserToken()
	tests := []struct {
		path   string
		token  string
		status int
		want   string // name of the single preset; "" for the list
	}{
		{PresetList, tok, 200, ""},
		{"/fotoweb/me/presets/exports", tok, 200, ""},
		{"/fotoweb/me/presets/export/", tok, 200, ""},
		{WebPreset, tok, 200, "Web"},
		{SquarePreset, tok, 200, "Square 600"},
		{SquarePreset + "/", tok, 200, "Square 600"},
		{strings.Replace(SquarePreset, "/exports/", "/export/", 1), tok, 200, "Square 600"},
		{"/fotoweb/me/presets/exports/nope", tok, 404, ""},
		{"/fotoweb/me/presets/exports/a/b", tok, 404, ""},
		{PresetList, "", 401, ""},
		{WebPreset, "", 401, ""},
	}
	for _, tt := range tests {
		r := get(t, s, tt.path, tt.token, "")
		if r.status != tt.status {
			t.Errorf("GET %s: %d, want %d", tt.path, r.status, tt.status)
			continue
		}
		if r.status != 200 {
			continue
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tt.path, ct)
		}
		m := r.json(t)
		if tt.want != "" {
			if m["name"] != tt.want || !strings.HasPrefix(m["href"].(string), PresetList) {
				t.Errorf("GET %s: %v", tt.path, m)
			}
			continue
		}
		data := list(t, m, "data")
		if p, ok := m["paging"]; !ok || p != nil || len(data) != 2 {
			t.Fatalf("list %s", r.body)
		}
		want := []struct {
			href, name string
			w, h       float64
		}{{WebPreset, "Web", 0, 0}, {SquarePreset, "Square 600", 600, 600}}
		for i, p := range data {
			if p["href"] != want[i].href || p["name"] != want[i].name || p["width"] != want[i].w || p["height"] != want[i].h ||
				!strings.HasSuffix(want[i].href, "/"+p["id"].(string)) {
				t.Errorf("preset %d: %v", i, p)
			}
		}
	}
	if r := do(t, http.MethodPost, s.URL+PresetList, map[string]string{"Authorization": "Bearer " + tok}, "{}"); r.status != 405 {
		t.Errorf("POST presets: %d", r.status)
	}
}
