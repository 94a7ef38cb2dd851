package fotowebtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func patch(t *testing.T, s *Server, href, token, ctype, body string) response {
	t.Helper()
	return do(t, http.MethodPatch, s.URL+href, map[string]string{
		"Authorization": "Bearer " + token, "Content-Type": ctype, "Accept": mtAsset,
	}, body)
}

func TestPatchMetadata(t *testing.T) {
	c := newClock()
	s := newServer(t, Options{Now: c.Now})
	tok := s.UserToken()
	before := assetDocOf(t, s, LandscapeAsset, tok)
	r := patch(t, s, LandscapeAsset, tok, mtAssetUpdate,
		`{"metadata": {"5": {"value": "The Beatles"}, "25": {"value": "single"}, "80": {"value": []}, "120": {"value": null}, "90": {"value": ["Oslo"]}}}`)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	md := m["metadata"].(map[string]any)
	got, _ := json.Marshal(md)
	want := `{"105":{"value":"Morning in Bergen"},"110":{"value":"Fotoembed Test Agency"},"116":{"value":"© Fotoembed 2023"},"25":{"value":["single"]},"5":{"value":"The Beatles"},"90":{"value":"Oslo"}}`
	if string(got) != want {
		t.Errorf("metadata %s\nwant %s", got, want)
	}
	if m["modified"] != "2024-05-01T10:00:00Z" || m["modified"] == before["modified"] {
		t.Errorf("modified %v", m["modified"])
	}
	if previewsOf(t, m)[0]["href"] == previewsOf(t, before)[0]["href"] {
		t.Error("preview hrefs should change with the asset")
	}
	if got := assetDocOf(t, s, LandscapeAsset, tok)["builtinFields"].([]any)[0].(map[string]any)["value"]; got != "The Beatles" {
		t.Errorf("title after GET: %v", got)
	}
	// The old preview URL still serves bytes.
	if _, r := fetchJPEG(t, s, previewsOf(t, before)[0]["href"].(string), tok); r.status != 200 {
		t.Error(r.status)
	}
	tests := []struct {
		name, href, ctype, body string
		token                   string
		status                  int
	}{
		{"wrong content type", LandscapeAsset, "application/json", `{"metadata":{}}`, tok, 415},
		{"read-only archive", PressPortraitAsset, mtAssetUpdate, `{"metadata":{"5":{"value":"x"}}}`, tok, 403},
		{"malformed", LandscapeAsset, mtAssetUpdate, `{"metadata":`, tok, 400},
		{"no metadata", LandscapeAsset, mtAssetUpdate, `{}`, tok, 400},
		{"bad field id", LandscapeAsset, mtAssetUpdate, `{"metadata":{"title":{"value":"x"}}}`, tok, 400},
		{"list to single field", LandscapeAsset, mtAssetUpdate, `{"metadata":{"5":{"value":["a","b"]}}}`, tok, 400},
		{"number value", LandscapeAsset, mtAssetUpdate, `{"metadata":{"5":{"value":5}}}`, tok, 400},
		{"hidden", HiddenAsset, mtAssetUpdate, `{"metadata":{"5":{"value":"x"}}}`, tok, 404},
		{"service may edit Press", PressPortraitAsset, mtAssetUpdate, `{"metadata":{"5":{"value":"x"}}}`, s.ServiceToken(), 200},
	}
	for _, tt := range tests {
		if r := patch(t, s, tt.href, tt.token, tt.ctype, tt.body); r.status != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.name, r.status, tt.status, r.body)
		}
	}
}

func TestSetMetadataAndDelete(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	s.SetMetadata(SquareAsset, 120, "New caption")
	s.SetMetadata(SquareAsset, 5)
	m := assetDocOf(t, s, SquareAsset, tok)["metadata"].(map[string]any)
	if m["120"].(map[string]any)["value"] != "New caption" || m["5"] != nil {
		t.Errorf("metadata %v", m)
	}
	n := len(s.Assets())
	s.DeleteAsset(SquareAsset)
	if r := get(t, s, SquareAsset, tok, ""); r.status != 404 {
		t.Errorf("deleted asset: %d", r.status)
	}
	if len(s.Assets()) != n-1 {
		t.Error("Assets still lists the deleted asset")
	}
	hrefs, _ := walk(t, s, PhotosArchive, tok)
	for _, h := range hrefs {
		if h == SquareAsset {
			t.Error("deleted asset still listed")
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("SetMetadata on an unknown asset should panic")
		}
	}()
	s.SetMetadata("/fotoweb/archives/5001-Photos/nope.jpg.info", 5, "x")
}

func TestAssetJSONQuirks(t *testing.T) {
	s := newServer(t, Options{})
	r := get(t, s, PortraitAsset, s.ServiceToken(), "")
	if !strings.Contains(string(r.body), `"resolution":300.0`) {
		t.Error("PortraitAsset should have resolution 300.0")
	}
	r = get(t, s, LandscapeAsset, s.ServiceToken(), "")
	if !strings.Contains(string(r.body), `"resolution":300,`) {
		t.Error("LandscapeAsset should have resolution 300")
	}
	m := r.json(t)
	for _, k := range []string{"created", "modified"} {
		if _, err := time.Parse(time.RFC3339Nano, m[k].(string)); err != nil {
			t.Errorf("%s %v", k, m[k])
		}
	}
	if m["created"] != "2023-06-16T12:47:59.397000Z" || m["modified"] != "2023-06-19T12:47:59Z" {
		t.Errorf("created %v modified %v", m["created"], m["modified"])
	}
	rot := assetDocOf(t, s, RotatedAsset, s.ServiceToken())
	ia := rot["attributes"].(map[string]any)["imageattributes"].(map[string]any)
	if ia["pixelwidth"] != 4000.0 || ia["pixelheight"] != 3000.0 || ia["rotation"] != 90.0 {
		t.Errorf("rotated %v", ia)
	}
	rend := list(t, m, "renditions")
	if len(rend) != 2 || rend[0]["href"] != LandscapeAsset+"/__renditions/ORIGINAL" || rend[0]["original"] != true {
		t.Errorf("renditions %v", rend)
	}
	if q := list(t, m, "quickRenditions"); len(q) != 1 || q[0]["width"] != 1024.0 {
		t.Errorf("quickRenditions %v", q)
	}
	if r := get(t, s, LandscapeAsset, s.ServiceToken(), mtCollection); r.status != 406 {
		t.Errorf("asset as a collection: %d", r.status)
	}
}
