package rewrite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestNoTokenWritten checks that neither the pages nor the record hold
// the access token, a preview token or an access_token parameter (the
// fixture even pastes a URL with one).
func TestNoTokenWritten(t *testing.T) {
	t.Parallel()
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		fake := newFake(t, fotowebtest.Options{})
		ts := serviceTokens(t, fake)
		tok, err := ts.Token()
		must(t, err)
		client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: ts})
		must(t, err)
		src, err := rewrite.NewDirect(rewrite.DirectConfig{Client: client, Signer: testSigner(t), BaseURL: testBase})
		must(t, err)
		root := copySite(t, "site", fake.URL)
		_, err = run(t, root, src, mode, nil)
		must(t, err)
		for p, f := range snapshot(t, root) {
			for _, secret := range []string{tok.AccessToken, "access_token", "previewToken", "SHOULD-BE-DROPPED"} {
				if bytes.Contains(f.data, []byte(secret)) {
					t.Errorf("%v: %s holds %.20q", mode, p, secret)
				}
			}
		}
	}
}

// TestPreviewTokenServer downloads from a server that accepts only the
// asset's previewToken for previews: it is fetched afresh, used, and not
// kept.
func TestPreviewTokenServer(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthPreviewToken})
	root := t.TempDir()
	page := `<img src="fotoweb:` + fotowebtest.SmallAsset + `" alt="" width="300">`
	must(t, os.WriteFile(filepath.Join(root, "p.html"), []byte(page), 0o644))
	rep, err := run(t, root, newDirect(t, fake), rewrite.ModeDownload, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, failureText(rep))
	}
	// The asset, then once more for its previewToken; each preview is
	// refused with the access token (the first ones also after a token
	// refresh) and served with the previewToken.
	n, assets, previews := rep.Downloads, fake.CountPrefix("/fotoweb/archives/"), fake.CountPrefix("/fotoweb/cache/")
	if n < 2 || assets != 2 || previews < 2*n || previews > 4*n {
		t.Errorf("%d downloads: %d asset and %d preview requests, want 2 and %d..%d", n, assets, previews, 2*n, 4*n)
	}
	cache, err := os.ReadFile(filepath.Join(root, rewrite.DefaultCacheFile))
	must(t, err)
	if bytes.Contains(cache, []byte("previewToken")) || bytes.Contains(cache, []byte("eyJ")) {
		t.Error("the record holds a preview token")
	}
}
