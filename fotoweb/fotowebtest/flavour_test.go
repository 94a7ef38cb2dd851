package fotowebtest

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// keysOf returns the sorted keys of m.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The members of the recorded FotoWeb 8.0 asset and rendition
// (drupal/asset.json).
var (
	keys80 = []string{"archiveHREF", "attributes", "created", "createdBy", "filename", "filesize", "href",
		"linkstance", "metadata", "metadataEditor", "modified", "modifiedBy", "previews", "quickRenditions",
		"renditions", "thumbnailFields", "uniqueid"}
	renditionKeys80 = []string{"default", "description", "display_name", "height", "href", "original", "width"}
	preview80       = regexp.MustCompile(`^/fotoweb/cache/500[123]/[^?#]+\.t[0-9a-f]+\.m[0-9]+(\.q)?\.x[A-Za-z0-9_-]{43}\.jpg$`)
)

// TestOnPrem80Asset: the 8.0 flavour's assets have exactly the recorded
// members, 8.0 preview hrefs (squares with .q) that serve the image with
// the access token, and no previewToken.
func TestOnPrem80Asset(t *testing.T) {
	s := newServer(t, Options{Flavour: FlavourOnPrem80})
	tok := s.ServiceToken()
	for _, href := range []string{LandscapeAsset, SpaceNameAsset, TinyAsset, NorwegianAsset, GraphicAsset} {
		doc := assetDocOf(t, s, href, tok)
		if got := keysOf(doc); !slices.Equal(got, keys80) {
			t.Errorf("%s: members %q, want %q", href, got, keys80)
		}
		for _, r := range list(t, doc, "renditions") {
			if got := keysOf(r); !slices.Equal(got, renditionKeys80) {
				t.Errorf("%s: rendition members %q", href, got)
			}
		}
		if q := doc["quickRenditions"].([]any); len(q) != 0 {
			t.Errorf("%s: quick renditions %v", href, q)
		}
		pv := previewsOf(t, doc)
		for i, p := range pv {
			h := p["href"].(string)
			if !preview80.MatchString(h) || strings.Contains(h, ".q.") != (p["square"] == true) {
				t.Errorf("%s: preview %d href %s (square %v)", href, i, h, p["square"])
			}
		}
		small := pv[4] // the 200 preview
		got, _ := fetchJPEG(t, s, small["href"].(string), tok)
		if want := (dim{int(small["width"].(float64)), int(small["height"].(float64))}); got != want {
			t.Errorf("%s: preview %v, want %v", href, got, want)
		}
		if r := get(t, s, small["href"].(string), "", ""); r.status != 401 {
			t.Errorf("%s: preview without a token: %d", href, r.status)
		}
	}
	doc := assetDocOf(t, s, LandscapeAsset, tok)
	h := previewsOf(t, doc)[4]["href"].(string)
	for _, bad := range []string{
		strings.Replace(h, ".m200.", ".m300.", 1),
		strings.Replace(h, "/5001/", "/5002/", 1),
		strings.Replace(h, "harbour", "harbor", 1),
		strings.Replace(h, ".x", ".q.x", 1),
	} {
		if r := get(t, s, bad, tok, ""); r.status != 404 {
			t.Errorf("tampered %s: %d", bad, r.status)
		}
	}
	// An edit changes the hrefs' time; the old ones keep working.
	s.SetMetadata(LandscapeAsset, 5, "Edited")
	if h2 := previewsOf(t, assetDocOf(t, s, LandscapeAsset, tok))[4]["href"].(string); h2 == h {
		t.Error("preview href unchanged after an edit")
	}
	if r := get(t, s, h, tok, ""); r.status != 200 {
		t.Errorf("old preview href: %d", r.status)
	}
	// Documents and videos: no doctype, as recorded; the shapes of
	// previews stay (empty list, absent).
	if doc := assetDocOf(t, s, DocumentAsset, tok); doc["previews"] == nil || len(doc["previews"].([]any)) != 0 {
		t.Errorf("document previews %v", doc["previews"])
	}
	if _, ok := assetDocOf(t, s, VideoAsset, tok)["previews"]; ok {
		t.Error("video has previews")
	}
}

