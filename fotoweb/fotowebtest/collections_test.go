package fotowebtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// walk follows paging.next from start and returns every asset href and
// the raw paging objects seen.
func walk(t *testing.T, s *Server, start, token string) (hrefs []string, pagings []map[string]any) {
	t.Helper()
	next := start
	for i := 0; next != ""; i++ {
		if i > 100 {
			t.Fatal("paging does not end")
		}
		r := get(t, s, next, token, mtAssetList)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		m := r.json(t)
		for _, a := range list(t, m, "data") {
			hrefs = append(hrefs, a["href"].(string))
		}
		p, _ := m["paging"].(map[string]any)
		if p == nil {
			return hrefs, append(pagings, nil)
		}
		pagings = append(pagings, p)
		if p["first"] == nil || p["first"] == "" {
			t.Errorf("first is %v", p["first"])
		}
		next, _ = p["next"].(string)
	}
	return hrefs, pagings
}

func TestPagingEnds(t *testing.T) {
	s := newServer(t, Options{PageSize: 5})
	tok := s.ServiceToken()
	tests := []struct {
		archive string
		end     any // what prev/next hold at the ends
		total   int
	}{
		{PhotosArchive, nil, 41},
		{PressArchive, "", 16},
		{InternalArchive, nil, 8},
	}
	for _, tt := range tests {
		hrefs, pagings := walk(t, s, tt.archive, tok)
		if len(hrefs) != tt.total {
			t.Errorf("%s: %d assets, want %d", tt.archive, len(hrefs), tt.total)
		}
		seen := map[string]bool{}
		for _, h := range hrefs {
			if seen[h] {
				t.Errorf("%s twice", h)
			}
			seen[h] = true
		}
		first, last := pagings[0], pagings[len(pagings)-1]
		if v, ok := first["prev"]; !ok || v != tt.end {
			t.Errorf("%s: first page prev = %#v, want %#v", tt.archive, v, tt.end)
		}
		if v, ok := last["next"]; !ok || v != tt.end {
			t.Errorf("%s: last page next = %#v, want %#v", tt.archive, v, tt.end)
		}
		if !strings.HasSuffix(first["last"].(string), ";p="+itoa(len(pagings)-1)) {
			t.Errorf("last link %v", first["last"])
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestPagingStyles(t *testing.T) {
	for _, tt := range []struct {
		style PagingEndStyle
		end   any
	}{{PagingEndsNull, nil}, {PagingEndsEmpty, ""}} {
		s := newServer(t, Options{PagingEnds: tt.style})
		for _, arch := range s.Archives() {
			_, pagings := walk(t, s, arch, s.ServiceToken())
			if p := pagings[len(pagings)-1]; p != nil && p["next"] != tt.end {
				t.Errorf("style %d, %s: next %#v", tt.style, arch, p["next"])
			}
		}
	}
}

// TestPagingShapes: 2024 lists carry a paging object even on one page
// ("" ends, null counters, first without the query, as recorded), paged
// ones index/totalPages/count; 2023 lists have "paging": null on one page
// (a paging object only with PageAlways) and no counters.
func TestPagingShapes(t *testing.T) {
	s := newServer(t, Options{PagingEnds: PagingEndsEmpty})
	tok := s.ServiceToken()
	m := get(t, s, InternalArchive+"?q=party", tok, mtAssetList).json(t)
	want := map[string]any{"next": "", "prev": "", "first": InternalArchive, "last": "", "index": nil, "totalPages": nil, "count": nil}
	if p, ok := m["paging"].(map[string]any); !ok || !equalMaps(p, want) {
		t.Errorf("2024 single page: paging = %#v, want %#v", m["paging"], want)
	}
	l := get(t, s, "/fotoweb/archives/?q=party", tok, mtCollectionList).json(t)
	want["first"] = "/fotoweb/archives/"
	if p, ok := l["paging"].(map[string]any); !ok || !equalMaps(p, want) {
		t.Errorf("2024 collection list: paging = %#v, want %#v", l["paging"], want)
	}
	s5 := newServer(t, Options{PageSize: 5})
	_, pagings := walk(t, s5, PhotosArchive+"?q=Nordmann", s5.ServiceToken())
	for i, p := range pagings {
		if p["index"] != float64(i) || p["totalPages"] != float64(len(pagings)) || p["count"].(float64) <= 5 {
			t.Errorf("2024 page %d: index %v totalPages %v count %v", i, p["index"], p["totalPages"], p["count"])
		}
	}

	s23 := newServer(t, Options{Flavour: FlavourSaaS2023})
	for _, u := range []string{InternalArchive, "/fotoweb/archives/?q=party"} {
		m = get(t, s23, u, s23.ServiceToken(), "").json(t)
		if u == InternalArchive {
			m = m["assets"].(map[string]any)
		}
		if p, ok := m["paging"]; !ok || p != nil {
			t.Errorf("2023 %s: paging = %#v, want null", u, p)
		}
	}
	s23 = newServer(t, Options{Paging: Paging2023, PageAlways: true})
	m = get(t, s23, InternalArchive, s23.ServiceToken(), mtAssetList).json(t)
	p := m["paging"].(map[string]any)
	if p["first"] != InternalArchive || p["next"] != nil || p["last"] != InternalArchive+";p=0" {
		t.Errorf("paging %v", p)
	}
	if _, ok := p["index"]; ok {
		t.Errorf("2023 paging has index: %v", p)
	}
}

func equalMaps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestListCacheControl: asset lists and collection lists carry the
// Cache-Control values recorded for them, or the configured ones.
func TestListCacheControl(t *testing.T) {
	for _, tt := range []struct {
		opts          Options
		assets, colls string
	}{
		{Options{}, "private, max-age=30", "private, max-age=5"},
		{Options{AssetListCacheControl: "private, max-age=5", CollectionListCacheControl: "no-cache"}, "private, max-age=5", "no-cache"},
	} {
		s := newServer(t, tt.opts)
		tok := s.ServiceToken()
		for _, c := range []struct{ path, accept, want string }{
			{PhotosArchive, mtAssetList, tt.assets},
			{PhotosArchive + "?q=harbour", mtAssetList, tt.assets},
			{PhotosArchive, mtCollectionList, tt.colls},
			{"/fotoweb/me/archives/", "", tt.colls},
			{"/fotoweb/archives/?q=harbour", mtCollectionList, tt.colls},
		} {
			if cc := get(t, s, c.path, tok, c.accept).header.Get("Cache-Control"); cc != c.want {
				t.Errorf("%s (%s): Cache-Control %q, want %q", c.path, c.accept, cc, c.want)
			}
		}
	}
}

func TestCollectionRepresentations(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	tests := []struct {
		accept, ctype string
		check         func(t *testing.T, m map[string]any)
	}{
		{"", mtCollection, func(t *testing.T, m map[string]any) {
			assets := m["assets"].(map[string]any)
			if len(list(t, assets, "data")) != 25 || assets["paging"] == nil {
				t.Errorf("assets %v", assets["paging"])
			}
			if len(list(t, m["children"].(map[string]any), "data")) != 3 {
				t.Errorf("children %v", m["children"])
			}
			if m["searchURL"] != PhotosArchive+"{?q}" || m["assetCount"] != 41.0 || m["created"] != "" {
				t.Errorf("collection %v %v %v", m["searchURL"], m["assetCount"], m["created"])
			}
		}},
		{mtCollectionInfo, mtCollectionInfo, func(t *testing.T, m map[string]any) {
			if _, ok := m["assets"]; ok {
				t.Error("collectioninfo has assets")
			}
		}},
		{mtCollectionList, mtCollectionList, func(t *testing.T, m map[string]any) {
			var names []string
			for _, c := range list(t, m, "data") {
				names = append(names, c["href"].(string))
			}
			want := PhotosArchive + "Folder%2019/ " + PhotosArchive + "Landscapes/ " + PhotosArchive + "Nordic/"
			if strings.Join(names, " ") != want {
				t.Errorf("children %v", names)
			}
		}},
		{mtAssetList, mtAssetList, func(t *testing.T, m map[string]any) {
			if len(list(t, m, "data")) != 25 {
				t.Error("want 25 assets")
			}
		}},
		{"application/json", mtJSON, func(t *testing.T, m map[string]any) {
			if _, ok := m["assets"]; !ok {
				t.Error("application/json should give the collection")
			}
		}},
		{"text/html, */*;q=0.1", mtCollection, nil},
	}
	for _, tt := range tests {
		r := get(t, s, PhotosArchive, tok, tt.accept)
		if r.status != 200 || r.header.Get("Content-Type") != tt.ctype+"; charset=utf-8" {
			t.Errorf("Accept %q: %d %q", tt.accept, r.status, r.header.Get("Content-Type"))
			continue
		}
		if tt.check != nil {
			tt.check(t, r.json(t))
		}
	}
	if r := get(t, s, PhotosArchive, tok, "image/png"); r.status != 406 {
		t.Errorf("406: %d", r.status)
	}
	// Later pages of a collection+json request are plain asset lists.
	r := get(t, s, PhotosArchive+";p=1", tok, mtCollection)
	if r.header.Get("Content-Type") != mtAssetList+"; charset=utf-8" || len(list(t, r.json(t), "data")) != 16 {
		t.Errorf("page 1: %q", r.header.Get("Content-Type"))
	}
	if r := do(t, http.MethodPost, s.URL+PhotosArchive+"?q=x", map[string]string{"Authorization": "Bearer " + tok}, ""); r.status != 405 {
		t.Errorf("POST to a searchURL: %d", r.status)
	}
}

func TestFoldersOrderAndDataURL(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.UserToken()
	folder := get(t, s, PhotosArchive+"Nordic/", tok, "").json(t)
	if folder["type"] != "folder" || folder["assetCount"].(float64) < 2 {
		t.Errorf("folder %v %v", folder["type"], folder["assetCount"])
	}
	fjords, _ := walk(t, s, PhotosArchive+"Nordic/Fjords/", tok)
	found := false
	for _, h := range fjords {
		found = found || h == NorwegianAsset
	}
	if !found {
		t.Errorf("%s not in %v", NorwegianAsset, fjords)
	}
	byName, _ := walk(t, s, PhotosArchive+";o=fn", tok)
	for i := 1; i < len(byName); i++ {
		if strings.ToLower(fileOf(byName[i-1])) > strings.ToLower(fileOf(byName[i])) {
			t.Errorf("not sorted by name: %s > %s", byName[i-1], byName[i])
		}
	}
	// The archive's data URL lists the same assets as its href.
	archives := list(t, get(t, s, "/fotoweb/me/archives/", tok, "").json(t), "data")
	data := archives[0]["data"].(string)
	viaData, _ := walk(t, s, data, tok)
	viaHref, _ := walk(t, s, PhotosArchive, tok)
	if strings.Join(viaData, " ") != strings.Join(viaHref, " ") {
		t.Error("data URL and href list different assets")
	}
	if r := get(t, s, data, s.ServiceToken(), ""); r.status != 404 {
		t.Errorf("another user's data URL: %d", r.status)
	}
}

func fileOf(href string) string { return decoded(href[strings.LastIndex(href, "/")+1:]) }
