package server

import (
	"context"
	"flag"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/internal/browsertest"
)

var uiScreenshot = flag.String("ui.screenshot", "", "write a PNG screenshot of the web UI after the browser test to this file")

// TestUIBrowser drives the web UI in headless Chromium against the real
// service and the fake FotoWeb: key from the URL fragment, search, pick
// the first result, see the live preview load, copy the HTML.
func TestUIBrowser(t *testing.T) {
	browser := browsertest.Start(t)
	e := newEnv(t, envOptions{})
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "harbour"),
		chromedp.Click(chromedp.CSS("#search-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#results li:first-child button.pick")),
		chromedp.Click(chromedp.CSS("#results li:first-child button.pick")),
		chromedp.WaitVisible(chromedp.CSS("#preview img")),
	)
	if err != nil {
		t.Fatalf("search and pick: %v\nstatus: %s", err, pageText(browser, "#status"))
	}
	nw, err := chromedp.Run(ctx, chromedp.Poll[int](
		`(() => { const i = document.querySelector('#preview img'); return i && i.complete && i.naturalWidth; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || nw <= 0 {
		t.Fatalf("preview image did not load: naturalWidth %d, %v; preview: %s", nw, err, pageText(browser, "#preview"))
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button.copy[data-copy="out-html"]`))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Poll[string](
		`document.getElementById('copy-status').textContent.startsWith('Copied') && document.getElementById('copy-status').textContent`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || status != "Copied HTML" {
		t.Errorf("copy status %q, %v", status, err)
	}
	html, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#out-html")))
	if err != nil || !strings.Contains(html, "<img") || !strings.Contains(html, e.ts.URL+"/i/") {
		t.Errorf("HTML output %q, %v", html, err)
	}
	if strings.Contains(html, "access_token") {
		t.Errorf("signed HTML carries a token: %s", html)
	}
	if *uiScreenshot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(*uiScreenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	if err != nil || hash != "" {
		t.Errorf("the API key stays in the URL fragment: %q, %v", hash, err)
	}
}

// pageText returns the text of an element for failure messages.
func pageText(browser context.Context, sel string) string {
	ctx, cancel := context.WithTimeout(browser, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('`+sel+`')||{}).textContent||""`))
	if err != nil {
		return err.Error()
	}
	return s
}
