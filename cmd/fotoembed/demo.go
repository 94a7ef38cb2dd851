package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// demoConfig configures `demo`.
type demoConfig struct {
	Addr        string
	FotoWebAddr string
	ExtraAssets int
	Log         logConfig
}

const demoSummary = "Run fotoembed against a built-in fake FotoWeb, with no configuration at all. It is wired\n" +
	"as a real deployment: OAuth over HTTP, a least-privilege user token from the authorization-code\n" +
	"+ PKCE flow (approved without a browser), refreshed and saved in a temporary folder, redirect\n" +
	"delivery, a random signing key and a random API key. Nothing is written outside that folder,\n" +
	"which is removed on exit. The variables of `serve` are not read."

// demoFlags returns demo's flags, filling c.
func demoFlags(env lookupFunc, c *demoConfig) *flagSet {
	f := newFlagSet("demo", "", demoSummary, env)
	f.String(&c.Addr, "addr", "FOTOEMBED_DEMO_ADDR", "127.0.0.1:8080", "host:port", "listen address of the service (port 0 picks a free one)")
	f.String(&c.FotoWebAddr, "fotoweb-addr", "FOTOEMBED_DEMO_FOTOWEB_ADDR", "127.0.0.1:8081", "host:port",
		"listen address of the fake FotoWeb (port 0 picks a free one)")
	f.Int(&c.ExtraAssets, "extra-assets", "FOTOEMBED_DEMO_EXTRA_ASSETS", 0, 0, 1_000_000, "synthetic images added to the fake's Photos archive")
	c.Log.register(f)
	return f
}

