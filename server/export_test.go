package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testenv"
	"github.com/fotoembed/fotoembed/urlsig"
)

// exportEnv is the service with an exporter over an in-memory ledger;
// delivery is the signed URLs' delivery.
func exportEnv(t *testing.T, delivery Delivery) (*env, *exports.MemoryLedger) {
	t.Helper()
	ledger := exports.NewMemory()
	var x *exports.Exporter
	e := newEnv(t, envOptions{
		embed: func(e *env, _ *embed.ResolverConfig, c *embed.Config) {
			var err error
			x, err = exports.New(exports.Config{Client: e.client, Ledger: ledger, Publication: "https://site.example/"})
			must(t, err)
			c.Exporter = x
		},
		configure: func(c *Config) { c.Delivery, c.Exports = delivery, x },
	})
	return e, ledger
}

// TestExportRedirect: under export delivery a signed URL answers 302 to
// the public export URL (no token, public caching), which serves the
// image without credentials; asking again exports nothing more.
func TestExportRedirect(t *testing.T) {
	e, _ := exportEnv(t, DeliveryExport)
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 600)
	r := e.get(path)
	wantStatus(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, e.fake.URL+"/fotoweb/embed/") || strings.Contains(loc, "access_token") {
		t.Fatalf("Location %q is not a public export URL", loc)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control %q, want public, max-age=300", cc)
	}
	resp, err := http.Get(loc)
	must(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the export URL answers %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if again := e.get(path); again.Header.Get("Location") != loc {
		t.Errorf("second redirect went to %q, want %q", again.Header.Get("Location"), loc)
	}
	if n := e.fake.ExportRequests(); n != 1 {
		t.Errorf("%d exports for one image, want 1", n)
	}
	m := string(e.get("/metrics").body)
	for _, want := range []string{"fotoembed_exports_total 1", "fotoembed_export_ledger_hits_total 1"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	wantStatus(t, e.get(e.sign(urlsig.Options{Rendition: "original"}, fotowebtest.LandscapeAsset, ".jpg")), http.StatusBadRequest)
}

// TestEmbedExport: /v1/embed?delivery=export answers valid HTML whose URLs
// are all public export URLs recorded with the page as publication; a
// service without an exporter refuses the delivery.
func TestEmbedExport(t *testing.T) {
	e, _ := exportEnv(t, DeliveryRedirect)
	q := url.Values{"ref": {fotowebtest.LandscapeAsset}, "width": {"600"}, "delivery": {"export"},
		"publication": {"https://site.example/news/harbour"}, "figure": {"1"}}
	r := e.do(http.MethodGet, "/v1/embed?"+q.Encode(), nil, "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusOK)
	html := string(r.body)
	if strings.Contains(html, "/i/") || strings.Contains(html, "access_token") || !strings.Contains(html, e.fake.URL+"/fotoweb/embed/") {
		t.Fatalf("HTML is not export-only: %s", html)
	}
	testenv.ValidateHTML(t, map[string]string{"v1-embed-export": html})
	found := false
	for _, x := range e.fake.Exports() {
		found = found || x.Publication == "https://site.example/news/harbour"
	}
	if !found {
		t.Error("no export records the page given as publication")
	}

	plain := newEnv(t, envOptions{})
	r = plain.do(http.MethodGet, "/v1/embed?"+q.Encode(), nil, "X-API-Key", testAPIKey)
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "export delivery is not configured") {
		t.Errorf("refusal %q does not say why", r.body)
	}
}

// TestWebhookForgetsDeletedExports: a webhook for an asset FotoWeb no
// longer has drops its export records; one for an asset that still
// exists keeps them, whatever the payload claims.
func TestWebhookForgetsDeletedExports(t *testing.T) {
	e, ledger := exportEnv(t, DeliveryExport)
	ctx := context.Background()
	for _, href := range []string{fotowebtest.LandscapeAsset, fotowebtest.PortraitAsset} {
		path, _ := e.signedURL(href, 400)
		wantStatus(t, e.get(path), http.StatusFound)
	}
	records := func(asset string) int {
		n := 0
		for w := range 5000 {
			if _, ok, _ := ledger.Get(ctx, exports.Key{Asset: asset, Width: w}); ok {
				n++
			}
		}
		return n
	}
	if records(fotowebtest.LandscapeAsset) != 1 || records(fotowebtest.PortraitAsset) != 1 {
		t.Fatal("exports were not recorded")
	}
	hook := e.ts.URL + hookPrefix + testHookSecret
	// A "deleted" event for an asset that still exists changes nothing.
	if _, err := e.fake.EmitWebhook(ctx, hook, fotowebtest.AssetDeleted, fotowebtest.PortraitAsset); err != nil {
		t.Fatal(err)
	}
	e.fake.DeleteAsset(fotowebtest.LandscapeAsset)
	status, err := e.fake.EmitWebhook(ctx, hook, fotowebtest.AssetDeleted, fotowebtest.LandscapeAsset)
	must(t, err)
	if status != http.StatusNoContent {
		t.Fatalf("webhook answered %d", status)
	}
	if n := records(fotowebtest.LandscapeAsset); n != 0 {
		t.Errorf("%d records of the deleted asset remain", n)
	}
	if n := records(fotowebtest.PortraitAsset); n != 1 {
		t.Errorf("the existing asset has %d records, want 1", n)
	}
}

// TestResolveExport: /v1/resolve items take delivery and publication;
// an export item's url and srcset are public export URLs, and a signed
// item in the same batch stays signed.
func TestResolveExport(t *testing.T) {
	e, _ := exportEnv(t, DeliveryRedirect)
	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "width": 400, "delivery": "export", "publication": "https://site.example/a"},
		{"ref": fotowebtest.LandscapeAsset, "width": 400},
		{"ref": fotowebtest.LandscapeAsset, "width": 400, "delivery": "carrier-pigeon"},
	}})
	wantStatus(t, r, http.StatusOK)
	var out struct{ Results []itemResult }
	decode(t, r, &out)
	x, s, bad := out.Results[0], out.Results[1], out.Results[2]
	if !strings.HasPrefix(x.URL, e.fake.URL+"/fotoweb/embed/") || !strings.Contains(x.Srcset, e.fake.URL+"/fotoweb/embed/") || x.Error != "" {
		t.Errorf("export item: %+v", x)
	}
	if !strings.HasPrefix(s.URL, e.ts.URL+"/i/") {
		t.Errorf("signed item: %+v", s)
	}
	if !strings.Contains(bad.Error, "delivery must be signed, direct or export") {
		t.Errorf("bad delivery: %+v", bad)
	}
}
