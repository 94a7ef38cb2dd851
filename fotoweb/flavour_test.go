package fotoweb

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"golang.org/x/oauth2"
)

// flavourSuite are this package's tests that run again against the
// fake's other flavours (TestFlavours): they talk to a fake made by
// newEnv, which takes testFlavour. Tests that generate large rendition
// files are left out (slow under -race); TestWireForms fetches a small
// rendition in each flavour.
var flavourSuite = []struct {
	name string
	test func(*testing.T)
}{
	{"DescriptorCachedAndArchives", TestDescriptorCachedAndArchives},
	{"AssetAndRefs", TestAssetAndRefs},
	{"TokenPlacement", TestTokenPlacement},
	{"RenditionGone", TestRenditionGone},
	{"RenditionNotReady", TestRenditionNotReady},
	{"OpenAccessTokenOnly", TestOpenAccessTokenOnly},
	{"UnauthorizedInvalidatesAndRetriesOnce", TestUnauthorizedInvalidatesAndRetriesOnce},
	{"UnauthorizedWithoutInvalidatorFails", TestUnauthorizedWithoutInvalidatorFails},
	{"SearchPaging", TestSearchPaging},
	{"SearchPagingKeepsQuery", TestSearchPagingKeepsQuery},
	{"SearchEncoding", TestSearchEncoding},
	{"SearchAll", TestSearchAll},
	{"CollectionFirstPageNested", TestCollectionFirstPageNested},
	{"NoTokenInErrors", TestNoTokenInErrors},
	{"WireForms", TestWireForms},
}

// TestFlavours runs flavourSuite against FlavourSaaS2023 and
// FlavourOnPrem80 (the default flavour runs them as top-level tests).
func TestFlavours(t *testing.T) {
	for _, fl := range fotowebtest.Flavours {
		if fl == fotowebtest.FlavourSaaS2024 {
			continue
		}
		t.Run(fl.String(), func(t *testing.T) {
			testFlavour = fl
			defer func() { testFlavour = fotowebtest.FlavourSaaS2024 }()
			for _, tc := range flavourSuite {
				t.Run(tc.name, tc.test)
			}
		})
	}
}

