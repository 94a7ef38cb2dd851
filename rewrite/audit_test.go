package rewrite_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

// The audit tests' clock and rights fields (free field ids in the fake).
var (
	auditNow    = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	auditFields = embed.Fields{RightsExpiry: 230, Withdrawn: 10}
)

func auditClock() time.Time { return auditNow }

// rightsFake is a fake FotoWeb in which PortraitAsset's licence ended on
// 2026-05-30, SquareAsset was withdrawn, PanoramaAsset's licence ends in
// ten days and LandscapeAsset's in a year.
func rightsFake(t *testing.T) *fotowebtest.Server {
	fake := newFake(t, fotowebtest.Options{})
	fake.SetMetadata(fotowebtest.PortraitAsset, auditFields.RightsExpiry, "2026-05-30")
	fake.SetMetadata(fotowebtest.SquareAsset, auditFields.Withdrawn, "Withdrawn")
	fake.SetMetadata(fotowebtest.PanoramaAsset, auditFields.RightsExpiry, "2026-06-11T12:00:00Z")
	fake.SetMetadata(fotowebtest.LandscapeAsset, auditFields.RightsExpiry, "2027-06-01")
	return fake
}

// writeAuditSite writes pages (slash-separated path -> content) into a new
// folder and returns it.
func writeAuditSite(t *testing.T, pages map[string]string) string {
	root := t.TempDir()
	for p, doc := range pages {
		path := filepath.Join(root, filepath.FromSlash(p))
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, []byte(doc), 0o644))
	}
	return root
}

// signedURL returns testBase's signed URL of asset at width w.
func signedURL(s *urlsig.Signer, asset string, w int, ext string) string {
	return testBase + s.Sign(urlsig.Options{Width: w}, asset, ext)
}

// auditPages is the audited site: every kind of image, healthy or not.
func auditPages(t *testing.T) map[string]string {
	s := testSigner(t)
	other, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("another-key-that-is-not-configured")}})
	must(t, err)
	return map[string]string{
		"style.css": "img { max-width: 100% }",
		"index.html": "<!doctype html>\n<title>fotoweb:not-a-placeholder</title>\n" +
			`<p><img src="fotoweb:` + fotowebtest.LandscapeAsset + `" alt="Boats at dawn" width="600"></p>` + "\n" +
			`<img data-fotoweb="` + fotowebtest.PortraitAsset + `" alt="Lighthouse">` + "\n" +
			`<img src="fotoweb:` + fotowebtest.SquareAsset + "\"\n  alt=\"Moss\">\n" +
			`<img src="fotoweb:` + fotowebtest.PanoramaAsset + `" alt="Lofoten">` + "\n" +
			`<img src="fotoweb:` + fotowebtest.NoCaptionAsset + `" width="300">` + "\n" +
			`<img src="fotoweb:` + fotowebtest.SmallAsset + `" alt="">` + "\n" +
			`<img src="` + signedURL(s, fotowebtest.LandscapeAsset, 800, ".jpg") + `" srcset="` +
			signedURL(s, fotowebtest.LandscapeAsset, 400, ".jpg") + " 400w, " + signedURL(s, fotowebtest.LandscapeAsset, 800, ".jpg") +
			` 800w" alt="Harbour" width="400" height="267">` + "\n" +
			`<pre><img src="fotoweb:/fotoweb/archives/5001-Photos/nope.jpg.info"></pre>` + "\n" +
			`<img src="/i/2024/05/photo.jpg" alt="Not ours"><!-- <img src="fotoweb:x"> -->` + "\n",
		"blog/post.html": "<!doctype html>\n<picture>\n" +
			`  <source srcset="` + signedURL(s, fotowebtest.PortraitAsset, 800, ".webp") + `" type="image/webp">` + "\n" +
			`  <img src="` + signedURL(s, fotowebtest.PortraitAsset, 800, ".jpg") + `">` + "\n</picture>\n" +
			`<img src="` + signedURL(other, fotowebtest.LandscapeAsset, 800, ".jpg") + `" alt="Forged">` + "\n",
	}
}

// wantLines are the audit's lines for auditPages, forged the line of the
// URL signed with a key that is not configured ("" when not verifying).
func wantLines(root, forged string) []string {
	post, index := filepath.Join(root, "blog", "post.html"), filepath.Join(root, "index.html")
	expired := fotowebtest.PortraitAsset + ": not published: its licence expired at 2026-05-31T00:00:00Z"
	lines := []string{
		post + ":3: " + expired,
		post + ":3: " + fotowebtest.PortraitAsset + `: no alt text: the <picture>'s <img> has no alt attribute; write alt="...", or alt="" for a decorative image`,
		post + ":4: " + expired,
		post + ":4: " + fotowebtest.PortraitAsset + `: no alt text: the <img> has no alt attribute; write alt="...", or alt="" for a decorative image`,
	}
	if forged != "" {
		lines = append(lines, post+":6: "+fotowebtest.LandscapeAsset+": "+forged)
	}
	return append(lines,
		index+":4: "+expired,
		index+":5: "+fotowebtest.SquareAsset+": not published: it was withdrawn (Withdrawn)",
		index+":8: "+fotowebtest.NoCaptionAsset+`: no alt text in FotoWeb (alt and title fields are empty): write alt="..." on the tag, or alt="" for a decorative image`,
		index+":7: "+fotowebtest.PanoramaAsset+": warning: its licence expires at 2026-06-11T12:00:00Z (in 10 days)",
	)
}

