package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/internal/browsertest"
	"github.com/fotoembed/fotoembed/internal/testenv"
)

// stepTimeout bounds one step of a browser test: a wait for a condition,
// never a pause.
const stepTimeout = 30 * time.Second

// tab is a headless Chromium tab for one test. When the test fails, a
// screenshot of the page is written to a folder outside the repository
// (FOTOEMBED_SCREENSHOT_DIR, or one in the system's temporary folder)
// and its path is logged.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []string // console messages of the page and its frames
}

// newTab starts Chromium (skipping or failing as browsertest says).
func newTab(t *testing.T) *tab {
	t.Helper()
	tb := &tab{t: t, ctx: browsertest.Start(t)}
	messages := chromedp.Console(tb.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.console = append(tb.console, m.String())
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			tb.screenshot("failure")
		}
	})
	return tb
}

// screenshot saves a full-page screenshot and logs where.
func (tb *tab) screenshot(name string) {
	dir := os.Getenv("FOTOEMBED_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "fotoembed-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	safe := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(tb.t.Name()+"-"+name, "_")
	p := filepath.Join(dir, safe+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	tb.t.Logf("screenshot of the page: %s", p)
}

// do runs actions within stepTimeout; what failed is reported with the
// page's status texts.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v\n%s", what, err, tb.state())
	}
}

// wait polls a JavaScript expression until it is truthy and returns its
// value (in frame when not nil).
func wait[T any](tb *tab, what, expr string, frame ...*chromedp.Node) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	opts := []chromedp.PollOption{chromedp.WithPollingTimeout(stepTimeout)}
	if len(frame) > 0 && frame[0] != nil {
		opts = append(opts, chromedp.WithPollingInFrame(frame[0]))
	}
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, opts...))
	if err != nil {
		tb.t.Fatalf("waiting for %s (%s): %v\n%s", what, expr, err, tb.state())
	}
	return v
}

// eval evaluates an expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: %v\n%s", expr, err, tb.state())
	}
	return v
}

// state describes the page for failure messages.
func (tb *tab) state() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const t = id => { const e = document.getElementById(id); return e ? (e.hidden ? "(hidden) " : "") + e.textContent.trim().slice(0, 300) : "-"; };
		return "url: " + location.href.replace(/token=[^&]*/, "token=…") + "\nstatus: " + t("status") + "\nproblem: " + t("problem") +
			"\nrender problem: " + t("render-problem") + "\nkey status: " + t("key-status");
	})()`))
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return s + "\nconsole: " + strings.Join(tb.console, "\n  ")
}

// consoleHas reports whether a console message contains text.
func (tb *tab) consoleHas(text string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.console {
		if strings.Contains(m, text) {
			return true
		}
	}
	return false
}

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

// axeSource returns the pinned axe-core (tools/axe-core), or calls
// testenv.Missing when it is not installed.
func axeSource(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		root, err := testenv.RepoRoot()
		if err != nil {
			axeErr = err
			return
		}
		b, err := os.ReadFile(filepath.Join(root, "tools", "axe-core", "node_modules", "axe-core", "axe.min.js"))
		axeSrc, axeErr = string(b), err
	})
	if axeErr != nil {
		testenv.Missing(t, "axe-core not installed: run npm ci --prefix tools/axe-core ("+axeErr.Error()+")")
	}
	return axeSrc
}

// axeViolation is one serious or critical axe-core finding.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAccessibility runs axe-core on the page as it is now and fails
// on any serious or critical violation.
func (tb *tab) checkAccessibility(state string) {
	tb.t.Helper()
	src := axeSource(tb.t)
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.axe !== undefined || (function(){`+src+`; return true})()`)); err != nil {
		tb.t.Fatalf("injecting axe-core: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
			ID: v.id, Impact: v.impact, Help: v.help,
			Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe-core on %s: %v", state, err)
	}
	for _, v := range vs {
		tb.t.Errorf("accessibility (%s): %s %s: %s\n  %s", state, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}

// frameNode returns the node of an iframe, for queries inside it.
func (tb *tab) frameNode(sel string) *chromedp.Node {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel)))
	if err != nil || len(nodes) == 0 {
		tb.t.Fatalf("iframe %s: %v", sel, err)
	}
	return nodes[0]
}

// loadedFrame waits until the iframe sel holds a document in which expr
// is true, and returns the iframe's node for later steps in it. An
// iframe that is navigated (about:blank, then its src) replaces its
// execution context, so a node taken too early polls a context that is
// gone: the node is taken again until the poll runs in the live one.
func (tb *tab) loadedFrame(what, sel, expr string) *chromedp.Node {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		frame := tb.frameNode(sel)
		ctx, cancel := context.WithTimeout(tb.ctx, time.Until(deadline))
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInFrame(frame)))
		cancel()
		if err == nil {
			return frame
		}
		gone := strings.Contains(err.Error(), "Cannot find context") || strings.Contains(err.Error(), "Execution context was destroyed")
		if !gone || time.Now().After(deadline) {
			tb.t.Fatalf("waiting for %s (%s): %v\n%s", what, expr, err, tb.state())
		}
		time.Sleep(20 * time.Millisecond) // polling for the frame's new context, not a timing assumption
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// clear empties a form field as a person would (an input event
// follows).
func (tb *tab) clear(sel string) {
	tb.t.Helper()
	eval[bool](tb, `(() => { const f = document.querySelector(`+jsString(sel)+`); f.value = ""; f.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
}
