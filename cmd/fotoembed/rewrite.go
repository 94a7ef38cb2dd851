package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/rewrite"
)

// rewriteConfig is everything `rewrite` needs, one part per concern.
type rewriteConfig struct {
	Site     string // SITE_DIR, the positional argument
	Mode     string // "signed", "download" or "export"
	BaseURL  string // the service's public URL (signed links)
	Expires  time.Duration
	Service  string // a running service's URL: resolve through it, not FotoWeb
	APIKey   string // secret: environment or file only
	FotoWeb  fotowebConfig
	Signing  signingConfig
	Resolver resolverConfig // the metadata fields and the credit prefix

	// Export mode: the ledger file and preset (resolving with FotoWeb)
	// and the site's public URL, which names the page of each export.
	ExportLedger, ExportPreset, SiteURL string

	Out, CacheFile, AssetDir string
	NoCache, DryRun          bool
	MaxAge                   time.Duration
	Concurrency              int
	Exts                     []string

	// Audit audits the site (as `fotoembed audit` does) instead of
	// rewriting it, with AuditOpts.
	Audit     bool
	AuditOpts auditOptions
}

// maxRewriteExpires is the longest --expires.
const maxRewriteExpires = 100 * 365 * 24 * time.Hour

const rewriteSummary = "Replace the image placeholders in the HTML of a built static site (SITE_DIR) with finished\n" +
	"img or figure elements whose URLs never expire; run it after the site generator. If any\n" +
	"placeholder cannot be resolved, each is reported as file:line: ASSET: reason and no page is written."

const rewriteDetails = `Example (FotoWeb and the signing keys from FOTOEMBED_* variables):

  hugo && fotoembed rewrite --base-url https://img.example.com public/

Placeholders, in Markdown or templates (the author's other attributes win):

  <img src="fotoweb:/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info" alt="Boats" width="600">
  ![Boats](fotoweb:/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info)
  <img data-fotoweb="https://acme.fotoware.cloud/fotoweb/archives/...info" data-fotoweb-figure>

data-fotoweb-figure[="class"] makes a <figure> with caption and credit;
data-fotoweb-priority makes the page's main image load eagerly. Tags in
<pre>, <code>, <script>, <style>, <textarea> and comments are left alone.

Links: --mode signed (default) points at the fotoembed service's signed URLs
(--base-url); --mode download copies the previews into SITE_DIR/_fotoweb/
and links them relatively; --mode export links permanent public URLs made
by FotoWeb's Export API (Fotoware's own way to put DAM images on web
pages), each image exported once and recorded in the export ledger
(--export-ledger). With download or export links the site needs neither
the service nor any token:

  hugo && fotoembed rewrite --mode export --site-url https://www.example.org/ public/

Resolution talks to FotoWeb (--fotoweb-url, --auth and its credentials;
signed mode also the signing keys), or, with --service URL and
FOTOEMBED_API_KEY, to a running fotoembed service, which needs neither
(and exports with its own ledger and preset). A record
(.fotoembed-cache.json) makes an unchanged rebuild ask nothing.

With --audit nothing is written: the site's images are checked for expired
or withdrawn licences and missing alt text, as ` + "`fotoembed audit`" + ` does.
`

