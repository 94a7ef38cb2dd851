package fotowebtest

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// cred is a way of presenting (or not) credentials on a preview URL.
type cred int

const (
	credNone cred = iota
	credAccessHeader
	credAccessQuery
	credViewerHeader
	credPreviewHeader
	credPreviewQuery
	credPreviewLowerBearer
	credExpiredHeader
	credExpiredQuery
	credOtherHeader
	credOtherQuery
	credBogus
	credUserHidden
	numCreds
)

var credNames = [...]string{"none", "access header", "access query", "viewer header", "previewToken header",
	"previewToken query", "previewToken lower-case bearer", "expired header", "expired query",
	"other asset header", "other asset query", "bogus", "user on hidden archive"}

func TestPreviewAuthModes(t *testing.T) {
	c := newClock()
	// The challenge form, so that every 401 can be checked for its
	// WWW-Authenticate header.
	s := newServer(t, Options{Now: c.Now, Unauthorized: UnauthorizedTextChallenge})
	tok := s.ServiceToken()
	doc := assetDocOf(t, s, SmallAsset, s.UserToken())
	href := previewsOf(t, doc)[4]["href"].(string) // the 200 preview
	pt := doc["previewToken"].(string)
	other := assetDocOf(t, s, TinyAsset, tok)["previewToken"].(string)
	hiddenHref := previewsOf(t, assetDocOf(t, s, HiddenAsset, tok))[0]["href"].(string)
	c.Advance(-2 * time.Hour)
	expired := assetDocOf(t, s, SmallAsset, tok)["previewToken"].(string)
	c.Advance(2 * time.Hour)
	tok, user, viewer := s.ServiceToken(), s.UserToken(), s.ReadOnlyUserToken()

	// request builds the URL and headers of one credential.
	request := func(cr cred) (string, map[string]string) {
		h := map[string]string{}
		bearer := func(v string) { h["Authorization"] = "Bearer " + v }
		query := func(v string) string { return href + "?access_token=" + url.QueryEscape(v) }
		switch cr {
		case credAccessHeader:
			bearer(tok)
		case credAccessQuery:
			return query(user), h
		case credViewerHeader:
			bearer(viewer)
		case credPreviewHeader:
			bearer(pt)
		case credPreviewQuery:
			return query(pt), h
		case credPreviewLowerBearer:
			h["Authorization"] = "bearer " + pt
		case credExpiredHeader:
			bearer(expired)
		case credExpiredQuery:
			return query(expired), h
		case credOtherHeader:
			bearer(other)
		case credOtherQuery:
			return query(other), h
		case credBogus:
			bearer("not-a-token")
		case credUserHidden:
			bearer(user)
			return hiddenHref, h
		}
		return href, h
	}
	const ok, unauth, hidden = 200, 401, 404
	tests := []struct {
		mode PreviewAuthMode
		want [numCreds]int
	}{
		{PreviewAuthAny, [numCreds]int{unauth, ok, ok, ok, ok, ok, ok, unauth, unauth, unauth, unauth, unauth, hidden}},
		{PreviewAuthPreviewToken, [numCreds]int{unauth, unauth, unauth, unauth, ok, ok, ok, unauth, unauth, unauth, unauth, unauth, unauth}},
		{PreviewAuthNone, [numCreds]int{ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{PreviewAuthAccessToken, [numCreds]int{unauth, ok, ok, ok, unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth, hidden}},
	}
	if s.PreviewAuth() != PreviewAuthAny {
		t.Fatalf("default PreviewAuth() = %d", s.PreviewAuth())
	}
	// One running server, switched between the modes (and back again).
	for _, tt := range append(tests, tests[0]) {
		s.SetPreviewAuth(tt.mode)
		if got := s.PreviewAuth(); got != tt.mode {
			t.Fatalf("PreviewAuth() = %d after SetPreviewAuth(%d)", got, tt.mode)
		}
		for cr := range numCreds {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				u, h := request(cr)
				r := do(t, method, s.URL+u, h, "")
				if r.status != tt.want[cr] {
					t.Errorf("mode %d, %s %s: %d, want %d", tt.mode, method, credNames[cr], r.status, tt.want[cr])
				}
				if r.status == unauth && r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("mode %d, %s: 401 without WWW-Authenticate", tt.mode, credNames[cr])
				}
			}
		}
	}
}

func TestPreviewAuthOption(t *testing.T) {
	for _, m := range []PreviewAuthMode{PreviewAuthAny, PreviewAuthPreviewToken, PreviewAuthNone, PreviewAuthAccessToken} {
		if got := newServer(t, Options{PreviewAuth: m}).PreviewAuth(); got != m {
			t.Errorf("Options.PreviewAuth %d: PreviewAuth() = %d", m, got)
		}
	}
}

// TestPreviewTokenRefusedElsewhere: a previewToken opens preview URLs
// only; every API endpoint refuses it, in the header and in the query.
func TestPreviewTokenRefusedElsewhere(t *testing.T) {
	for _, mode := range []PreviewAuthMode{PreviewAuthAny, PreviewAuthPreviewToken} {
		s := newServer(t, Options{PreviewAuth: mode})
		doc := assetDocOf(t, s, LandscapeAsset, s.UserToken())
		pt := doc["previewToken"].(string)
		update := `{"metadata":{"5":{"value":"changed by a previewToken"}}}`
		tests := []struct {
			name, method, path, ctype, body string
		}{
			{"descriptor", http.MethodGet, "/fotoweb/me", "", ""},
			{"descriptor slash", http.MethodGet, "/fotoweb/me/", "", ""},
			{"archives", http.MethodGet, "/fotoweb/me/archives/", "", ""},
			{"collection", http.MethodGet, PhotosArchive, "", ""},
			{"asset", http.MethodGet, LandscapeAsset, "", ""},
			{"patch", http.MethodPatch, LandscapeAsset, mtAssetUpdate, update},
			{"export", "EXPORT", LandscapeAsset, mtExportReq, `{"width":100}`},
			{"presets", http.MethodGet, PresetList, "", ""},
			{"preset", http.MethodGet, WebPreset, "", ""},
			{"rendition", http.MethodPost, "/fotoweb/services/renditions", mtRenditionReq,
				`{"href":"` + LandscapeAsset + `/__renditions/ORIGINAL"}`},
			{"editor", http.MethodGet, editorHref, "", ""},
		}
		for _, tt := range tests {
			for _, inQuery := range []bool{false, true} {
				u, h := s.URL+tt.path, map[string]string{}
				if inQuery {
					u += "?access_token=" + url.QueryEscape(pt)
				} else {
					h["Authorization"] = "Bearer " + pt
				}
				if tt.ctype != "" {
					h["Content-Type"] = tt.ctype
				}
				want := http.StatusUnauthorized
				if tt.name == "rendition" {
					want = http.StatusForbidden // the rendition service (Werkzeug) answers 403
				}
				if r := do(t, tt.method, u, h, tt.body); r.status != want {
					t.Errorf("mode %d, %s (query %v): %d, want %d: %s", mode, tt.name, inQuery, r.status, want, r.body)
				}
			}
		}
		if got := assetDocOf(t, s, LandscapeAsset, s.ServiceToken())["metadata"].(map[string]any)["5"]; got.(map[string]any)["value"] != "Harbour at dawn" {
			t.Errorf("title changed: %v", got)
		}
		// The same token still opens the asset's previews.
		if r := get(t, s, previewsOf(t, doc)[0]["href"].(string), pt, ""); r.status != 200 {
			t.Errorf("mode %d: preview with its previewToken: %d", mode, r.status)
		}
	}
}