// TestWireForms: in the flavour under test, the client reads assets
// (without doctype, previewToken and profile on 8.0), opens their
// previews with the access token and fetches the original rendition.
func TestWireForms(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx := context.Background()
	onPrem := testFlavour == fotowebtest.FlavourOnPrem80
	for _, ref := range []string{landscape, fotowebtest.TinyAsset, fotowebtest.NorwegianAsset, fotowebtest.GraphicAsset} {
		a, err := e.c.Asset(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if (a.Doctype == "") != onPrem || (a.PreviewToken == "") != onPrem || len(a.Previews) != 12 {
			t.Errorf("%s: doctype %q previewToken %v, %d previews", ref, a.Doctype, a.PreviewToken != "", len(a.Previews))
		}
		for _, r := range a.Renditions {
			if (r.Profile == "") != onPrem || r.Href == "" {
				t.Errorf("%s: rendition %+v", ref, r)
			}
		}
		if onPrem && !strings.HasPrefix(a.Previews[0].Href, "/fotoweb/cache/500") {
			t.Errorf("%s: preview href %s", ref, a.Previews[0].Href)
		}
		p := a.Previews[4] // the 200 preview
		b, err := e.c.Open(ctx, p.Href, a.PreviewToken, nil)
		if err != nil {
			t.Fatalf("%s: open %s: %v", ref, p.Href, err)
		}
		n, _ := io.Copy(io.Discard, b)
		b.Close()
		if b.Status != 200 || n == 0 || b.ContentType != "image/jpeg" {
			t.Errorf("%s: preview %d, %d bytes, %q", ref, b.Status, n, b.ContentType)
		}
	}
	a, err := e.c.Asset(ctx, fotowebtest.VideoAsset)
	if err != nil || len(a.Previews) != 0 || (a.Doctype == "movie") == onPrem {
		t.Errorf("video: %+v %v", a, err)
	}
	b, err := e.c.Rendition(ctx, originalOf(t, e.c, fotowebtest.SmallAsset))
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}

// TestPagingForms: the client walks paged lists in every recorded form:
// ?q=...&p=N and ;p=N links, 2024 objects with numbers and null
// counters, 2023 objects, ends null and "".
func TestPagingForms(t *testing.T) {
	ref := newEnv(t, fotowebtest.Options{PageSize: 1000}, Config{})
	want, err := ref.c.Search(context.Background(), archiveSearchURL(t, ref.c, fotowebtest.PhotosArchive), "Nordmann", 0)
	if err != nil || len(want) <= 8 {
		t.Fatalf("unpaged: %d hits, %v", len(want), err)
	}
	for _, links := range []fotowebtest.PagingLinkStyle{fotowebtest.PagingLinksQuery, fotowebtest.PagingLinksMatrix} {
		for _, shape := range []fotowebtest.PagingShape{fotowebtest.Paging2024, fotowebtest.Paging2023} {
			for _, ends := range []fotowebtest.PagingEndStyle{fotowebtest.PagingEndsNull, fotowebtest.PagingEndsEmpty} {
				e := newEnv(t, fotowebtest.Options{PageSize: 4, PagingLinks: links, Paging: shape, PagingEnds: ends}, Config{})
				search := archiveSearchURL(t, e.c, fotowebtest.PhotosArchive)
				got, err := e.c.Search(context.Background(), search, "Nordmann", 0)
				if err != nil {
					t.Fatalf("links %d shape %d ends %d: %v", links, shape, ends, err)
				}
				if !slices.Equal(hrefsOf(got), hrefsOf(want)) {
					t.Errorf("links %d shape %d ends %d: %d hits, want %d", links, shape, ends, len(got), len(want))
				}
				all, err := e.c.SearchAll(context.Background(), "Nordmann", 0)
				if err != nil || len(all) < len(got) {
					t.Errorf("SearchAll: %d, %v", len(all), err)
				}
			}
		}
	}
}

// TestDecodePagingObjects decodes the paging objects FotoWeb sends: the
// 2024 one recorded on a one-page list (collectionListWithPaging.json),
// one with numbers, and garbage in the counters.
func TestDecodePagingObjects(t *testing.T) {
	three, one := 3, 1
	zero := 0
	tests := []struct {
		in   string
		want Paging
	}{
		{`{"next": "", "prev": "", "first": "/fotoweb/archives/", "last": "", "index": null, "totalPages": null, "count": null}`,
			Paging{First: "/fotoweb/archives/"}},
		{`{"prev": "/a/?q=x", "next": "/a/?q=x&p=2", "first": "/a/?q=x", "last": "/a/?q=x&p=2", "index": 1, "totalPages": 3.0, "count": "3"}`,
			Paging{Prev: "/a/?q=x", Next: "/a/?q=x&p=2", First: "/a/?q=x", Last: "/a/?q=x&p=2", Index: &one, TotalPages: &three, Count: &three}},
		{`{"prev": null, "next": "/a/;p=1", "first": "/a/", "last": null, "index": 0, "totalPages": "", "count": "many"}`,
			Paging{Next: "/a/;p=1", First: "/a/", Index: &zero}},
	}
	for _, tc := range tests {
		var p Paging
		if err := decodeJSON([]byte(tc.in), &p); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !equalPaging(p, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.in, p, tc.want)
		}
	}
}

func equalPaging(a, b Paging) bool {
	eq := func(x, y *int) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Prev == b.Prev && a.Next == b.Next && a.First == b.First && a.Last == b.Last &&
		eq(a.Index, b.Index) && eq(a.TotalPages, b.TotalPages) && eq(a.Count, b.Count)
}

