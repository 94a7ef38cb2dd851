package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/urlsig"
)

// auditOptions are the audit's own flags, of `audit` and `rewrite --audit`.
type auditOptions struct {
	WarnWithin time.Duration
	JSON       bool
}

// register registers --warn-within and --json.
func (o *auditOptions) register(f *flagSet) {
	f.Duration(&o.WarnWithin, "warn-within", "FOTOEMBED_AUDIT_WARN_WITHIN", rewrite.DefaultWarnWithin,
		"audit: a licence (or signed URL) ending within this long is a warning, which does not fail the audit; 0 turns warnings off")
	f.Bool(&o.JSON, "json", "FOTOEMBED_AUDIT_JSON", false,
		"audit: print a JSON document listing every image (file, line, asset, kind, signature, state, expires, alt, decorative, captionAlt, credit, problems, warnings) and the counts instead of text")
}

const auditSummary = "Check every image of a built static site (SITE_DIR): the image placeholders, and the img and\n" +
	"source elements linking fotoembed signed URLs. Each problem is printed as file:line: ASSET: problem;\n" +
	"the exit status is 1 if an asset's licence has expired, it was withdrawn, or an image lacks alt text."

const auditDetails = `Example (in CI, after the build; the rights fields as the service reads them):

  hugo && fotoembed audit --rights-expiry-field 230 --withdrawn-field 10 public/
  fotoembed audit --service https://img.example.com --json public/ > audit.json

For each image it reports the asset, its rights state (ok, expires soon,
expired, withdrawn) and licence end, its alt text (the tag's alt; alt=""
marks a decorative image; a placeholder without alt takes FotoWeb's alt or
title text) and its credit line. A licence ending within --warn-within is a
warning only. Signed URLs (/i/..., any host) are checked with the signing
keys when they are configured, else reported unverified. Assets are
resolved as rewrite resolves them: with FotoWeb (--fotoweb-url, --auth and
its credentials) or through a running service (--service URL and
FOTOEMBED_API_KEY), afresh, without the record. Nothing is written;
` + "`fotoembed rewrite --audit`" + ` does the same with rewrite's flags.
`

// auditFlags returns audit's flags, filling c: rewrite's flags that say
// where assets are resolved and how pages are read, and the audit's own.
func auditFlags(env lookupFunc, c *rewriteConfig) *flagSet {
	f := newFlagSet("audit", " SITE_DIR", auditSummary, env)
	f.details = auditDetails
	f.checkArgs = c.siteArg
	c.registerSource(f, env)
	c.registerConcurrency(f)
	c.registerExt(f)
	c.Resolver.registerFields(f)
	c.AuditOpts.register(f)
	return f
}

// validateAudit reports every problem of c for an audit: the signing
// keys are optional (without them signed URLs are not verified).
func (c *rewriteConfig) validateAudit() error {
	errs := append([]error{c.Resolver.Validate()}, c.validateSite()...)
	if c.Service != "" {
		errs = append(errs, c.validateService()...)
	} else {
		errs = append(errs, c.validateFotoWeb()...)
	}
	if len(c.Signing.Keys) > 0 {
		errs = append(errs, c.Signing.Validate())
	}
	return errors.Join(errs...)
}

// audit checks the images of a built site.
func (a *app) audit(ctx context.Context, args []string) error {
	var c rewriteConfig
	f := auditFlags(a.env, &c)
	if err := a.parse(f, args, c.validateAudit); err != nil {
		return err
	}
	return a.runAudit(ctx, &c)
}

// runAudit audits c.Site and prints the report on stdout: the problem
// and warning lines and a summary, or the JSON document. Its error (exit
// status 1) says the audit found problems.
func (a *app) runAudit(ctx context.Context, c *rewriteConfig) error {
	// Download mode needs neither signing keys nor an exporter: the
	// source only resolves.
	src, done, err := a.rewriteSource(c, rewrite.ModeDownload)
	if err != nil {
		return err
	}
	defer done()
	var signer *urlsig.Signer
	if len(c.Signing.Keys) > 0 {
		if signer, err = c.Signing.signer(); err != nil {
			return err
		}
	}
	bar := &progressBar{w: a.stderr, on: a.terminal(a.stderr)}
	rep, err := rewrite.Audit(ctx, rewrite.AuditConfig{Root: c.Site, Source: src, Signer: signer,
		WarnWithin: offIfZero(c.AuditOpts.WarnWithin), Concurrency: c.Concurrency, Extensions: c.Exts,
		Progress: bar.update, Now: a.now})
	bar.clear()
	if rep == nil {
		return err
	}
	if c.AuditOpts.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(rep); jerr != nil {
			return jerr
		}
		return err
	}
	var b strings.Builder
	for _, l := range rep.Lines() {
		fmt.Fprintln(&b, l)
	}
	fmt.Fprintln(&b, rep.Summary())
	fmt.Fprint(a.stdout, b.String())
	return err
}
