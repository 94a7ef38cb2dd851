package fotowebtest

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// searchAll evaluates q over every live asset and returns file names.
func searchAll(t *testing.T, f *Fake, q string) ([]string, error) {
	t.Helper()
	n, err := parseSearch(q)
	if err != nil {
		return nil, err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []string
	for _, a := range f.assets {
		if !a.deleted && (n == nil || n.match(a)) {
			out = append(out, a.filename)
		}
	}
	return out, nil
}

func TestSearchExpressions(t *testing.T) {
	f := New(Options{})
	tests := []struct {
		q       string
		exact   []string // the complete result, when set
		include []string
		exclude []string
	}{
		{q: "fn:harbour.jpg", exact: []string{"harbour.jpg"}},
		{q: "fn:HARBOUR.JPG", exact: []string{"harbour.jpg"}},
		{q: "fn:*.png", exact: []string{"tiny-150x100.png"}},
		{q: "fn:*.pdf | fn:*.mp4", exact: []string{"press-release-2023.pdf", "ferry-timelapse.mp4"}},
		{q: "fn:*.pdf OR fn:*.eps", exact: []string{"press-release-2023.pdf", "fotoembed-logo.eps"}},
		{q: `"Fishing boats"`, exact: []string{"harbour.jpg"}},
		{q: `5:"Harbour at dawn"`, exact: []string{"harbour.jpg"}},
		{q: "harbour AND boats", exact: []string{"harbour.jpg"}},
		{q: "harbour boats", exact: []string{"harbour.jpg"}},
		{q: `80:"Kari Nordmann" AND 90:Bergen`, exact: []string{"harbour.jpg"}},
		{q: "harbour NOT boats", include: []string{"flåm-harbour-24.jpg"}, exclude: []string{"harbour.jpg"}},
		{q: "25:blåbær", exact: []string{"fjord-blåbær-æøå.jpg"}},
		{q: "BLÅBÆR", include: []string{"fjord-blåbær-æøå.jpg"}},
		{q: "ærlig", include: []string{"fjord-blåbær-æøå.jpg"}},
		{q: "東京", exact: []string{"tokyo-night.jpg"}},
		{q: "🎉", exact: []string{"celebration-emoji.jpg"}},
		{q: "<script>", exact: []string{"script-caption.jpg"}},
		{q: "(fn:lofoten* | fn:small*) AND NOT 25:retro", exact: []string{"lofoten-panorama.jpg"}},
		{q: "(fn:.gif|fn:.jpg|fn:.jpeg|fn:.png|fn:*.svg)AND NOT(25:notforweb)",
			include: []string{"harbour.jpg", "tiny-150x100.png"}, exclude: []string{"press-release-2023.pdf", "fotoembed-logo.eps"}},
		{q: `5:""`, include: []string{"untitled-dunes.jpg"}, exclude: []string{"harbour.jpg"}},
		{q: "dt:document", exact: []string{"press-release-2023.pdf"}},
		{q: "dt:movie", exact: []string{"ferry-timelapse.mp4"}},
		{q: "o:square", include: []string{"moss-square.jpg"}, exclude: []string{"harbour.jpg", "rotated-cliff.jpg"}},
		{q: "o:portrait", include: []string{"rotated-cliff.jpg", "lighthouse-portrait.jpg"}, exclude: []string{"harbour.jpg"}},
		{q: "pw:6000", exact: []string{"lofoten-panorama.jpg"}},
		{q: "pw:5000~~", exact: []string{"harbour.jpg", "lofoten-panorama.jpg"}},
		{q: "ph:~~100", exact: []string{"tiny-150x100.png"}},
		{q: "dn:Fjords", include: []string{"fjord-blåbær-æøå.jpg"}, exclude: []string{"harbour.jpg"}},
		{q: "fp:Nordic/Fjords/*", include: []string{"fjord-blåbær-æøå.jpg"}, exclude: []string{"harbour.jpg"}},
		{q: "mtf:2023-06-19", exact: []string{"harbour.jpg"}},
		{q: "mtt:2023-06-18 AND fn:harbour.jpg", exact: nil},
		{q: "zz:whatever", exact: nil},
		{q: "h?rbour.jpg", exact: []string{"harbour.jpg"}},
		{q: "", include: []string{"harbour.jpg", "staff-party-01.jpg"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, err := searchAll(t, f, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.include == nil && tt.exclude == nil {
				slices.Sort(got)
				want := slices.Clone(tt.exact)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			}
			for _, w := range tt.include {
				if !slices.Contains(got, w) {
					t.Errorf("%s missing from %v", w, got)
				}
			}
			for _, w := range tt.exclude {
				if slices.Contains(got, w) {
					t.Errorf("%s found", w)
				}
			}
		})
	}
}

func TestSearchSyntaxErrors(t *testing.T) {
	for _, q := range []string{"(harbour", "harbour)", "AND", "NOT", "a OR", "()"} {
		if _, err := parseSearch(q); err == nil {
			t.Errorf("%q: no error", q)
		}
	}
	s := newServer(t, Options{})
	if r := get(t, s, PhotosArchive+"?q="+url.QueryEscape("(harbour"), s.ServiceToken(), ""); r.status != 400 {
		t.Errorf("HTTP syntax error: %d", r.status)
	}
}

func TestSearchOverHTTP(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	// A search with more than one page keeps q in its paging links.
	r := get(t, s, PhotosArchive+"?q="+url.QueryEscape("fn:*.jpg"), tok, mtCollection)
	m := r.json(t)
	if m["searchString"] != "fn:*.jpg" || m["href"] != PhotosArchive+"?q=fn%3A*.jpg" {
		t.Errorf("search collection %v %v", m["searchString"], m["href"])
	}
	paging := m["assets"].(map[string]any)["paging"].(map[string]any)
	if paging["next"] != PhotosArchive+"?q=fn%3A*.jpg&p=1" || paging["last"] != PhotosArchive+"?q=fn%3A*.jpg&p=1" ||
		paging["first"] != PhotosArchive+"?q=fn%3A*.jpg" {
		t.Errorf("paging %v", paging)
	}
	// The matrix form, ;p=N before the query.
	sm := newServer(t, Options{PagingLinks: PagingLinksMatrix})
	paging = get(t, sm, PhotosArchive+"?q="+url.QueryEscape("fn:*.jpg"), sm.ServiceToken(), mtAssetList).json(t)["paging"].(map[string]any)
	if paging["next"] != PhotosArchive+";p=1?q=fn%3A*.jpg" {
		t.Errorf("matrix next %v", paging["next"])
	}
	hrefs, _ := walk(t, s, PhotosArchive+"?q="+url.QueryEscape("fn:*.jpg"), tok)
	if len(hrefs) != 40 {
		t.Errorf("%d hits, want 40", len(hrefs))
	}
	for _, h := range hrefs {
		if !strings.HasSuffix(h, ".jpg.info") {
			t.Errorf("hit %s", h)
		}
	}
	// Multi-archive search: one search collection per archive.
	l := get(t, s, "/fotoweb/archives/?q="+url.QueryEscape("fn:*.pdf"), tok, mtCollectionList).json(t)
	counts := map[string]float64{}
	for _, c := range list(t, l, "data") {
		counts[c["name"].(string)] = c["assetCount"].(float64)
	}
	if counts["Photos"] != 0 || counts["Press"] != 1 || counts["Internal"] != 0 || len(counts) != 3 {
		t.Errorf("counts %v", counts)
	}
	// Non-ASCII, predicate parameters and repeated q.
	for _, u := range []string{
		PhotosArchive + "?q=" + url.QueryEscape("blåbær"),
		PhotosArchive + "?fn=" + url.QueryEscape("fjord-blåbær-æøå.jpg"),
		PhotosArchive + "?q=fjord&q=" + url.QueryEscape("25:sommer"),
		PhotosArchive + "?25=nope&25=" + url.QueryEscape("blåbær"),
	} {
		hrefs, _ := walk(t, s, u, tok)
		if len(hrefs) != 1 || hrefs[0] != NorwegianAsset {
			t.Errorf("%s: %v", u, hrefs)
		}
	}
	// Both forms are understood, whichever the fake writes.
	for _, u := range []string{PhotosArchive + "?q=fn%3A*.jpg&p=1", PhotosArchive + ";p=1?q=fn%3A*.jpg"} {
		if a := list(t, get(t, s, u, tok, mtAssetList).json(t), "data"); len(a) != 15 {
			t.Errorf("%s: %d assets", u, len(a))
		}
	}
}