// TestRenditionServiceErrors: the rendition service's Werkzeug pages
// become *Errors with the status, a sentinel where one exists and the
// page's title as Body, never its markup.
func TestRenditionServiceErrors(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx := context.Background()
	href := originalOf(t, e.c, landscape)
	svc, _ := e.c.resolve("/fotoweb/services/renditions")
	check := func(what string, err error, status int, title string, is error) {
		t.Helper()
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != status || fe.Body != title || (is != nil && !errors.Is(err, is)) {
			t.Errorf("%s: %v, want a %d *Error with Body %q", what, err, status, title)
			return
		}
		if strings.ContainsAny(err.Error(), "<>") {
			t.Errorf("%s: markup in %q", what, err)
		}
	}
	// The client's own requests: an unknown rendition, a dead token.
	_, err := e.c.Rendition(ctx, "/fotoweb/archives/5001-Photos/nope.jpg.info/__renditions/ORIGINAL")
	check("unknown rendition", err, 404, "404 Not Found", ErrNotFound)
	e.c.cfg.Tokens = plainTokens{e.tokens}
	e.fake.RevokeTokens()
	_, err = e.c.Rendition(ctx, href)
	check("revoked token", err, 403, "403 Forbidden", ErrForbidden)
	e.c.cfg.Tokens = e.tokens
	dead, _ := e.tokens.Token()
	e.tokens.Invalidate(dead)

	// What the client never sends, sent through its own machinery to see
	// the answers mapped: a wrong media type, a malformed body.
	for _, tc := range []struct {
		ctype, body string
		status      int
		title       string
	}{
		{"application/json", `{"href": "` + href + `"}`, 415, "415 Unsupported Media Type"},
		{mtRenditionRequest, `{`, 400, "400 Bad Request"},
	} {
		cl := &call{method: http.MethodPost, u: svc, accept: mtRenditionResp, ctype: tc.ctype, body: []byte(tc.body), inHeader: true}
		r, err := e.c.send(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		check(tc.ctype+" "+tc.body, e.c.statusError(cl, r), tc.status, tc.title, nil)
	}
}

// TestRenditionHeaderWithTokenInQuery: with TokenInQuery the rendition
// request still carries the token in the header (the service refuses it
// in the query); the polls follow the configuration.
func TestRenditionHeaderWithTokenInQuery(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{TokenInQuery: true})
	b, err := e.c.Rendition(context.Background(), originalOf(t, e.c, fotowebtest.SmallAsset))
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	tok := e.tokens.allIssued()[0]
	for _, r := range e.wire.all() {
		post := r.path == "/fotoweb/services/renditions"
		if post && (r.auth != "Bearer "+tok || r.queryToken != "") || !post && (r.auth != "" || r.queryToken != tok) {
			t.Errorf("%s %s: auth %q query token %v", r.method, r.path, r.auth, r.queryToken != "")
		}
	}
}

// TestUnauthorizedForms: a 401 in plain text, with or without
// WWW-Authenticate, or JSON, is retried once with a new token, and when
// it stays it is a typed error whose Body is the text.
func TestUnauthorizedForms(t *testing.T) {
	for _, style := range []fotowebtest.UnauthorizedStyle{fotowebtest.UnauthorizedText,
		fotowebtest.UnauthorizedTextChallenge, fotowebtest.UnauthorizedJSON} {
		e := newEnv(t, fotowebtest.Options{Unauthorized: style}, Config{})
		ctx := context.Background()
		if _, err := e.c.Asset(ctx, landscape); err != nil {
			t.Fatal(err)
		}
		e.fake.RevokeTokens()
		if _, err := e.c.Asset(ctx, landscape); err != nil || e.tokens.invalidated.Load() != 1 {
			t.Errorf("style %d: after revocation %v, invalidated %d", style, err, e.tokens.invalidated.Load())
		}
		e.c.cfg.Tokens = plainTokens{e.tokens}
		e.fake.RevokeTokens()
		_, err := e.c.Asset(ctx, landscape)
		var fe *Error
		if !errors.As(err, &fe) || !errors.Is(err, ErrUnauthorized) || !strings.Contains(fe.Body, "Unauthorized") {
			t.Errorf("style %d: %v", style, err)
		}
		if style != fotowebtest.UnauthorizedJSON && fe != nil && fe.Body != "Unauthorized: You are not authorized to access this resource" {
			t.Errorf("style %d: Body %q", style, fe.Body)
		}
	}
}