// rewriteFlags returns rewrite's flags, filling c.
func rewriteFlags(env lookupFunc, c *rewriteConfig) *flagSet {
	f := newFlagSet("rewrite", " SITE_DIR", rewriteSummary, env)
	f.details = rewriteDetails
	f.checkArgs = c.siteArg
	f.Enum(&c.Mode, "mode", "FOTOEMBED_REWRITE_MODE", rewrite.ModeSigned.String(),
		[]string{rewrite.ModeSigned.String(), rewrite.ModeDownload.String(), rewrite.ModeExport.String()},
		"signed: link the service's signed URLs; download: copy the previews into the site and link them relatively; "+
			"export: link permanent public URLs from FotoWeb's Export API (no service, no token)")
	registerBaseURL(f, &c.BaseURL, "that signed links point at (--mode signed, resolving with FotoWeb)")
	f.Duration(&c.Expires, "expires", "FOTOEMBED_REWRITE_EXPIRES", 0, "signed URLs stop working this long after the run; 0 means never (not with --mode export)")
	c.registerSource(f, env)
	f.String(&c.ExportLedger, "export-ledger", "FOTOEMBED_EXPORT_LEDGER", defaultLedgerFile(defaultTokenFile(env), "rewrite-exports.db"), "file",
		"--mode export, resolving with FotoWeb: database file recording every export made, so that no image is exported twice, "+
			"across runs and fresh copies of the site (mode 0600; one process at a time); default rewrite-exports.db in the user configuration directory, beside the token file (serve keeps its own exports.db)")
	f.String(&c.ExportPreset, "export-preset", "FOTOEMBED_EXPORT_PRESET", "", "href",
		"--mode export, resolving with FotoWeb: href of a FotoWeb CMS export preset sent with every export, such as /fotoweb/me/presets/exports/ID; empty sends none")
	f.String(&c.SiteURL, "site-url", "FOTOEMBED_SITE_URL", "", "URL",
		"--mode export: the site's public URL, such as https://www.example.org/; FotoWeb's export manager then records each export with the URL of a page that uses it")
	f.String(&c.Out, "out", "FOTOEMBED_REWRITE_OUT", "", "dir",
		"write a complete copy of the site here (pages rewritten, other files copied) instead of rewriting in place")
	f.String(&c.CacheFile, "cache-file", "FOTOEMBED_REWRITE_CACHE_FILE", "", "path",
		"record of earlier runs (default: "+rewrite.DefaultCacheFile+" at the root of the output)")
	f.Bool(&c.NoCache, "no-cache", "FOTOEMBED_REWRITE_NO_CACHE", false, "neither read nor write the record: ask for every asset again")
	f.Duration(&c.MaxAge, "max-age", "FOTOEMBED_REWRITE_MAX_AGE", rewrite.DefaultMaxAge, "how long what the record holds is used; 0 turns the record off")
	c.registerConcurrency(f)
	f.String(&c.AssetDir, "asset-dir", "FOTOEMBED_REWRITE_ASSET_DIR", rewrite.DefaultAssetDir, "dir",
		"folder of downloaded previews, relative to the root of the output (download mode)")
	c.registerExt(f)
	c.Resolver.registerFields(f)
	f.Bool(&c.DryRun, "dry-run", "FOTOEMBED_REWRITE_DRY_RUN", false,
		"resolve and report, write no page (pages that would change are listed on stdout); with --mode export the exports are still made and recorded, for the real run to use")
	f.Bool(&c.Audit, "audit", "FOTOEMBED_REWRITE_AUDIT", false,
		"audit the site instead of rewriting it, as `fotoembed audit` does (with --warn-within and --json); nothing is written")
	c.AuditOpts.register(f)
	return f
}

// Validate reports every problem at once.
func (c *rewriteConfig) Validate() error {
	if c.Audit {
		return c.validateAudit()
	}
	errs := append([]error{c.Resolver.Validate()}, c.validateSite()...)
	if c.AuditOpts.JSON {
		errs = append(errs, errors.New("--json is for --audit: rewrite reports in text"))
	}
	if c.Expires > maxRewriteExpires {
		errs = append(errs, fmt.Errorf("--expires %v: too far in the future", c.Expires))
	}
	if c.BaseURL != "" {
		errs = append(errs, checkBaseURL(c.BaseURL))
	}
	if c.SiteURL != "" {
		if u, err := url.Parse(c.SiteURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--site-url %q must be the site's absolute http(s) URL without query or user info, such as https://www.example.org/", safeURL(c.SiteURL)))
		}
	}
	export := c.Mode == rewrite.ModeExport.String()
	if export && c.Expires != 0 {
		errs = append(errs, errors.New("--expires cannot be used with --mode export: export URLs are permanent"))
	}
	if c.Service != "" {
		return errors.Join(append(errs, c.validateService()...)...)
	}
	errs = append(errs, c.validateFotoWeb()...)
	if export && c.ExportLedger == "" {
		errs = append(errs, errors.New("--mode export needs --export-ledger (or FOTOEMBED_EXPORT_LEDGER): no default could be worked out (no HOME); give a file path"))
	}
	if c.Mode == rewrite.ModeSigned.String() {
		errs = append(errs, c.Signing.Validate())
		if c.BaseURL == "" {
			errs = append(errs, errors.New("signed links need --base-url (or FOTOEMBED_BASE_URL): the service's public URL, such as https://img.example.com (or use --mode download)"))
		}
	}
	return errors.Join(errs...)
}

