package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// pageJSON is an answer of GET /v1/assets.
type pageJSON struct {
	Assets []struct {
		Ref, Title, Filename, Thumbnail string
		Archive                         string
		ArchiveID                       string `json:"archive_id"`
		Alt, Caption, Credit            string
		Width, Height                   int
	}
	Next       string
	Total      int
	TotalExact bool `json:"total_exact"`
}

// assetsPage asks for one page; cursor "" is the first.
func (e *env) assetsPage(t *testing.T, params url.Values, cursor string, hdr ...string) pageJSON {
	t.Helper()
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	if cursor != "" {
		p.Set("cursor", cursor)
	}
	if len(hdr) == 0 {
		hdr = []string{"X-API-Key", testAPIKey}
	}
	r := e.get("/v1/assets?"+p.Encode(), hdr...)
	wantStatus(t, r, http.StatusOK)
	var got pageJSON
	decode(t, r, &got)
	return got
}

// refs returns the refs of a page.
func (p pageJSON) refs() []string {
	out := make([]string, len(p.Assets))
	for i, a := range p.Assets {
		out[i] = a.Ref
	}
	return out
}

// searchOrder is what FotoWeb itself answers for an archive search, in
// its order: the truth the pages are compared with.
func (e *env) searchOrder(t *testing.T, archive string) []string {
	t.Helper()
	cols, err := e.client.Archives(context.Background())
	must(t, err)
	for _, c := range cols {
		if archiveMatches(c, archive) {
			as, err := e.client.Search(context.Background(), c.SearchURL, "", 0)
			must(t, err)
			var out []string
			for _, a := range as {
				if a.Doctype == "image" || len(a.Previews) > 0 {
					out = append(out, a.Href)
				}
			}
			return out
		}
	}
	t.Fatalf("no archive %s", archive)
	return nil
}

// TestAssetsPagingLargeArchive walks a large archive (the fake's
// synthetic assets) page by page with the next cursor: every image once,
// in FotoWeb's order, with the total, the last page without next.
func TestAssetsPagingLargeArchive(t *testing.T) {
	e := newEnv(t, envOptions{fake: fotowebtest.Options{ExtraAssets: 260}})
	want := e.searchOrder(t, "5001")
	params := url.Values{"archive": {"5001"}, "limit": {"50"}}
	var got []string
	cursor, pages := "", 0
	for {
		p := e.assetsPage(t, params, cursor)
		pages++
		if pages == 1 && (p.Total < len(want) || !p.TotalExact) {
			t.Errorf("first page: total %d (exact %v), want %d exact", p.Total, p.TotalExact, len(want))
		}
		if len(p.Assets) > 50 {
			t.Fatalf("page %d has %d assets, limit 50", pages, len(p.Assets))
		}
		for _, a := range p.Assets {
			if a.Archive != "Photos" || a.ArchiveID != "5001" || a.Thumbnail == "" {
				t.Fatalf("hit %+v", a)
			}
		}
		got = append(got, p.refs()...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
		if pages > 20 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged %d refs, FotoWeb lists %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	if pages != (len(want)+49)/50 {
		t.Errorf("%d pages for %d images", pages, len(want))
	}

	// An old client (no cursor, no limit) still gets the first page.
	r := e.api(http.MethodGet, "/v1/assets", nil)
	wantStatus(t, r, http.StatusOK)
	var old pageJSON
	decode(t, r, &old)
	if len(old.Assets) != DefaultSearchLimit || old.Next == "" {
		t.Errorf("no cursor: %d assets, next %q", len(old.Assets), old.Next)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestAssetsPagingMovingBoundary changes the archive between two pages:
// assets further down are modified (FotoWeb lists them first now),
// assets on the first page are deleted, and the last asset of the first
// page is deleted too. The second page still starts right after what the
// editor saw: nothing seen again, nothing skipped. Paging by offset
// would show the first page's end again.
func TestAssetsPagingMovingBoundary(t *testing.T) {
	for _, tt := range []struct {
		name       string
		deleteLast bool
	}{{"assets added before the boundary", false}, {"the last asset seen deleted", true}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{fake: fotowebtest.Options{ExtraAssets: 150}})
			params := url.Values{"archive": {"5001"}, "limit": {"40"}}
			first := e.assetsPage(t, params, "")
			if first.Next == "" || len(first.Assets) != 40 {
				t.Fatalf("first page: %d assets, next %q", len(first.Assets), first.Next)
			}
			seen := first.refs()
			before := e.searchOrder(t, "5001")

			// Five assets from later pages are edited: they move up,
			// before the boundary. Two seen assets are deleted.
			for _, href := range before[60:65] {
				e.fake.SetMetadata(href, 5, "edited while browsing")
			}
			e.fake.DeleteAsset(seen[3])
			e.fake.DeleteAsset(seen[10])
			last := seen[len(seen)-1]
			if tt.deleteLast {
				e.fake.DeleteAsset(last)
			}

			second := e.assetsPage(t, params, first.Next)
			now := e.searchOrder(t, "5001")
			// What the editor has not seen yet, in the archive's order now.
			at := slices.Index(before, last) + 1
			var want []string
			for _, href := range before[at:] {
				if slices.Contains(now, href) && !slices.Contains(before[60:65], href) {
					want = append(want, href)
				}
			}
			want = want[:min(40, len(want))]
			got := second.refs()
			if !slices.Equal(got, want) {
				t.Errorf("second page starts with %v…, want %v…", got[:3], want[:3])
			}
			for _, href := range got {
				if slices.Contains(seen, href) {
					t.Errorf("second page shows %s again", href)
				}
			}

			// Offset paging would have repeated the end of the first page.
			pos := slices.Index(now, got[0])
			if pos == 40 {
				t.Errorf("the page boundary did not move (%d): the test changes nothing", pos)
			}
		})
	}
}

func TestAssetsCursorErrors(t *testing.T) {
	e := newEnv(t, envOptions{fake: fotowebtest.Options{ExtraAssets: 60}})
	first := e.assetsPage(t, url.Values{"archive": {"5001"}, "limit": {"10"}}, "")
	c := first.Next
	for name, cur := range map[string]string{
		"garbled":         c[:len(c)-3] + "AAA",
		"not base64":      "!!!.???",
		"no signature":    strings.Split(c, ".")[0],
		"empty signature": strings.Split(c, ".")[0] + ".",
		"too long":        strings.Repeat("A", maxCursor+1),
		"forged body":     "AXsidiI6MSwicSI6IiIsImEiOiI1MDAzIiwicyI6IioiLCJvIjowfQ." + strings.Split(c, ".")[1],
	} {
		t.Run(name, func(t *testing.T) {
			r := e.api(http.MethodGet, "/v1/assets?archive=5001&cursor="+url.QueryEscape(cur), nil)
			wantStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(string(r.body), "cursor is not valid") {
				t.Errorf("body %s", r.body)
			}
		})
	}
	// A cursor is for the search it came from.
	r := e.api(http.MethodGet, "/v1/assets?archive=5002&cursor="+url.QueryEscape(c), nil)
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "another search") {
		t.Errorf("other archive: %s", r.body)
	}
	wantStatus(t, e.api(http.MethodGet, "/v1/assets?q=harbour&archive=5001&cursor="+url.QueryEscape(c), nil), http.StatusBadRequest)
	// Without q and archive, the cursor's own are used.
	if p := e.assetsPage(t, url.Values{"limit": {"10"}}, c); len(p.Assets) == 0 || p.Assets[0].ArchiveID != "5001" {
		t.Errorf("cursor alone: %+v", p)
	}
}
