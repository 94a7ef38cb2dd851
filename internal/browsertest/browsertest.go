// Package browsertest starts headless Chromium for tests that check what a
// person sees: it skips with the reason when Chromium is missing, and
// fails when FOTOEMBED_REQUIRE_INTEGRATION=1 (see testenv).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fotoembed/fotoembed/internal/testenv"
)

// Path returns the Chromium binary, or calls testenv.Missing.
func Path(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium not installed: apt-get install chromium")
	return ""
}

// Start starts headless Chromium with a fresh profile and no background
// traffic (this machine's network is closed) and returns the context of
// its first tab, which ends with the test. The browser starts without a
// deadline (a deadline on the first run would bound the browser's life);
// bound each step of the test instead.
func Start(t testing.TB) context.Context {
	t.Helper()
	execPath := Path(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", execPath, err)
	}
	return browser
}
