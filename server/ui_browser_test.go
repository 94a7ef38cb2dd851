package server

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

var uiScreenshot = flag.String("ui.screenshot", "", "write a PNG screenshot of the web UI after the browser test to this file")

// TestUIBrowser drives the web UI in headless Chromium against the real
// service and the fake FotoWeb: key from the URL fragment, search, pick
// the first result, see the live preview load, copy the HTML.
func TestUIBrowser(t *testing.T) {
	tb := newTab(t)
	e := newEnv(t, envOptions{})
	tb.do("search and pick",
		chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)),
		chromedp.WaitVisible(chromedp.CSS("#results li button.pick")),
		chromedp.SendKeys(chromedp.CSS("#q"), "harbour"),
		chromedp.Click(chromedp.CSS("#search-form button[type=submit]")),
	)
	wait[bool](tb, "the harbour result", `document.querySelector('#results button.pick[data-ref="`+fotowebtest.LandscapeAsset+`"]') !== null`)
	tb.do("pick", chromedp.Click(chromedp.CSS(`#results button.pick[data-ref="`+fotowebtest.LandscapeAsset+`"]`)))
	nw := wait[int](tb, "the preview image", `(() => { const i = document.querySelector('#preview img'); return i && i.complete && i.naturalWidth; })()`)
	if nw <= 0 {
		t.Fatalf("preview naturalWidth %d", nw)
	}
	tb.do("copy", chromedp.Click(chromedp.CSS(`button.copy[data-copy="out-html"]`)))
	if got := wait[string](tb, "copy feedback", `document.getElementById('out-html-copied').textContent`); !strings.HasPrefix(got, "Copied") {
		t.Errorf("copy feedback %q", got)
	}
	// The feedback is at the button that was pressed, on its row.
	dy := eval[float64](tb, `Math.abs(document.getElementById('out-html-copied').getBoundingClientRect().top - document.querySelector('button.copy[data-copy="out-html"]').getBoundingClientRect().top)`)
	if dy > 20 {
		t.Errorf("copy feedback %.0f px away from its button", dy)
	}
	html := eval[string](tb, `document.getElementById('out-html').value`)
	if !strings.Contains(html, "<img") || !strings.Contains(html, e.ts.URL+"/i/") || strings.Contains(html, "access_token") {
		t.Errorf("HTML output %q", html)
	}
	if *uiScreenshot != "" {
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(t, err)
		must(t, os.WriteFile(*uiScreenshot, png, 0o644))
	}
	if hash := eval[string](tb, `location.hash`); hash != "" {
		t.Errorf("the API key stays in the URL fragment: %q", hash)
	}
}

