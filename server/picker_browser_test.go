package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testenv"
)

// cms is a stand-in CMS on its own origin: its server mints picker
// tokens with the API key (the browser never sees the key), its editor
// page frames the picker and records the picker's messages.
type cms struct {
	t    *testing.T
	srv  *httptest.Server
	evil *httptest.Server // another origin, not allowed to embed the picker
	e    *env
	// params are the token request's parameters (origin is added).
	params url.Values
}

// newCMS starts the CMS and the fotoembed service that allows it.
func newCMS(t *testing.T, opts envOptions) *cms {
	c := &cms{t: t, params: url.Values{}}
	mux := http.NewServeMux()
	c.srv = httptest.NewServer(mux)
	t.Cleanup(c.srv.Close)
	c.evil = httptest.NewServer(http.HandlerFunc(c.evilPage))
	t.Cleanup(c.evil.Close)
	prev := opts.configure
	opts.configure = func(cfg *Config) {
		cfg.PickerOrigins = []string{c.srv.URL}
		cfg.PickerTokenTTL = 5 * time.Minute
		if prev != nil {
			prev(cfg)
		}
	}
	c.e = newEnv(t, opts)
	mux.HandleFunc("POST /cms/fotoembed-picker-token", c.token)
	mux.HandleFunc("GET /parent", c.parent)
	root, err := testenv.RepoRoot()
	must(t, err)
	mux.Handle("GET /examples/", http.StripPrefix("/examples/", http.FileServer(http.Dir(filepath.Join(root, "examples")))))
	return c
}

