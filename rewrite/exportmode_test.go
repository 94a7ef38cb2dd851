package rewrite_test

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/server"
)

// testSite is the public URL the export tests publish the site at.
const testSite = "https://www.example.org/site/"

// openLedger opens the export ledger file at path; it is closed when the
// test ends (closing it earlier, to open it again, is fine).
func openLedger(t testing.TB, path string) *exports.FileLedger {
	t.Helper()
	l, err := exports.OpenFile(path, exports.FileOptions{})
	must(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// newExportDirect returns a Direct source on fake that exports through an
// exporter recording in ledger, and nothing else (no signing keys).
func newExportDirect(t testing.TB, fake *fotowebtest.Server, ledger exports.Ledger) *rewrite.Direct {
	t.Helper()
	x, err := exports.New(exports.Config{Client: newClient(t, fake), Ledger: ledger, Publication: testSite})
	must(t, err)
	d, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake), Exporter: x})
	must(t, err)
	return d
}

// checkExportPages checks that every rewritten page is the fixture with
// each placeholder replaced by one element linking public export URLs on
// origin only: no service URL, no token. It returns how many export URLs
// the pages link, and how many of them are doubleResolution URLs.
func checkExportPages(t *testing.T, before, after map[string]fileState, origin string) (urls, doubles int) {
	t.Helper()
	for _, p := range changedPages {
		page := after[p].data
		checkSplice(t, p, before[p].data, page)
		for _, bad := range []string{"/i/", "access_token", testBase} {
			if bytes.Contains(page, []byte(bad)) {
				t.Errorf("%s holds %q", p, bad)
			}
		}
		for _, m := range urlAttr.FindAllStringSubmatch(string(page), -1) {
			for _, cand := range strings.Split(m[1], ", ") {
				u := strings.Fields(cand)[0]
				if bytes.Contains(before[p].data, []byte(`"`+u+`"`)) {
					continue // the author's own URLs, placeholders left alone
				}
				if !strings.HasPrefix(u, origin+"/fotoweb/embed/") || !strings.HasSuffix(u, ".jpg") {
					t.Errorf("%s links %s, not a public export URL", p, u)
				}
				urls++
				if strings.HasSuffix(u, "_2x.jpg") {
					doubles++
				}
			}
		}
	}
	if urls == 0 {
		t.Error("no export URL linked")
	}
	return urls, doubles
}

// TestExportMode rewrites the fixture site with public export URLs from
// a Direct source without signing keys: the pages link only
// /fotoweb/embed/ URLs, each export is recorded in FotoWeb with the URL
// of the page that uses it, and a second run over a fresh copy of the
// site with the same ledger file (no record) exports nothing again and
// writes the same pages.
func TestExportMode(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fotowebtest.Options{})
	ledgerFile := filepath.Join(t.TempDir(), "exports.db")
	ledger := openLedger(t, ledgerFile)
	root := copySite(t, "site", fake.URL)
	ageFiles(t, root)
	before := snapshot(t, root)
	withSite := func(c *rewrite.Config) { c.SiteURL = testSite; c.NoCache = true }
	rep, err := run(t, root, newExportDirect(t, fake, ledger), rewrite.ModeExport, withSite)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, failureText(rep))
	}
	first := snapshot(t, root)
	if _, doubles := checkExportPages(t, before, first, fake.URL); doubles == 0 {
		t.Error("no doubleResolution candidate in any srcset")
	}
	made := fake.ExportRequests()
	if made == 0 || made != len(fake.Exports()) || rep.Upstream < made {
		t.Errorf("%d EXPORT requests, %d exports, %d upstream calls reported", made, len(fake.Exports()), rep.Upstream)
	}
	pages := map[string]bool{}
	for _, p := range changedPages {
		pages[testSite+p] = true
	}
	for _, x := range fake.Exports() {
		if !pages[x.Publication] {
			t.Errorf("export of %s published at %q, not a page of the site", x.Asset, x.Publication)
		}
	}
	must(t, ledger.Close()) // as a new process would, open the file again

	second := copySite(t, "site", fake.URL)
	rep2, err := run(t, second, newExportDirect(t, fake, openLedger(t, ledgerFile)), rewrite.ModeExport, withSite)
	if err != nil {
		t.Fatalf("second Run: %v\n%s", err, failureText(rep2))
	}
	if n := fake.ExportRequests(); n != made {
		t.Errorf("the second run made %d new EXPORT requests", n-made)
	}
	again := snapshot(t, second)
	for _, p := range changedPages {
		if !bytes.Equal(first[p].data, again[p].data) {
			t.Errorf("%s differs in the second run", p)
		}
	}
}