// TestOnPrem80NoPreviewToken: without previewTokens the fake refuses a
// mode that needs one, and a previewToken from a SaaS fake (same key)
// opens nothing.
func TestOnPrem80NoPreviewToken(t *testing.T) {
	mustPanic := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", what)
			}
		}()
		f()
	}
	mustPanic("New", func() { New(Options{Flavour: FlavourOnPrem80, PreviewAuth: PreviewAuthPreviewToken}) })
	s := newServer(t, Options{Flavour: FlavourOnPrem80})
	mustPanic("SetPreviewAuth", func() { s.SetPreviewAuth(PreviewAuthPreviewToken) })
	mustPanic("unknown flavour", func() { New(Options{Flavour: Flavour(9)}) })

	saas := newServer(t, Options{})
	pt := assetDocOf(t, saas, LandscapeAsset, saas.ServiceToken())["previewToken"].(string)
	href := previewsOf(t, assetDocOf(t, s, LandscapeAsset, s.ServiceToken()))[4]["href"].(string)
	if r := get(t, s, href, pt, ""); r.status != 401 {
		t.Errorf("a SaaS previewToken on an 8.0 preview: %d", r.status)
	}
	s.SetPreviewAuth(PreviewAuthNone)
	if r := get(t, s, href, "", ""); r.status != 200 {
		t.Errorf("PreviewAuthNone: %d", r.status)
	}
}

// TestFlavourWireForms checks each flavour's bundle of defaults.
func TestFlavourWireForms(t *testing.T) {
	type want struct {
		refresh   bool   // client_credentials answer has refresh_token
		next      string // next link of a paged search
		paging    any    // paging of a one-page list: nil or an object
		challenge bool   // 401 with WWW-Authenticate
		rendition int    // rendition POST without a token
		agent     string // webhook User-Agent
	}
	for _, tt := range []struct {
		opts Options
		want want
	}{
		{Options{}, want{false, PhotosArchive + "?q=Nordmann&p=1", map[string]any{}, false, 403, "FotoWeb/8.1"}},
		{Options{Flavour: FlavourSaaS2023}, want{true, PhotosArchive + "?q=Nordmann&p=1", nil, false, 403, "FotoWeb/8.1"}},
		{Options{Flavour: FlavourOnPrem80}, want{false, PhotosArchive + ";p=1?q=Nordmann", nil, true, 401, "FotoWeb/8.0"}},
		// Switches win over the flavour.
		{Options{Flavour: FlavourSaaS2023, NoClientCredentialsRefreshToken: true, Paging: Paging2024,
			PagingLinks: PagingLinksMatrix, Unauthorized: UnauthorizedTextChallenge, RenditionErrors: RenditionErrorsJSON},
			want{false, PhotosArchive + ";p=1?q=Nordmann", map[string]any{}, true, 401, "FotoWeb/8.1"}},
		{Options{Flavour: FlavourOnPrem80, ClientCredentialsRefreshToken: true, PagingLinks: PagingLinksQuery,
			Unauthorized: UnauthorizedText, RenditionErrors: RenditionErrorsWerkzeug},
			want{true, PhotosArchive + "?q=Nordmann&p=1", nil, false, 403, "FotoWeb/8.0"}},
	} {
		opts := tt.opts
		opts.PageSize = 5
		s := newServer(t, opts)
		name := s.Flavour().String()
		tok := s.ServiceToken()
		m := postToken(t, s, ccForm()).json(t)
		if _, ok := m["refresh_token"]; ok != tt.want.refresh {
			t.Errorf("%s: refresh_token present %v, want %v", name, ok, tt.want.refresh)
		}
		p := get(t, s, PhotosArchive+"?q=Nordmann", tok, mtAssetList).json(t)["paging"].(map[string]any)
		if p["next"] != tt.want.next {
			t.Errorf("%s: next %v, want %v", name, p["next"], tt.want.next)
		}
		one := get(t, s, InternalArchive+"?q=party", tok, mtAssetList).json(t)["paging"]
		if (one == nil) != (tt.want.paging == nil) {
			t.Errorf("%s: one-page paging %#v", name, one)
		}
		r := get(t, s, "/fotoweb/me/", "", "")
		if r.status != 401 || (r.header.Get("WWW-Authenticate") != "") != tt.want.challenge ||
			r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: 401 %d %q %q", name, r.status, r.header.Get("WWW-Authenticate"), r.header.Get("Content-Type"))
		}
		r = do(t, http.MethodPost, s.URL+"/fotoweb/services/renditions", map[string]string{"Content-Type": mtRenditionReq},
			`{"href":"`+SmallAsset+`/__renditions/ORIGINAL"}`)
		if r.status != tt.want.rendition {
			t.Errorf("%s: rendition without a token: %d, want %d", name, r.status, tt.want.rendition)
		}
		rc := newReceiver(t, http.StatusOK)
		if _, err := s.EmitWebhook(context.Background(), rc.URL, AssetModified, SmallAsset); err != nil {
			t.Fatal(err)
		}
		got := <-rc.reqs
		var payload map[string]any
		if err := json.Unmarshal(got.body, &payload); err != nil {
			t.Fatal(err)
		}
		asset := payload["data"].(map[string]any)["asset"].(map[string]any)
		_, hasToken := asset["previewToken"]
		if got.header.Get("User-Agent") != tt.want.agent || hasToken != s.Flavour().HasPreviewToken() {
			t.Errorf("%s: webhook from %q, previewToken %v", name, got.header.Get("User-Agent"), hasToken)
		}
		// The webhook's preview-href is the asset's 800 preview.
		if ph := payload["preview-href"].(string); ph != s.URL+previewsOf(t, assetDocOf(t, s, SmallAsset, tok))[0]["href"].(string) {
			t.Errorf("%s: preview-href %s", name, ph)
		}
	}
}