// TestUIStates drives the states an editor meets before picking: no key,
// a wrong key, browsing with paging and the archive filter, nothing
// found, FotoWeb down and back, and long titles.
func TestUIStates(t *testing.T) {
	tb := newTab(t)
	e := newEnv(t, envOptions{fake: fotowebtest.Options{ExtraAssets: 120}})
	long := "A very long title that no tile can show in full, about the harbour at dawn with the fishing boats coming in"
	e.fake.SetMetadata(fotowebtest.PortraitAsset, 5, long)

	// No key: a page that says what to do, not a blank one.
	tb.do("open", chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#welcome")))
	if eval[bool](tb, `!document.getElementById('browse').hidden || document.querySelectorAll('#results li').length > 0`) {
		t.Error("without a key the search shows")
	}
	if !strings.Contains(eval[string](tb, `document.getElementById('welcome').textContent`), "API key") {
		t.Error("the welcome does not ask for the API key")
	}
	tb.checkAccessibility("no key")

	// A wrong key: said at the key field, nothing else shown.
	tb.do("wrong key", chromedp.SendKeys(chromedp.CSS("#api-key"), "not-the-key-0123456789"), chromedp.Click(chromedp.CSS("#key-form button[type=submit]")))
	wait[bool](tb, "the key refused", `document.getElementById('api-key').getAttribute('aria-invalid') === 'true' && document.getElementById('key-status').textContent.includes('not accepted') &&
		!document.getElementById('problem').hidden`)
	if n := eval[int](tb, `document.querySelectorAll('#results li').length`); n != 0 {
		t.Errorf("%d results with a wrong key", n)
	}
	if !strings.Contains(eval[string](tb, `document.getElementById('problem').hidden ? '' : document.getElementById('problem-text').textContent`), "API key was not accepted") {
		t.Error("the problem box does not say the key was refused")
	}
	tb.checkAccessibility("wrong key")

	// The right key: the newest images, counted, in pages.
	tb.clear("#api-key")
	tb.do("right key", chromedp.SendKeys(chromedp.CSS("#api-key"), testAPIKey),
		chromedp.Click(chromedp.CSS("#key-form button[type=submit]")))
	wait[bool](tb, "the first page", `document.querySelectorAll('#results li').length === 48 && !document.getElementById('more').hidden`)
	status := eval[string](tb, `document.getElementById('status').textContent`)
	if !strings.HasPrefix(status, "Showing 48 images of ") {
		t.Errorf("status %q", status)
	}
	if n := eval[int](tb, `[...document.querySelectorAll('#results .arch')].filter(s => !s.textContent).length`); n != 0 {
		t.Errorf("%d tiles without their archive's name", n)
	}
	tb.checkAccessibility("results")
	tb.do("load more", chromedp.Click(chromedp.CSS("#more")))
	wait[bool](tb, "the second page", `document.querySelectorAll('#results li').length > 48 && !document.getElementById('more').disabled`)
	refs := eval[[]string](tb, `[...document.querySelectorAll('#results button.pick')].map(b => b.dataset.ref)`)
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r] {
			t.Errorf("%s shown twice after Load more", r)
		}
		seen[r] = true
	}
	if s := eval[string](tb, `document.getElementById('status').textContent`); !strings.HasPrefix(s, "Showing 96 images") {
		t.Errorf("status after Load more %q", s)
	}

	// Long titles: cut in the tile, whole on hover (title) and focus.
	sel := `#results button.pick[data-ref="` + fotowebtest.PortraitAsset + `"]`
	wait[bool](tb, "the long title's tile", `document.querySelector('`+sel+`') !== null`)
	if got := eval[string](tb, `document.querySelector('`+sel+`').title`); !strings.HasPrefix(got, long) {
		t.Errorf("tile title attribute %q", got)
	}
	if !eval[bool](tb, `(() => { const n = document.querySelector('`+sel+` .name'); return n.scrollWidth > n.clientWidth; })()`) {
		t.Error("the long title is not cut in the tile (the test shows nothing)")
	}
	tb.do("focus the tile", chromedp.Focus(chromedp.CSS(sel)))
	if shown := eval[string](tb, `getComputedStyle(document.querySelector('`+sel+`'), '::after').content`); !strings.Contains(shown, long) {
		t.Errorf("focused tile shows %q, want the whole name", shown)
	}
	if name := eval[string](tb, `document.querySelector('`+sel+`').textContent`); !strings.HasPrefix(name, long) {
		t.Errorf("tile's text (its accessible name) %q", name)
	}

	// The archive filter.
	wait[bool](tb, "the archive list", `[...document.querySelectorAll('#archive option')].some(o => o.value === '5002')`)
	eval[bool](tb, `(() => { const s = document.getElementById('archive'); s.value = '5002'; s.dispatchEvent(new Event('change')); return true; })()`)
	wait[bool](tb, "Press results", `document.getElementById('status').textContent.includes('in Press') && document.querySelectorAll('#results li').length > 0`)
	archs := eval[[]string](tb, `[...document.querySelectorAll('#results .arch')].map(s => s.textContent)`)
	for _, a := range archs {
		if a != "Press" {
			t.Errorf("archive filter Press shows a tile of %q", a)
		}
	}

	// Nothing found.
	tb.do("search nothing", chromedp.SendKeys(chromedp.CSS("#q"), "zzznothingmatches"), chromedp.Click(chromedp.CSS("#search-form button[type=submit]")))
	if s := wait[string](tb, "no results", `document.getElementById('status').textContent.startsWith('No images') && document.getElementById('status').textContent`); !strings.Contains(s, "zzznothingmatches") {
		t.Errorf("nothing found: %q", s)
	}

	// FotoWeb down: said so, with a way to try again; then back.
	e.fault("/fotoweb/archives/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	tb.clear("#q")
	tb.do("search while FotoWeb is down", chromedp.Click(chromedp.CSS("#search-form button[type=submit]")))
	msg := wait[string](tb, "the FotoWeb problem", `!document.getElementById('problem').hidden && document.getElementById('problem-text').textContent`)
	if !strings.Contains(msg, "FotoWeb did not answer") || eval[bool](tb, `document.getElementById('retry').hidden`) {
		t.Errorf("FotoWeb down: %q", msg)
	}
	if n := eval[int](tb, `document.querySelectorAll('#results li').length`); n != 0 {
		t.Errorf("%d stale results shown with the error", n)
	}
	tb.checkAccessibility("FotoWeb down")
	e.fake.ClearFaults()
	tb.do("try again", chromedp.Click(chromedp.CSS("#retry")))
	wait[bool](tb, "results again", `document.getElementById('problem').hidden && document.querySelectorAll('#results li').length > 0`)
}