// rightsService runs the real service reading the rights fields on the
// test clock and returns its URL.
func rightsService(t *testing.T, fake *fotowebtest.Server) string {
	ts := httptest.NewUnstartedServer(nil)
	client, tok, signer := newClient(t, fake), serviceTokens(t, fake), testSigner(t)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client, Fields: auditFields, Now: auditClock})
	must(t, err)
	emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: testBase, Origin: fake.URL, Tokens: tok, Now: auditClock})
	must(t, err)
	srv, err := server.New(server.Config{FotoWeb: client, Embedder: emb, Signer: signer, Tokens: tok, Origin: fake.URL,
		BaseURL: testBase, Delivery: server.DeliveryProxy, APIKeys: []string{testAPIKey}, Now: auditClock})
	must(t, err)
	t.Cleanup(srv.Close) // runs after ts.Close: its licence-end timers
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestAudit audits the site with FotoWeb directly and through the
// service, with and without the signing keys: the same problems, by file
// and line, and what each image is.
func TestAudit(t *testing.T) {
	t.Parallel()
	fake := rightsFake(t)
	direct, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake), Fields: auditFields, Now: auditClock})
	must(t, err)
	service, err := rewrite.NewService(rewrite.ServiceConfig{URL: rightsService(t, fake), APIKey: testAPIKey, FotoWebURL: fake.URL})
	must(t, err)
	forged := "the signed URL's signature does not verify with the signing keys (bad signature): the service answers 403"
	for _, tc := range []struct {
		name   string
		src    rewrite.Source
		signer *urlsig.Signer
		forged string
	}{
		{"direct", direct, testSigner(t), forged},
		{"service", service, testSigner(t), forged},
		{"unverified", direct, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := writeAuditSite(t, auditPages(t))
			rep, err := rewrite.Audit(t.Context(), rewrite.AuditConfig{Root: root, Source: tc.src, Signer: tc.signer, Now: auditClock})
			if !errors.Is(err, rewrite.ErrAuditProblems) {
				t.Fatalf("err %v, want ErrAuditProblems", err)
			}
			if diff := cmp.Diff(wantLines(root, tc.forged), rep.Lines()); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			problems := 5
			if tc.forged != "" {
				problems++
			}
			if len(rep.Images) != 10 || rep.Assets != 6 || rep.Pages != 2 || rep.Files != 2 || rep.Problems != problems ||
				rep.Warnings != 1 || rep.Expired != 3 || rep.Withdrawn != 1 || rep.ExpiresSoon != 1 || rep.NoAlt != 3 {
				t.Errorf("report %+v", *rep)
			}
			byLine := map[string]rewrite.AuditImage{}
			for _, im := range rep.Images {
				byLine[fmt.Sprintf("%s:%d", filepath.Base(im.File), im.Line)] = im
			}
			checkImage(t, byLine["index.html:3"], rewrite.StateOK, "2027-06-02T00:00:00Z", "Boats at dawn", false, "")
			checkImage(t, byLine["index.html:9"], rewrite.StateOK, "", "", true, "")
			checkImage(t, byLine["index.html:8"], rewrite.StateOK, "", "", false, "")
			checkImage(t, byLine["index.html:7"], rewrite.StateExpiresSoon, "2026-06-11T12:00:00Z", "Lofoten", false, "")
			checkImage(t, byLine["index.html:5"], rewrite.StateWithdrawn, "", "Moss", false, "")
			sig, verified := byLine["index.html:10"], "verified"
			if tc.signer == nil {
				verified = "unverified"
			}
			checkImage(t, sig, rewrite.StateOK, "2027-06-02T00:00:00Z", "Harbour", false, verified)
			if !strings.HasPrefix(sig.Credit, embed.DefaultCreditPrefix) || sig.Asset != fotowebtest.LandscapeAsset || sig.Kind != rewrite.KindSigned {
				t.Errorf("signed image %+v", sig)
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Error(err)
			}
		})
	}
}

// checkImage checks an image's state, licence end, alt text and signature.
func checkImage(t *testing.T, im rewrite.AuditImage, state rewrite.RightsState, expires, alt string, decorative bool, sig string) {
	t.Helper()
	exp := ""
	if im.Expires != nil {
		exp = im.Expires.Format(time.RFC3339)
	}
	if im.State != state || exp != expires || im.Alt != alt || im.Decorative != decorative || sig != "" && im.Signature != sig {
		t.Errorf("%s:%d: state %q, expires %q, alt %q, decorative %v, signature %q; want %q, %q, %q, %v, %q",
			im.File, im.Line, im.State, exp, im.Alt, im.Decorative, im.Signature, state, expires, alt, decorative, sig)
	}
}

// TestAuditHealthy: a site whose images are all fine passes, with a
// warning horizon that leaves out a licence ending in ten days.
func TestAuditHealthy(t *testing.T) {
	t.Parallel()
	fake := rightsFake(t)
	direct, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake), Fields: auditFields, Now: auditClock})
	must(t, err)
	root := writeAuditSite(t, map[string]string{"index.html": `<img src="fotoweb:` + fotowebtest.PanoramaAsset + `" alt="Lofoten">` +
		`<img src="` + signedURL(testSigner(t), fotowebtest.LandscapeAsset, 800, "") + `" alt="">`})
	rep, err := rewrite.Audit(t.Context(), rewrite.AuditConfig{Root: root, Source: direct, Signer: testSigner(t),
		WarnWithin: 24 * time.Hour, Now: auditClock})
	if err != nil || len(rep.Images) != 2 || len(rep.Lines()) != 0 || rep.Problems+rep.Warnings != 0 {
		t.Fatalf("err %v, report %+v, lines %q", err, rep, rep.Lines())
	}
	if got := rep.Summary(); !strings.HasPrefix(got, "audit: 2 images of 2 assets in 1 of 1 page: 0 expired, 0 withdrawn, 0 without alt text, 0 expiring within 24 hours; 0 images with problems") {
		t.Errorf("summary %q", got)
	}
}