// TestUnauthorizedStyles: the three 401 forms.
func TestUnauthorizedStyles(t *testing.T) {
	for _, tt := range []struct {
		style     UnauthorizedStyle
		ctype     string
		challenge string // for a bad token
	}{
		{UnauthorizedText, "text/plain; charset=utf-8", ""},
		{UnauthorizedTextChallenge, "text/plain; charset=utf-8", `Bearer realm="FotoWeb", error="invalid_token"`},
		{UnauthorizedJSON, "application/json; charset=utf-8", `Bearer realm="FotoWeb", error="invalid_token"`},
	} {
		s := newServer(t, Options{Unauthorized: tt.style})
		for _, path := range []string{"/fotoweb/me/", LandscapeAsset, previewsOf(t, assetDocOf(t, s, LandscapeAsset, s.ServiceToken()))[4]["href"].(string)} {
			r := get(t, s, path, "not-a-token", "")
			if r.status != 401 || r.header.Get("Content-Type") != tt.ctype || r.header.Get("WWW-Authenticate") != tt.challenge {
				t.Errorf("style %d %s: %d %q %q", tt.style, path, r.status, r.header.Get("Content-Type"), r.header.Get("WWW-Authenticate"))
			}
			if tt.style != UnauthorizedJSON && string(r.body) != unauthorizedText {
				t.Errorf("style %d: body %q", tt.style, r.body)
			}
		}
	}
}

// TestEditorHeadersAsRecorded: the metadata editor answers with the
// recorded Cache-Control and Vary.
func TestEditorHeadersAsRecorded(t *testing.T) {
	s := newServer(t, Options{})
	r := get(t, s, editorHref, s.ServiceToken(), "")
	if r.status != 200 || r.header.Get("Cache-Control") != "max-age=60" || r.header.Get("Vary") != "User-Agent, Accept" {
		t.Errorf("%d %v", r.status, r.header)
	}
}

func TestFlavourNames(t *testing.T) {
	var names []string
	for _, fl := range Flavours {
		names = append(names, fl.String())
	}
	if strings.Join(names, " ") != "SaaS2024 SaaS2023 OnPrem80" || Flavour(7).String() != "Flavour(7)" {
		t.Errorf("names %q", names)
	}
	if newServer(t, Options{}).Flavour() != FlavourSaaS2024 {
		t.Error("the default flavour is not FlavourSaaS2024")
	}
}