// TestTokenAnswers: the client works with the real token source whether
// the client_credentials answer carries a refresh_token (SaaS 2023) or
// not (SaaS 2024, documented).
func TestTokenAnswers(t *testing.T) {
	for _, fl := range fotowebtest.Flavours {
		fake := fotowebtest.NewServer(fotowebtest.Options{Flavour: fl})
		t.Cleanup(fake.Close)
		ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{BaseURL: fake.URL,
			ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret}, tokens.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(Config{BaseURL: fake.URL, Tokens: ts})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Asset(context.Background(), landscape); err != nil {
			t.Errorf("%s: %v", fl, err)
		}
		tok, err := ts.Token()
		if err != nil || tok.AccessToken == "" {
			t.Errorf("%s: token %v", fl, err)
		}
	}
}

func TestErrorText(t *testing.T) {
	werkzeug := "<!doctype html>\n<html lang=en>\n<title>403 Forbidden</title>\n<h1>Forbidden</h1>\n<p>You don&#39;t have the permission to access the requested resource.</p>\n"
	tests := []struct {
		ctype, body, want string
	}{
		{"text/html; charset=utf-8", werkzeug, "403 Forbidden"},
		{"", werkzeug, "403 Forbidden"},
		{"text/html", "<HTML><BODY><H1>Service <b>Unavailable</b> &amp; down</H1></BODY></HTML>", "Service Unavailable & down"},
		{"text/html", "<html><body>no title</body></html>", ""},
		{"text/plain; charset=utf-8", "Unauthorized: You are not authorized to access this resource", "Unauthorized: You are not authorized to access this resource"},
		{"application/json", `{"message": "<b>x</b>"}`, `{"message": "<b>x</b>"}`},
	}
	for _, tc := range tests {
		if got := string(errorText(tc.ctype, []byte(tc.body))); got != tc.want {
			t.Errorf("errorText(%q, %q) = %q, want %q", tc.ctype, tc.body, got, tc.want)
		}
	}
}

// TestRenditionForbiddenStaleToken: the rendition service answers a dead
// token with 403; the client finds the token dead (401 on /fotoweb/me),
// gets a new one and sends the request again. A true 403 (no right to
// the asset) is the answer, with no new token.
func TestRenditionForbiddenStaleToken(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{HiddenStatus: http.StatusForbidden}, Config{})
	ctx := context.Background()
	href := originalOf(t, e.c, fotowebtest.SmallAsset)
	if _, err := e.c.Descriptor(ctx); err != nil {
		t.Fatal(err)
	}
	e.fake.RevokeTokens()
	e.fake.ResetCounters()
	b, err := e.c.Rendition(ctx, href)
	if err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	b.Close()
	if n, m := e.fake.Count("/fotoweb/services/renditions"), e.fake.TokenRequests("client_credentials"); n != 2 || m != 1 {
		t.Errorf("rendition requests %d, token requests %d; want 2 and 1", n, m)
	}

	// The read-only user may not see the Internal archive: 403 stays.
	u := newEnv(t, fotowebtest.Options{HiddenStatus: http.StatusForbidden}, Config{})
	u.c.cfg.Tokens = userTokens{oauth2.StaticTokenSource(&oauth2.Token{AccessToken: u.fake.ReadOnlyUserToken()})}
	_, err = u.c.Rendition(ctx, fotowebtest.HiddenAsset+"/__renditions/ORIGINAL")
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("hidden asset: %v", err)
	}
	if n := u.fake.Count("/fotoweb/services/renditions"); n != 1 {
		t.Errorf("rendition requests %d, want 1", n)
	}
}

// userTokens makes a static token source an Invalidator that cannot
// renew anything.
type userTokens struct{ oauth2.TokenSource }

func (userTokens) Invalidate(*oauth2.Token) {}
