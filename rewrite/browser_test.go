package rewrite_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/browsertest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// noScript turns the page's scripts off: what the site's HTML alone
// shows. Images then load eagerly (lazy loading needs scripting), the
// <noscript> images are part of the page, and the fixture's
// document.write of a placeholder, left alone as written, does not run.
func noScript(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	return chromedp.Void{}, err
}

// imagesState reports the page's <img> elements once the page has
// loaded: each one's URL, whether the browser decoded it, and whether it
// is a placeholder left alone as written, in <pre> or <code> (the
// fixture's documentation of placeholders).
const imagesState = `JSON.stringify([...document.images].map(i => ({
	url: i.currentSrc || i.src,
	ok: i.complete && i.naturalWidth > 0,
	doc: !!i.closest('pre, code') && ((i.getAttribute('src') || '').startsWith('fotoweb:') || i.hasAttribute('data-fotoweb')),
})))`

// TestExportBrowser rewrites the fixture site with export links and loads
// every rewritten page, served as plain files from 127.0.0.1, in headless
// Chromium: every <img> must have loaded from a public export URL of the
// fake FotoWeb, with no token and no fotoembed service anywhere.
func TestExportBrowser(t *testing.T) {
	browser := browsertest.Start(t)
	fake := newFake(t, fotowebtest.Options{})
	root := copySite(t, "site", fake.URL)
	rep, err := run(t, root, newExportDirect(t, fake, exports.NewMemory()), rewrite.ModeExport,
		func(c *rewrite.Config) { c.SiteURL = testSite })
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, failureText(rep))
	}
	site := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(site.Close)

	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, noScript); err != nil {
		t.Fatal(err)
	}
	before := fake.CountPrefix("/fotoweb/embed/")
	total := 0
	for _, p := range changedPages {
		if err := chromedp.Do(ctx, chromedp.Navigate(site.URL+"/"+p)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](imagesState))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var imgs []struct {
			URL string `json:"url"`
			OK  bool   `json:"ok"`
			Doc bool   `json:"doc"`
		}
		if err := json.Unmarshal([]byte(state), &imgs); err != nil {
			t.Fatalf("%s: %v: %s", p, err, state)
		}
		shown := 0
		for _, i := range imgs {
			if i.Doc {
				continue
			}
			shown++
			if !i.OK {
				t.Errorf("%s: the image %s did not load", p, i.URL)
			}
			if !strings.HasPrefix(i.URL, fake.URL+"/fotoweb/embed/") || strings.Contains(i.URL, "access_token") {
				t.Errorf("%s: the image %s is not a public export URL", p, i.URL)
			}
		}
		if shown == 0 {
			t.Errorf("%s shows no image", p)
		}
		total += shown
	}
	if total < len(changedPages) || fake.CountPrefix("/fotoweb/embed/") == before {
		t.Errorf("%d images shown, %d export URLs fetched", total, fake.CountPrefix("/fotoweb/embed/")-before)
	}
}
