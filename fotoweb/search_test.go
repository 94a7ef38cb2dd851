package fotoweb

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// archiveSearchURL returns the searchURL of the archive with href.
func archiveSearchURL(t *testing.T, c *Client, href string) string {
	t.Helper()
	archives, err := c.Archives(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range archives {
		if a.Href == href {
			return a.SearchURL
		}
	}
	t.Fatalf("no archive %s", href)
	return ""
}

func hrefsOf(as []Asset) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Href)
	}
	slices.Sort(out)
	return out
}

func assetsUnder(f *fotowebtest.Server, prefix string) []string {
	var out []string
	for _, h := range f.Assets() {
		if strings.HasPrefix(h, prefix) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

func TestSearchPaging(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{PageSize: 5}, Config{})
	ctx := context.Background()
	// Photos (5001) ends its pages with null, Press (5002) with "".
	for _, archive := range []string{fotowebtest.PhotosArchive, fotowebtest.PressArchive} {
		search := archiveSearchURL(t, e.c, archive)
		want := assetsUnder(e.fake, archive)
		before := len(e.wire.all())
		got, err := e.c.Search(ctx, search, "", 0)
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		if !slices.Equal(hrefsOf(got), want) {
			t.Errorf("%s: %d results, want %d:\n%q\n%q", archive, len(got), len(want), hrefsOf(got), want)
		}
		if n, pages := len(e.wire.all())-before, (len(want)+4)/5; n != pages {
			t.Errorf("%s: %d requests for %d pages", archive, n, pages)
		}
	}
	search := archiveSearchURL(t, e.c, fotowebtest.PhotosArchive)
	before := len(e.wire.all())
	got, err := e.c.Search(ctx, search, "", 7)
	if err != nil || len(got) != 7 {
		t.Fatalf("limit 7: %d, %v", len(got), err)
	}
	if n := len(e.wire.all()) - before; n != 2 {
		t.Errorf("limit 7 with 5 a page took %d requests, want 2", n)
	}
}

// TestSearchPagingKeepsQuery pages through queries with spaces, quotes
// and non-ASCII (the fake's next links carry ?q=...): small pages must give
// the same hits as one big page.
func TestSearchPagingKeepsQuery(t *testing.T) {
	small := newEnv(t, fotowebtest.Options{PageSize: 3}, Config{})
	big := newEnv(t, fotowebtest.Options{PageSize: 1000}, Config{})
	for _, q := range []string{`Nordmann`, `"Kari Nordmann"`, `Ålesund OR Tromsø`, `80:"Åse Ødegård"`} {
		var got [2][]string
		for i, e := range []*env{small, big} {
			res, err := e.c.SearchAll(context.Background(), q, 0)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			got[i] = hrefsOf(res)
		}
		if len(got[1]) <= 3 || !slices.Equal(got[0], got[1]) {
			t.Errorf("%q: paged %d hits %q, unpaged %d hits %q", q, len(got[0]), got[0], len(got[1]), got[1])
		}
	}
}

func TestSearchEncoding(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	search := archiveSearchURL(t, e.c, fotowebtest.PhotosArchive)
	tests := []struct {
		query string
		want  []string
	}{
		{`summer party`, []string{fotowebtest.SpaceNameAsset}},
		{`"summer party"`, []string{fotowebtest.SpaceNameAsset}},
		{`5:"Summer party 2023"`, []string{fotowebtest.SpaceNameAsset}},
		{`blåbær`, []string{fotowebtest.NorwegianAsset}},
		{`東京`, []string{fotowebtest.CJKAsset}},
		{`25:a&b`, []string{fotowebtest.ScriptAsset}},
		{`fn:harbour.jpg OR fn:moss-square.jpg`, []string{fotowebtest.LandscapeAsset, fotowebtest.SquareAsset}},
		{`🎉`, []string{fotowebtest.EmojiAsset}},
		{`no-such-word-anywhere`, nil},
	}
	for _, tc := range tests {
		got, err := e.c.Search(context.Background(), search, tc.query, 0)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.query, err)
			continue
		}
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(hrefsOf(got), want) {
			t.Errorf("Search(%q) = %q, want %q", tc.query, hrefsOf(got), want)
		}
	}
}

func TestSearchAll(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{PageSize: 3}, Config{})
	got, err := e.c.SearchAll(context.Background(), `party`, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fotowebtest.SpaceNameAsset, fotowebtest.HiddenAsset}
	slices.Sort(want)
	if !slices.Equal(hrefsOf(got), want) {
		t.Errorf("SearchAll(party) = %q, want %q", hrefsOf(got), want)
	}
	all, err := e.c.SearchAll(context.Background(), "", 0)
	if err != nil || len(all) != len(e.fake.Assets()) {
		t.Errorf("SearchAll(\"\") = %d assets, %v; want %d", len(all), err, len(e.fake.Assets()))
	}
	some, err := e.c.SearchAll(context.Background(), "", 4)
	if err != nil || len(some) != 4 {
		t.Errorf("SearchAll limit 4 = %d, %v", len(some), err)
	}
}

// TestCollectionFirstPageNested reads a search result as collection+json,
// where the first page of assets is nested under "assets" and "data" is a
// string: the page decoder takes the nested page.
func TestCollectionFirstPageNested(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{PageSize: 4}, Config{})
	u, err := e.c.resolve(expandSearch(archiveSearchURL(t, e.c, fotowebtest.PhotosArchive), "Nordmann"))
	if err != nil {
		t.Fatal(err)
	}
	var p assetPage
	if err := e.c.getJSON(context.Background(), u, "application/vnd.fotoware.collection+json", &p); err != nil {
		t.Fatal(err)
	}
	if p.Data != nil || p.Assets == nil || len(p.Assets.Data) != 4 || next(p.Assets.Paging) == "" {
		t.Fatalf("nested page not found: data %d, assets %+v", len(p.Data), p.Assets)
	}
}