// TestExportModeNeedsExporter: a Direct source without an exporter
// cannot make export links, and says so before anything is read.
func TestExportModeNeedsExporter(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	d, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake)})
	must(t, err)
	_, err = rewrite.Run(t.Context(), rewrite.Config{Root: t.TempDir(), Source: d, Mode: rewrite.ModeExport, SiteURL: "www.example.org"})
	if err == nil || !strings.Contains(err.Error(), "export links need an exporter") || !strings.Contains(err.Error(), `site URL "www.example.org"`) {
		t.Errorf("err %v", err)
	}
	if m, err := rewrite.ParseMode("export"); err != nil || m != rewrite.ModeExport || m.String() != "export" {
		t.Errorf("ParseMode(export) = %v, %v", m, err)
	}
}

// newExportService runs the real fotoembed service with signed URLs for
// testBase and export delivery recorded in an in-memory ledger.
func newExportService(t *testing.T, fake *fotowebtest.Server) string {
	t.Helper()
	client := newClient(t, fake)
	tok := serviceTokens(t, fake)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client})
	must(t, err)
	x, err := exports.New(exports.Config{Client: client, Ledger: exports.NewMemory(), Publication: testBase})
	must(t, err)
	signer := testSigner(t)
	emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: testBase, Origin: fake.URL, Tokens: tok, Exporter: x})
	must(t, err)
	srv, err := server.New(server.Config{FotoWeb: client, Embedder: emb, Signer: signer, Tokens: tok,
		Origin: fake.URL, BaseURL: testBase, Delivery: server.DeliveryProxy, APIKeys: []string{testAPIKey}})
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestServiceExportMode rewrites through the service's /v1/resolve: first
// with signed links, then, with the same record, with export links, which
// must not reuse the signed URLs the record holds. The service records
// each export with the page's URL.
func TestServiceExportMode(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fotowebtest.Options{})
	src, err := rewrite.NewService(rewrite.ServiceConfig{URL: newExportService(t, fake), APIKey: testAPIKey, FotoWebURL: fake.URL})
	must(t, err)
	cache := filepath.Join(t.TempDir(), "cache.json")
	signed := copySite(t, "site", fake.URL)
	_, err = run(t, signed, src, rewrite.ModeSigned, func(c *rewrite.Config) { c.CacheFile = cache })
	must(t, err)
	if page := snapshot(t, signed)["index.html"].data; !bytes.Contains(page, []byte(testBase+"/i/")) {
		t.Fatalf("the signed run links no signed URL:\n%s", page)
	}
	root := copySite(t, "site", fake.URL)
	before := snapshot(t, root)
	rep, err := run(t, root, src, rewrite.ModeExport, func(c *rewrite.Config) { c.CacheFile = cache; c.SiteURL = testSite })
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, failureText(rep))
	}
	checkExportPages(t, before, snapshot(t, root), fake.URL)
	if rep.Upstream != 1 || fake.ExportRequests() == 0 {
		t.Errorf("%d upstream calls, %d EXPORT requests", rep.Upstream, fake.ExportRequests())
	}
	for _, x := range fake.Exports() {
		if !strings.HasPrefix(x.Publication, testSite) {
			t.Errorf("export of %s published at %q, not a page of the site", x.Asset, x.Publication)
		}
	}
}