// demo runs the fake FotoWeb and the service until ctx ends.
func (a *app) demo(ctx context.Context, args []string) error {
	var c demoConfig
	f := demoFlags(a.env, &c)
	if err := a.parse(f, args, nil); err != nil {
		return err
	}
	log := c.Log.logger(a.stderr)

	ln, err := listen(c.Addr, "--addr")
	if err != nil {
		return err
	}
	defer ln.Close()
	fln, err := listen(c.FotoWebAddr, "--fotoweb-addr")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(tempDir(a.env), "fotoembed-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// The demo logs in as the fake's read-only user; its previews accept
	// the access token or the asset's previewToken (PreviewAuthAny, the
	// newest evidence), so the URL token policy comes out as "preview".
	fake := fotowebtest.New(fotowebtest.Options{ExtraAssets: c.ExtraAssets, LoginUser: fotowebtest.ReadOnlyUser, Logf: func(format string, args ...any) {
		log.Debug(fmt.Sprintf(format, args...), "component", "fake-fotoweb")
	}})
	fakeURL := "http://" + displayAddr(fln.Addr())
	fake.SetBaseURL(fakeURL)
	fs := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	go fs.Serve(fln)
	defer fs.Close() // after the service has drained: its requests to the fake are done

	cfg, apiKey, err := a.demoServeConfig(ctx, fakeURL, tmp, c)
	if err != nil {
		return err
	}
	return a.runService(ctx, cfg, ln, log, func(base string) {
		envFile, err := writeDemoEnv(tmp, base, cfg, apiKey)
		if err != nil {
			log.Warn("could not write the settings for the other commands", "err", err.Error())
		}
		a.printDemo(base, fakeURL, apiKey, envFile)
		if a.ready != nil {
			a.ready(readyInfo{URL: base, FotoWebURL: fakeURL, APIKey: apiKey})
		}
	})
}

// demoServeConfig logs in to the fake as its least-privilege user (with
// the code `login` uses) and returns the service configuration: the
// defaults of `serve` with the demo's values.
func (a *app) demoServeConfig(ctx context.Context, fakeURL, dir string, dc demoConfig) (*serveConfig, string, error) {
	var c serveConfig
	f := serveFlags(envLookup(nil), &c)
	if err := f.Parse(nil); err != nil {
		return nil, "", err
	}
	cb, err := listenLoopback(0)
	if err != nil {
		return nil, "", err
	}
	app := tokens.AuthCodeConfig{BaseURL: fakeURL, ClientID: fotowebtest.WebClientID}
	lctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	l, err := authorize(lctx, cb, authFlow{cfg: app, opts: tokens.Options{HTTPClient: a.httpClient}, open: headlessBrowser(a.httpClient), standby: true})
	if err != nil {
		return nil, "", fmt.Errorf("demo: logging in to the fake FotoWeb: %w", err)
	}
	c.FotoWeb.URL, c.FotoWeb.Auth, c.FotoWeb.ClientID = fakeURL, authUser, fotowebtest.WebClientID
	c.FotoWeb.TokenFile = filepath.Join(dir, "token.json")
	if err := (&tokens.FileStore{Path: c.FotoWeb.TokenFile}).Save(ctx, l.saved()); err != nil {
		return nil, "", err
	}
	apiKey := rand.Text()
	c.Signing.Keys = []string{rand.Text() + rand.Text()}
	c.Server.Addr = dc.Addr
	c.Server.Delivery = deliveryRedirect
	c.Server.APIKeys = []string{apiKey}
	c.Server.PublicArchives = []string{fotowebtest.PhotosArchive}
	c.Server.Title = "fotoembed demo"
	c.Server.ShutdownTimeout = 5 * time.Second
	c.Access.ExportLedger = filepath.Join(dir, "exports.db")
	c.Log = dc.Log
	if err := c.Validate(); err != nil {
		return nil, "", fmt.Errorf("demo: %w", err)
	}
	return &c, apiKey, nil
}

// tempDir is the directory for temporary files, worked out from env as
// os.TempDir does (this package reads no environment but the env it is
// given).
func tempDir(env lookupFunc) string {
	if runtime.GOOS == "windows" {
		for _, k := range []string{"TMP", "TEMP", "USERPROFILE"} {
			if v, ok := env(k); ok {
				return v
			}
		}
		return `C:\Windows\Temp`
	}
	if v, ok := env("TMPDIR"); ok {
		return v
	}
	if runtime.GOOS == "android" {
		return "/data/local/tmp"
	}
	return "/tmp"
}

// writeDemoEnv writes, in the demo's temporary folder (mode 0600), the
// settings with which the other commands (sign, resolve, rewrite, audit,
// usage, doctor) work against this demo: the fake's URL and login, the
// service's URL, and files holding its signing key and API key, so that
// no secret is printed. It returns the env file's path.
func writeDemoEnv(dir, base string, c *serveConfig, apiKey string) (string, error) {
	keys, key, env := filepath.Join(dir, "signing-keys"), filepath.Join(dir, "api-key"), filepath.Join(dir, "demo.env")
	lines := []string{
		"FOTOEMBED_FOTOWEB_URL=" + c.FotoWeb.URL,
		"FOTOEMBED_AUTH=" + c.FotoWeb.Auth,
		"FOTOEMBED_CLIENT_ID=" + c.FotoWeb.ClientID,
		"FOTOEMBED_TOKEN_FILE=" + c.FotoWeb.TokenFile,
		"FOTOEMBED_SIGNING_KEYS_FILE=" + keys,
		"FOTOEMBED_BASE_URL=" + base,
		"FOTOEMBED_SERVICE_URL=" + base,
		"FOTOEMBED_API_KEY_FILE=" + key,
	}
	for _, f := range []struct{ path, text string }{
		{keys, strings.Join(c.Signing.Keys, "\n") + "\n"},
		{key, apiKey + "\n"},
		{env, strings.Join(lines, "\n") + "\n"},
	} {
		if err := os.WriteFile(f.path, []byte(f.text), 0o600); err != nil {
			return "", err
		}
	}
	return env, nil
}

// printDemo prints where to go and what to try.
func (a *app) printDemo(base, fakeURL, apiKey, envFile string) {
	ref := url.QueryEscape(fotowebtest.LandscapeAsset)
	fmt.Fprintf(a.stdout, `fotoembed demo: the service and a fake FotoWeb, wired as a real deployment.

  Web UI:        %s/#key=%s
  API key:       %s
  Fake FotoWeb:  %s (logged in as the read-only user %q; redirect delivery, URL token policy auto)

Try:
  curl -H 'X-API-Key: %s' '%s/v1/embed?ref=%s&width=600'
  curl -H 'X-API-Key: %s' '%s/v1/embed?ref=%s&width=600&delivery=export'
  curl -H 'X-API-Key: %s' '%s/v1/assets?q=harbour'
  curl '%s/readyz'
`, base, apiKey, apiKey, fakeURL, fotowebtest.ReadOnlyUser, apiKey, base, ref, apiKey, base, ref, apiKey, base, base)
	if envFile != "" {
		fmt.Fprintf(a.stdout, `
The other commands work against this demo with its settings (keys in files beside it):
  set -a; . %s; set +a
  fotoembed sign --width 600 %s
  fotoembed resolve %s
  fotoembed doctor
  fotoembed rewrite path/to/built/site      (pages with fotoweb placeholders; see README)
`, envFile, fotowebtest.LandscapeAsset, fotowebtest.LandscapeAsset)
	}
	fmt.Fprintf(a.stdout, "\nNothing is written outside a temporary folder, which is removed on exit. Press Ctrl+C to stop.\n")
}