// TestUICompose drives the form: alt text required unless decorative,
// texts with their sources, the delivery's field and warning, errors
// that clear what they make stale, keyboard picking.
func TestUICompose(t *testing.T) {
	tb := newTab(t)
	e := newEnv(t, envOptions{})
	tb.do("open", chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)), chromedp.WaitVisible(chromedp.CSS("#results li button.pick")))
	tile := func(ref string) string { return `#results button.pick[data-ref="` + ref + `"]` }
	wait[bool](tb, "the untitled asset", `document.querySelector('`+tile(fotowebtest.NoCaptionAsset)+`') !== null`)

	// No alt text in FotoWeb: the field says so; nothing to copy.
	tb.do("pick the untitled asset", chromedp.Click(chromedp.CSS(tile(fotowebtest.NoCaptionAsset))))
	wait[bool](tb, "the alt text error", `!document.getElementById('alt-error').hidden && document.getElementById('alt').getAttribute('aria-invalid') === 'true'`)
	if eval[string](tb, `document.getElementById('out-html').value`) != "" || !eval[bool](tb, `document.querySelector('button.copy').disabled`) {
		t.Error("an image without alt text can be copied")
	}
	if src := eval[string](tb, `document.getElementById('alt-source').textContent`); !strings.Contains(src, "none") {
		t.Errorf("alt source %q", src)
	}
	tb.checkAccessibility("alt text missing")
	tb.do("write alt text", chromedp.SendKeys(chromedp.CSS("#alt"), "Dunes under a grey sky"))
	html := wait[string](tb, "HTML with the alt text", `document.getElementById('out-html').value.includes('alt="Dunes under a grey sky"') && document.getElementById('out-html').value`)
	if !strings.Contains(html, "<img") || eval[bool](tb, `document.querySelector('button.copy').disabled`) {
		t.Errorf("after writing alt text: %s", html)
	}
	tb.do("decorative", chromedp.Click(chromedp.CSS("#decorative")))
	wait[bool](tb, "decorative HTML", `document.getElementById('out-html').value.includes('alt=""') && document.getElementById('alt').disabled`)

	// Alt text from FotoWeb, caption and credit with their fields.
	tb.do("pick harbour", chromedp.Click(chromedp.CSS(tile(fotowebtest.LandscapeAsset))))
	wait[bool](tb, "harbour's HTML", `document.getElementById('out-html').value.includes('/i/') && document.getElementById('picked-name').textContent === 'Harbour at dawn'`)
	if alt := eval[string](tb, `document.getElementById('alt').value`); alt == "" || eval[bool](tb, `document.getElementById('decorative').checked`) {
		t.Errorf("harbour's alt text %q not prefilled", alt)
	}
	texts := eval[string](tb, `document.querySelector('dl.texts').textContent.replace(/\s+/g, ' ')`)
	if !strings.Contains(texts, "field 120") || !strings.Contains(texts, "Kari Nordmann") {
		t.Errorf("caption and credit: %q", texts)
	}
	if help := eval[string](tb, `document.getElementById('delivery-help').textContent + document.getElementById('width-help').textContent + document.getElementById('sizes-help').textContent`); len(help) < 100 {
		t.Errorf("delivery, width and sizes unexplained: %q", help)
	}

	// Direct delivery: the field says what it holds, and warns.
	eval[bool](tb, `(() => { const s = document.getElementById('delivery'); s.value = 'direct'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	wait[bool](tb, "the direct URL", `document.getElementById('out-url').value.startsWith(`+jsString(e.fake.URL)+`)`)
	if l := eval[string](tb, `document.getElementById('out-url-label').textContent`); !strings.Contains(l, "Direct FotoWeb URL") || !strings.Contains(l, "token") {
		t.Errorf("direct URL label %q", l)
	}
	if eval[bool](tb, `document.getElementById('out-url-warning').hidden`) {
		t.Error("no warning at the direct URL")
	}
	tb.checkAccessibility("direct delivery")
	eval[bool](tb, `(() => { const s = document.getElementById('delivery'); s.value = 'signed'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	wait[bool](tb, "the signed URL", `document.getElementById('out-url').value.startsWith(`+jsString(e.ts.URL+"/i/")+`) && document.getElementById('out-url-warning').hidden`)
	if l := eval[string](tb, `document.getElementById('out-url-label').textContent`); l != "Signed URL" {
		t.Errorf("signed URL label %q", l)
	}

	// An error clears everything it makes stale.
	tb.do("copy", chromedp.Click(chromedp.CSS(`button.copy[data-copy="out-url"]`)))
	wait[bool](tb, "copied", `document.getElementById('out-url-copied').textContent.startsWith('Copied')`)
	tb.clear("#width")
	tb.do("a width the service refuses", chromedp.SendKeys(chromedp.CSS("#width"), "99999"))
	wait[bool](tb, "the render problem", `!document.getElementById('render-problem').hidden`)
	stale := eval[string](tb, `['out-html','out-url','out-oembed'].map(id => document.getElementById(id).value).join('') +
		document.getElementById('preview').innerHTML + document.getElementById('out-url-copied').textContent`)
	if stale != "" || !eval[bool](tb, `[...document.querySelectorAll('button.copy')].every(b => b.disabled)`) {
		t.Errorf("after an error, still shown or copyable: %q", stale)
	}
	tb.do("width preset", chromedp.Click(chromedp.CSS(`button.preset[data-width="480"]`)))
	wait[bool](tb, "HTML at 480", `document.getElementById('render-problem').hidden && document.getElementById('out-html').value.includes('width="480"')`)

	// Keyboard: a tile is a button; Enter picks it.
	tb.do("keyboard pick", chromedp.Focus(chromedp.CSS(tile(fotowebtest.PortraitAsset))), chromedp.KeyEvent("\r"))
	wait[bool](tb, "the portrait picked", `document.querySelector('`+tile(fotowebtest.PortraitAsset)+`').getAttribute('aria-pressed') === 'true' &&
		document.getElementById('out-html').value.includes('/i/')`)
	tb.checkAccessibility("compose")
}

// TestUIFigureAlt: with Figure ticked, an alt text the editor has not
// edited becomes the figure's (never the caption again); when the caption
// names the image the field may stay empty; an edited one is kept.
func TestUIFigureAlt(t *testing.T) {
	tb := newTab(t)
	e := newEnv(t, envOptions{})
	e.fake.SetMetadata(fotowebtest.SquareAsset, 5, "Reindeer moss on the Hardangervidda plateau") // the title repeats the caption
	tile := func(ref string) string { return `#results button.pick[data-ref="` + ref + `"]` }
	tb.do("open", chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)), chromedp.WaitVisible(chromedp.CSS(tile(fotowebtest.SquareAsset))))
	out := `document.getElementById('out-html').value`
	alt := `document.getElementById('alt').value`

	tb.do("pick harbour", chromedp.Click(chromedp.CSS(tile(fotowebtest.LandscapeAsset))))
	wait[bool](tb, "harbour's <img>", out+`.includes('alt="Fishing boats in the harbour at dawn"')`)
	tb.do("tick Figure", chromedp.Click(chromedp.CSS("#figure")))
	wait[bool](tb, "the figure with the title as alt", alt+` === 'Harbour at dawn' && `+out+`.includes('<figure') && `+out+`.includes('alt="Harbour at dawn"')`)
	if src := eval[string](tb, `document.getElementById('alt-source').textContent`); !strings.Contains(src, "title") || !strings.Contains(src, "caption") {
		t.Errorf("alt source in a figure %q", src)
	}
	tb.do("untick Figure", chromedp.Click(chromedp.CSS("#figure")))
	wait[bool](tb, "the description back", alt+` === 'Fishing boats in the harbour at dawn' && !`+out+`.includes('<figure')`)

	tb.do("tick Figure, pick moss", chromedp.Click(chromedp.CSS("#figure")), chromedp.Click(chromedp.CSS(tile(fotowebtest.SquareAsset))))
	wait[bool](tb, "moss's figure with an empty alt", `document.getElementById('picked-name').textContent.startsWith('Reindeer') && `+alt+` === '' &&
		`+out+`.includes('<figure') && `+out+`.includes('alt=""') && document.getElementById('alt-error').hidden`)
	if src := eval[string](tb, `document.getElementById('alt-source').textContent`); !strings.Contains(src, "caption names") {
		t.Errorf("alt source of a figure its caption names %q", src)
	}
	tb.checkAccessibility("figure named by its caption")

	// An alt text the editor wrote stays when Figure changes.
	tb.do("write alt text", chromedp.SendKeys(chromedp.CSS("#alt"), "Moss, close up"))
	wait[bool](tb, "the editor's alt text", out+`.includes('alt="Moss, close up"')`)
	tb.do("untick Figure", chromedp.Click(chromedp.CSS("#figure")))
	wait[bool](tb, "the <img> with the editor's alt text", `!`+out+`.includes('<figure') && `+out+`.includes('alt="Moss, close up"') && `+alt+` === 'Moss, close up'`)
}