// validateService reports the problems of resolving through a service.
func (c *rewriteConfig) validateService() []error {
	var errs []error
	if u, err := url.Parse(c.Service); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("--service %q must be the service's absolute http(s) URL without query or user info, such as https://img.example.com", safeURL(c.Service)))
	}
	if c.APIKey == "" {
		errs = append(errs, errors.New("--service needs an API key: set FOTOEMBED_API_KEY or use --api-key-file"))
	}
	if c.Expires != 0 && c.Mode != rewrite.ModeExport.String() {
		errs = append(errs, errors.New("--expires cannot be used with --service: /v1/resolve mints URLs without expiry"))
	}
	if c.ExportPreset != "" && c.Mode == rewrite.ModeExport.String() {
		errs = append(errs, errors.New("--export-preset cannot be used with --service: the service exports with its own preset"))
	}
	if c.FotoWeb.URL != "" {
		errs = append(errs, c.FotoWeb.validateURL())
	}
	return errs
}

// rewriteSource returns the rewrite.Source c asks for: the service, or FotoWeb
// itself with, in signed mode, the signing keys and, in export mode, an
// exporter recording in the ledger file. Call done when the run is over:
// it closes the ledger.
func (a *app) rewriteSource(c *rewriteConfig, mode rewrite.Mode) (src rewrite.Source, done func(), err error) {
	done = func() {}
	if c.Service != "" {
		src, err = rewrite.NewService(rewrite.ServiceConfig{URL: c.Service, APIKey: c.APIKey, FotoWebURL: c.FotoWeb.URL,
			HTTPClient: a.httpClient, Now: a.now})
		return src, done, err
	}
	ts, err := c.FotoWeb.tokenSource(a.httpClient, nil, nil)
	if err != nil {
		return nil, done, err
	}
	fw, err := c.FotoWeb.client(ts, a.httpClient, nil)
	if err != nil {
		return nil, done, err
	}
	dc := rewrite.DirectConfig{Client: fw, BaseURL: c.BaseURL, Fields: c.Resolver.Fields, CreditPrefix: c.Resolver.CreditPrefix, Now: a.now}
	switch mode {
	case rewrite.ModeSigned:
		if dc.Signer, err = c.Signing.signer(); err != nil {
			return nil, done, err
		}
		if c.Expires > 0 {
			dc.ExpiresAt = a.now().Add(c.Expires).Truncate(time.Second)
		}
	case rewrite.ModeExport:
		l, err := exports.OpenFile(c.ExportLedger, exports.FileOptions{})
		if err != nil {
			return nil, done, err
		}
		done = func() { l.Close() }
		dc.Exporter, err = exports.New(exports.Config{Client: fw, Ledger: l, Preset: c.ExportPreset, Publication: c.SiteURL,
			HTTPClient: a.httpClient, Now: a.now, Logger: slog.New(slog.NewTextHandler(a.stderr, nil))})
		if err != nil {
			done()
			return nil, func() {}, err
		}
	}
	src, err = rewrite.NewDirect(dc)
	if err != nil {
		done()
		return nil, func() {}, err
	}
	return src, done, nil
}

// rewrite rewrites the placeholders of a built site. Failures and the
// one-line summary go to stderr (with a progress bar on a terminal); a
// dry run lists the pages it would change on stdout.
func (a *app) rewrite(ctx context.Context, args []string) error {
	var c rewriteConfig
	f := rewriteFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	if c.Audit {
		return a.runAudit(ctx, &c)
	}
	mode, err := rewrite.ParseMode(c.Mode)
	if err != nil {
		return err
	}
	src, done, err := a.rewriteSource(&c, mode)
	if err != nil {
		return err
	}
	defer done()
	bar := &progressBar{w: a.stderr, on: a.terminal(a.stderr)}
	rc := rewrite.Config{
		Root: c.Site, Out: c.Out, Source: src, Mode: mode, SiteURL: c.SiteURL, Concurrency: c.Concurrency,
		CacheFile: c.CacheFile, NoCache: c.NoCache || c.MaxAge == 0, MaxAge: c.MaxAge,
		AssetDir: c.AssetDir, Extensions: c.Exts, DryRun: c.DryRun, Progress: bar.update, Now: a.now,
	}
	if svc, ok := src.(*rewrite.Service); ok {
		rc.Usage = svc // the service, which gets FotoWeb's webhooks, learns which pages to rebuild
	}
	rep, err := rewrite.Run(ctx, rc)
	bar.clear()
	if rep == nil {
		return err
	}
	var b strings.Builder
	for _, w := range rep.Warnings {
		fmt.Fprintln(&b, w)
	}
	for _, fl := range rep.Failures {
		fmt.Fprintln(&b, fl.String())
	}
	fmt.Fprintln(&b, rep.Summary())
	if c.DryRun {
		for _, p := range rep.Changed {
			fmt.Fprintln(a.stdout, p)
		}
	}
	fmt.Fprint(a.stderr, b.String())
	return err
}
