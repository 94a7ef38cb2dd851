package server

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testenv"
)

// TestProxyIfModifiedSince: a proxied image answers If-Modified-Since
// with 304 (no upstream call) when the asset has not changed since, 200
// when it has; If-None-Match, when sent, decides alone (RFC 9110).
func TestProxyIfModifiedSince(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 800)
	r := e.get(path)
	wantStatus(t, r, http.StatusOK)
	lm := r.Header.Get("Last-Modified")
	mod, err := http.ParseTime(lm)
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", lm, err)
	}
	etag := r.Header.Get("ETag")
	for _, tt := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"same date", []string{"If-Modified-Since", lm}, http.StatusNotModified},
		{"later date", []string{"If-Modified-Since", mod.Add(time.Hour).Format(http.TimeFormat)}, http.StatusNotModified},
		{"earlier date", []string{"If-Modified-Since", mod.Add(-time.Second).Format(http.TimeFormat)}, http.StatusOK},
		{"unparsable date", []string{"If-Modified-Since", "yesterday"}, http.StatusOK},
		{"If-None-Match wins: no match", []string{"If-Modified-Since", lm, "If-None-Match", `"other"`}, http.StatusOK},
		{"If-None-Match wins: match", []string{"If-Modified-Since", mod.Add(-time.Hour).Format(http.TimeFormat), "If-None-Match", etag}, http.StatusNotModified},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.upstreamCount()
			r := e.get(path, tt.hdr...)
			wantStatus(t, r, tt.status)
			if tt.status == http.StatusNotModified {
				if n := e.upstreamCount() - before; n != 0 || len(r.body) != 0 || r.Header.Get("Last-Modified") != lm {
					t.Errorf("304: %d upstream requests, %d bytes, Last-Modified %q", n, len(r.body), r.Header.Get("Last-Modified"))
				}
			}
		})
	}

	// The asset changes in FotoWeb (and the webhook drops the cache
	// entry): the old date no longer matches.
	e.fake.SetMetadata(fotowebtest.LandscapeAsset, 5, "changed")
	must(t, e.res.Invalidate(context.Background(), fotowebtest.LandscapeAsset))
	path, _ = e.signedURL(fotowebtest.LandscapeAsset, 800)
	wantStatus(t, e.get(path, "If-Modified-Since", lm), http.StatusOK)
}

// TestAssetPageCards: a public asset's page has a level-one heading and
// the Open Graph and Twitter card tags link previews read, with the
// image's true size; a private archive's asset has no page at all.
func TestAssetPageCards(t *testing.T) {
	e := newEnv(t, envOptions{})
	page := e.srv.pageURL(fotowebtest.LandscapeAsset)
	r := e.get(strings.TrimPrefix(page, e.ts.URL))
	wantStatus(t, r, http.StatusOK)
	html := string(r.body)
	meta := func(attr, name string) string {
		key := `<meta ` + attr + `="` + name + `" content="`
		i := strings.Index(html, key)
		if i < 0 {
			t.Errorf("no %s %s", attr, name)
			return ""
		}
		rest := html[i+len(key):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	if !strings.Contains(html, "<h1>Harbour at dawn</h1>") {
		t.Errorf("no level-one heading:\n%s", html)
	}
	for name, want := range map[string]string{"og:title": "Harbour at dawn", "og:url": page, "og:type": "website", "og:site_name": "fotoembed"} {
		if got := meta("property", name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	img := strings.ReplaceAll(meta("property", "og:image"), "&amp;", "&")
	if !strings.HasPrefix(img, e.ts.URL+"/i/") || meta("name", "twitter:image") != meta("property", "og:image") {
		t.Errorf("card image %q", img)
	}
	w, h := e.imageSizeAt(img)
	if meta("property", "og:image:width") != itoa(w) || meta("property", "og:image:height") != itoa(h) || w > cardWidth {
		t.Errorf("og:image size %s×%s, the image is %d×%d", meta("property", "og:image:width"), meta("property", "og:image:height"), w, h)
	}
	if meta("name", "twitter:card") != "summary_large_image" || meta("property", "og:image:alt") == "" ||
		meta("property", "og:description") == "" || !strings.Contains(meta("name", "author"), "Kari Nordmann") ||
		meta("property", "og:image:type") != "image/jpeg" {
		t.Errorf("card tags:\n%s", html)
	}
	validateDocuments(t, map[string]string{"asset-page": html})

	// Escaped, like everything else on the page.
	r = e.get(strings.TrimPrefix(e.srv.pageURL(fotowebtest.ScriptAsset), e.ts.URL))
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "<script>") {
		t.Errorf("unescaped title or caption in the card tags")
	}
	// Only public archives have pages, and so cards.
	wantStatus(t, e.get(strings.TrimPrefix(e.srv.pageURL(fotowebtest.PressPortraitAsset), e.ts.URL)), http.StatusNotFound)
}

func itoa(n int) string { return strconv.Itoa(n) }

// validateDocuments runs the pinned HTML validator over whole documents
// (the service's pages), with the project's configuration.
func validateDocuments(t *testing.T, docs map[string]string) {
	t.Helper()
	bin, cfg := testenv.HTMLValidator(t)
	dir := t.TempDir()
	var files []string
	for name, doc := range docs {
		p := filepath.Join(dir, name+".html")
		must(t, os.WriteFile(p, []byte(doc), 0o644))
		files = append(files, p)
	}
	out, err := exec.Command(bin, append([]string{"--config", cfg, "--formatter", "text"}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("html-validate rejected the page (%v):\n%s", err, strings.TrimSpace(string(out)))
	}
}

// TestPagesValid runs the validator over the web UI and the picker as
// the service serves them.
func TestPagesValid(t *testing.T) {
	e := pickerEnv(t)
	tok := e.mintToken(t, url.Values{"origin": {testCMSOrigin}})
	ui := e.get("/")
	wantStatus(t, ui, http.StatusOK)
	picker := e.get(strings.TrimPrefix(tok.PickerURL, e.ts.URL) + "&multiple=1")
	wantStatus(t, picker, http.StatusOK)
	bad := e.get(pickerPath + "?token=x&origin=https://evil.example")
	wantStatus(t, bad, http.StatusBadRequest)
	validateDocuments(t, map[string]string{"ui": string(ui.body), "picker": string(picker.body), "picker-error": string(bad.body)})
}