// TestUIPhone: on a phone the form comes first once an image is picked,
// takes the focus, and Back returns to the tile.
func TestUIPhone(t *testing.T) {
	tb := newTab(t)
	e := newEnv(t, envOptions{})
	tb.do("open on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(e.ts.URL+"/#key="+url.QueryEscape(testAPIKey)), chromedp.WaitVisible(chromedp.CSS("#results li:nth-child(6) button.pick")))
	tb.do("pick the sixth", chromedp.Click(chromedp.CSS("#results li:nth-child(6) button.pick")))
	wait[bool](tb, "the form", `document.activeElement && document.activeElement.id === 'compose-h'`)
	geo := eval[map[string]float64](tb, `(() => { const c = document.getElementById('compose').getBoundingClientRect();
		const r = document.getElementById('results').getBoundingClientRect(); return {top: c.top, height: innerHeight, results: r.top, composeTop: c.top + scrollY, resultsTop: r.top + scrollY}; })()`)
	if geo["top"] < -1 || geo["top"] > geo["height"]/2 || geo["composeTop"] > geo["resultsTop"] {
		t.Errorf("the form is not in view above the results on a phone: %v", geo)
	}
	tb.checkAccessibility("phone")
	tb.do("back", chromedp.Click(chromedp.CSS("#back")))
	wait[bool](tb, "the tile focused", `document.activeElement && document.activeElement.getAttribute('aria-pressed') === 'true'`)
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