// token is the CMS server's endpoint: it asks fotoembed for a picker
// token with the API key and hands the browser the answer (token and
// picker URL), as a plugin's server side does.
func (c *cms) token(w http.ResponseWriter, r *http.Request) {
	p := url.Values{"origin": {c.srv.URL}}
	for k, v := range c.params {
		p[k] = v
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, c.e.ts.URL+"/v1/picker-tokens?"+p.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	var tok pickerTokenResponse
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusCreated {
		http.Error(w, fmt.Sprintf("fotoembed answered %d", res.StatusCode), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok.Token, "picker_url": tok.PickerURL})
}

// parent is the CMS's editor page: the picker in an iframe (the URL its
// server got, with &multiple=1 when asked), the other origin's frame,
// and every message from fotoembed's origin kept in window.messages.
func (c *cms) parent(w http.ResponseWriter, r *http.Request) {
	pickerURL := c.mintURL()
	if r.URL.Query().Get("multiple") != "" {
		pickerURL += "&multiple=1"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>CMS</title></head><body>
<iframe id="picker" title="Image picker" src="%s" style="width: 1100px; height: 760px"></iframe>
<iframe id="evil" title="Another site" src="%s/evil?picker=%s"></iframe>
<script>
window.messages = [];
window.origins = [];
const FE = %s;
window.addEventListener("message", e => {
  if (e.origin !== FE) return;
  window.messages.push(e.data);
  window.origins.push(e.origin);
  if (e.data.type === "fotoembed:error" && e.data.code === "token_expired") {
    fetch("/cms/fotoembed-picker-token", {method: "POST"}).then(r => r.json()).then(t =>
      document.getElementById("picker").contentWindow.postMessage({type: "fotoembed:token", token: t.token}, FE));
  }
});
</script></body></html>`, htmlAttr(pickerURL), c.evil.URL, url.QueryEscape(pickerURL), jsString(c.e.ts.URL))
}

// evilPage is a page of another origin inside the CMS page: it tries to
// frame the picker itself (CSP frame-ancestors refuses), and on "go"
// sends the picker a forged token (the picker ignores it).
func (c *cms) evilPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>other</title></head><body>
<iframe id="stolen" title="stolen picker" src="%s"></iframe>
<script>
window.addEventListener("message", e => {
  if (e.data === "go") parent.frames[0].postMessage({type: "fotoembed:token", token: "forged"}, "*");
});
</script></body></html>`, htmlAttr(r.URL.Query().Get("picker")))
}

// mintURL gets a picker URL as the CMS's server does.
func (c *cms) mintURL() string {
	res, err := http.Post(c.srv.URL+"/cms/fotoembed-picker-token", "", nil)
	if err != nil {
		c.t.Errorf("minting: %v", err)
		return ""
	}
	defer res.Body.Close()
	var got struct {
		PickerURL string `json:"picker_url"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		c.t.Errorf("minting: %d %v", res.StatusCode, err)
	}
	return got.PickerURL
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;").Replace(s)
}

// pickerMessage is a message the picker posted, as the CMS got it.
type pickerMessage struct {
	Type    string
	Version int
	Code    string
	Message string
	Items   []struct {
		Ref, Title, Filename, Archive, HTML, URL, Srcset, Sizes string
		Width, Height                                           int
		Alt, Caption, Credit, Delivery, Page, OEmbed            string
		Decorative, Figure                                      bool
	}
}

// messages returns the messages so far.
func messages(tb *tab) []pickerMessage {
	tb.t.Helper()
	raw := eval[string](tb, `JSON.stringify(window.messages)`)
	var out []pickerMessage
	must(tb.t, json.Unmarshal([]byte(raw), &out))
	return out
}

func types(ms []pickerMessage) string {
	var out []string
	for _, m := range ms {
		out = append(out, strings.TrimPrefix(m.Type, "fotoembed:"))
	}
	return strings.Join(out, ",")
}

// TestPickerMessages drives the picker in the CMS's iframe: ready, a
// forged message from another origin ignored, framing by another origin
// refused, search and pick, select with the image's parts, an expired
// token renewed by the CMS through messages, cancel. The messages come
// in that order, each once.
func TestPickerMessages(t *testing.T) {
	tb := newTab(t)
	c := newCMS(t, envOptions{})
	e := c.e
	tb.do("open the CMS page", chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(c.srv.URL+"/parent"))
	wait[bool](tb, "ready", `window.messages.length >= 1 && window.messages[0].type === "fotoembed:ready"`)
	frame := tb.loadedFrame("results in the picker", "#picker", `document.querySelectorAll('#results button.pick').length > 0`)

	// Another origin may neither frame the picker nor talk to it.
	if !waitConsole(tb, "frame-ancestors") {
		t.Error("the other origin's frame of the picker was not refused by frame-ancestors")
	}
	eval[bool](tb, `(document.getElementById('evil').contentWindow.postMessage('go', '*'), true)`)
	if !waitConsole(tb, "fotoembed picker: ignored fotoembed:token from "+c.evil.URL) {
		t.Error("the forged token message was not ignored")
	}

	// Search, pick, insert: one select message with what a CMS needs.
	tb.do("search", chromedp.SendKeys(chromedp.CSS("#q"), "harbour", chromedp.FromNode(frame)),
		chromedp.Click(chromedp.CSS("#search-form button[type=submit]"), chromedp.FromNode(frame)))
	tile := `#results button.pick[data-ref="` + fotowebtest.LandscapeAsset + `"]`
	wait[bool](tb, "harbour in the picker", `document.querySelector('`+tile+`') !== null && document.getElementById('status').textContent.startsWith('Showing')`, frame)
	tb.do("pick", chromedp.Click(chromedp.CSS(tile), chromedp.FromNode(frame)))
	wait[bool](tb, "insert enabled", `!document.getElementById('insert').disabled`, frame)
	tb.do("figure", chromedp.Click(chromedp.CSS("#figure"), chromedp.FromNode(frame)))
	wait[bool](tb, "insert enabled with the figure", `!document.getElementById('insert').disabled && document.getElementById('preview').innerHTML.includes('<figure')`, frame)
	tb.do("insert", chromedp.Click(chromedp.CSS("#insert"), chromedp.FromNode(frame)))
	wait[bool](tb, "select", `window.messages.some(m => m.type === "fotoembed:select")`)
	ms := messages(tb)
	sel := ms[len(ms)-1]
	if sel.Type != "fotoembed:select" || sel.Version != 1 || len(sel.Items) != 1 {
		t.Fatalf("messages %s: %+v", types(ms), sel)
	}
	it := sel.Items[0]
	if it.Ref != fotowebtest.LandscapeAsset || !strings.HasPrefix(it.URL, e.ts.URL+"/i/") || !strings.Contains(it.HTML, "<figure") ||
		it.Width != 600 || it.Height != 400 || it.Alt == "" || it.Caption == "" || !strings.Contains(it.Credit, "Kari Nordmann") ||
		it.Delivery != "signed" || !it.Figure || it.Page == "" || it.OEmbed == "" || it.Title != "Harbour at dawn" || it.Srcset == "" {
		t.Errorf("select item %+v", it)
	}
	if strings.Contains(it.HTML+it.URL, "access_token") {
		t.Error("the picked HTML carries a token")
	}

	// The token expires while the editor browses: the picker says so,
	// the CMS sends a new one, the search goes on.
	e.clock.Advance(6 * time.Minute)
	tb.do("search after expiry", chromedp.Click(chromedp.CSS("#search-form button[type=submit]"), chromedp.FromNode(frame)))
	wait[bool](tb, "the search done with the new token", `window.messages.some(m => m.type === "fotoembed:error")`)
	wait[bool](tb, "results again", `document.getElementById('problem').hidden && document.getElementById('status').textContent.startsWith('Showing')`, frame)
	ms = messages(tb)
	if err := ms[len(ms)-1]; err.Type != "fotoembed:error" || err.Code != "token_expired" {
		t.Errorf("after expiry: %+v", err)
	}

	tb.do("cancel", chromedp.Click(chromedp.CSS("#cancel"), chromedp.FromNode(frame)))
	wait[bool](tb, "cancel", `window.messages.some(m => m.type === "fotoembed:cancel")`)
	if got := types(messages(tb)); got != "ready,select,error,cancel" {
		t.Errorf("messages %s, want ready,select,error,cancel", got)
	}
	if origins := eval[[]string](tb, `window.origins`); len(origins) == 0 || origins[0] != e.ts.URL {
		t.Errorf("message origins %v", origins)
	}
}

// TestPickerMultiple: with multiple=1 the editor picks several images,
// each with its own alt text, and one select message carries them all.
func TestPickerMultiple(t *testing.T) {
	tb := newTab(t)
	c := newCMS(t, envOptions{})
	tb.do("open", chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(c.srv.URL+"/parent?multiple=1"))
	wait[bool](tb, "ready", `window.messages.length >= 1 && window.messages[0].type === "fotoembed:ready" && window.messages[0].multiple === true`)
	tile := func(ref string) string { return `#results button.pick[data-ref="` + ref + `"]` }
	frame := tb.loadedFrame("tiles", "#picker", `document.querySelector('`+tile(fotowebtest.NoCaptionAsset)+`') !== null`)
	tb.do("pick two", chromedp.Click(chromedp.CSS(tile(fotowebtest.LandscapeAsset)), chromedp.FromNode(frame)),
		chromedp.Click(chromedp.CSS(tile(fotowebtest.NoCaptionAsset)), chromedp.FromNode(frame)))
	wait[bool](tb, "two selected", `document.getElementById('insert').textContent === 'Insert 2 images'`, frame)
	// The untitled one has no alt text: refused until written.
	tb.do("insert without alt", chromedp.Click(chromedp.CSS("#insert"), chromedp.FromNode(frame)))
	wait[bool](tb, "alt text asked for", `!document.getElementById('render-problem').hidden && document.getElementById('render-problem').textContent.includes('alt text')`, frame)
	tb.do("write alt", chromedp.SendKeys(chromedp.CSS("#alt"), "Dunes", chromedp.FromNode(frame)),
		chromedp.Click(chromedp.CSS("#insert"), chromedp.FromNode(frame)))
	wait[bool](tb, "select", `window.messages.some(m => m.type === "fotoembed:select")`)
	ms := messages(tb)
	sel := ms[len(ms)-1]
	if len(sel.Items) != 2 || sel.Items[0].Ref != fotowebtest.LandscapeAsset || sel.Items[1].Ref != fotowebtest.NoCaptionAsset ||
		sel.Items[1].Alt != "Dunes" || sel.Items[0].Alt == "" {
		t.Errorf("select %+v", sel)
	}
	if got := types(ms); got != "ready,select" {
		t.Errorf("messages %s", got)
	}
}

// TestPickerAccessibility checks the picker page (opened at the top, as
// a popup would be) with axe-core, after a pick.
func TestPickerAccessibility(t *testing.T) {
	tb := newTab(t)
	c := newCMS(t, envOptions{})
	tb.do("open", chromedp.Navigate(c.mintURL()+"&multiple=1"), chromedp.WaitVisible(chromedp.CSS("#results button.pick")))
	tb.checkAccessibility("picker results")
	tb.do("pick", chromedp.Click(chromedp.CSS("#results li:first-child button.pick")))
	wait[bool](tb, "the form", `!document.getElementById('compose').hidden && !document.getElementById('insert').disabled`)
	tb.checkAccessibility("picker form")
}

// waitConsole waits for a console message containing text (the browser
// writes it once the event happened); false after stepTimeout.
func waitConsole(tb *tab, text string) bool {
	deadline := time.Now().Add(stepTimeout)
	for !tb.consoleHas(text) {
		if time.Now().After(deadline) {
			tb.t.Logf("console:\n%s", tb.state())
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling for the condition, not a timing assumption
	}
	return true
}

// TestExampleCMSEditor runs examples/cms-editor.html, the stand-in CMS
// editor, end to end: open the picker from its toolbar, search, pick,
// insert; the <img> lands in the rich-text field and loads.
func TestExampleCMSEditor(t *testing.T) {
	tb := newTab(t)
	c := newCMS(t, envOptions{})
	tb.do("open the editor", chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(c.srv.URL+"/examples/cms-editor.html"),
		chromedp.WaitVisible(chromedp.CSS("#insert-image")))
	tb.checkAccessibility("example editor")
	// Put the cursor at the end of the first paragraph.
	eval[bool](tb, `(() => { const p = document.querySelector('#body p'); const r = document.createRange(); r.selectNodeContents(p); r.collapse(false);
		document.getElementById('body').focus(); const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true; })()`)
	tb.do("open the picker", chromedp.Click(chromedp.CSS("#insert-image")))
	wait[bool](tb, "the picker dialog", `document.getElementById('picker-dialog').open && document.getElementById('picker-frame').src.includes('/picker?')`)
	frame := tb.loadedFrame("results in the picker", "#picker-frame", `document.querySelectorAll('#results button.pick').length > 0`)
	tb.do("search", chromedp.SendKeys(chromedp.CSS("#q"), "harbour", chromedp.FromNode(frame)),
		chromedp.Click(chromedp.CSS("#search-form button[type=submit]"), chromedp.FromNode(frame)))
	tile := `#results button.pick[data-ref="` + fotowebtest.LandscapeAsset + `"]`
	wait[bool](tb, "harbour", `document.querySelector('`+tile+`') !== null && document.getElementById('status').textContent.startsWith('Showing')`, frame)
	tb.do("pick", chromedp.Click(chromedp.CSS(tile), chromedp.FromNode(frame)))
	wait[bool](tb, "insert enabled", `!document.getElementById('insert').disabled`, frame)
	tb.do("insert", chromedp.Click(chromedp.CSS("#insert"), chromedp.FromNode(frame)))
	nw := wait[int](tb, "the inserted image loaded", `(() => { const i = document.querySelector('#body img'); return !document.getElementById('picker-dialog').open && i && i.complete && i.naturalWidth; })()`)
	if nw <= 0 {
		t.Fatalf("inserted image naturalWidth %d", nw)
	}
	img := eval[map[string]string](tb, `(() => { const i = document.querySelector('#body img'); return {src: i.getAttribute('src'), alt: i.getAttribute('alt'), where: i.parentElement.tagName + ':' + i.parentElement.textContent.slice(0, 10)}; })()`)
	if !strings.HasPrefix(img["src"], c.e.ts.URL+"/i/") || img["alt"] == "" || !strings.HasPrefix(img["where"], "P:Write here") {
		t.Errorf("inserted image %v", img)
	}
	if s := eval[string](tb, `document.getElementById('editor-status').textContent`); s != "Image inserted." {
		t.Errorf("editor status %q", s)
	}
	// The API key never reached the browser.
	if eval[bool](tb, `document.documentElement.outerHTML.includes(`+jsString(testAPIKey)+`)`) {
		t.Error("the API key is in the CMS page")
	}
}
