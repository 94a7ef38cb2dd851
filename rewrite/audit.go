package rewrite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fotoembed/fotoembed/urlsig"
)

// DefaultWarnWithin is how close a licence end is reported as a warning.
const DefaultWarnWithin = 30 * 24 * time.Hour

// ErrAuditProblems is matched by the error of an audit that found a
// problem: an asset expired, withdrawn or not resolved, an image without
// alt text, a malformed placeholder or a signed URL that does not verify.
var ErrAuditProblems = errors.New("rewrite: the audit found problems")

// AuditConfig configures [Audit].
type AuditConfig struct {
	// Root is the built site's folder; required.
	Root string
	// Source resolves the assets ([*Direct] or [*Service]); required. A
	// Direct source reads the rights fields named in its Fields.
	Source Source
	// Signer verifies the signed URLs found; nil reports them unverified.
	Signer *urlsig.Signer
	// WarnWithin is how close a licence end (or a signed URL's expiry)
	// is a warning; 0 means DefaultWarnWithin, negative never warns.
	WarnWithin time.Duration
	// Concurrency bounds the assets resolved at once; 0 means
	// DefaultConcurrency, negative is an error.
	Concurrency int
	// Extensions are the file extensions of pages; nil means
	// DefaultExtensions.
	Extensions []string
	// Progress, when set, is told how the "scan" and "resolve" phases
	// advance. Calls are serialised.
	Progress func(Progress)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// RightsState is what an audit found about whether an image may be shown.
type RightsState string

// Rights states.
const (
	StateOK          RightsState = "ok"
	StateExpiresSoon RightsState = "expires soon" // within AuditConfig.WarnWithin
	StateExpired     RightsState = "expired"
	StateWithdrawn   RightsState = "withdrawn"
	StateUnknown     RightsState = "unknown" // the asset was not resolved
)

// Kinds of audited images.
const (
	KindPlaceholder = "placeholder" // an image placeholder, as Run replaces
	KindSigned      = "signed"      // an <img> or <source> linking a signed URL
)

// AuditImage is one image found in a page: a placeholder, or an <img> or
// <source> element linking a fotoembed signed URL (one per asset it links).
type AuditImage struct {
	// File is the page's path: AuditConfig.Root joined with its path inside.
	File string `json:"file"`
	// Line is the 1-based line of the tag's "<".
	Line int `json:"line"`
	// Asset is the placeholder's reference as written, or the asset href
	// decoded from the signed URL.
	Asset string `json:"asset"`
	// Kind is KindPlaceholder or KindSigned.
	Kind string `json:"kind"`
	// Signature is, for a signed URL, "verified", "unverified" (no
	// Signer) or "invalid".
	Signature string `json:"signature,omitempty"`
	// State is the asset's rights state.
	State RightsState `json:"state"`
	// Expires is when its licence ends; nil when it has no end (or is not
	// known).
	Expires *time.Time `json:"expires"`
	// Alt is the alt text the page gives the image: the tag's alt
	// attribute or, for a placeholder without one, FotoWeb's alt (or
	// title) text, and in a figure the text that does not repeat its
	// caption (embed.Text.FigureAlt: the title, or "" when the caption
	// names the image); "" when decorative or missing.
	Alt string `json:"alt"`
	// Decorative reports alt="" (or only white space) on the tag.
	Decorative bool `json:"decorative"`
	// CaptionAlt reports a figure placeholder without alt whose alt text
	// is "" because its <figcaption>, read right after the image, names
	// it: the caption stands in for the alt text, which is not missing.
	CaptionAlt bool `json:"captionAlt"`
	// Credit is the asset's credit line.
	Credit string `json:"credit"`
	// Problems are what fails the audit; Warnings what does not.
	Problems []string `json:"problems"`
	Warnings []string `json:"warnings"`
}

// AuditReport is what [Audit] found.
type AuditReport struct {
	Files  int          `json:"files"`  // pages read
	Pages  int          `json:"pages"`  // pages holding audited images
	Assets int          `json:"assets"` // distinct assets
	Images []AuditImage `json:"images"` // every image, page by page in tree order, by line
	// Counts of images: problems and warnings, then by kind of problem.
	Problems    int `json:"problems"`
	Warnings    int `json:"warnings"`
	Expired     int `json:"expired"`
	Withdrawn   int `json:"withdrawn"`
	ExpiresSoon int `json:"expiresSoon"`
	NoAlt       int `json:"noAlt"`
	// WarnWithin is the warning horizon used.
	WarnWithin time.Duration `json:"-"`
	Elapsed    time.Duration `json:"-"`
}

// Audit reports, for every image placeholder and every <img> or <source>
// linking a fotoembed signed URL in the HTML of the site at cfg.Root, the
// asset's rights state and licence end, its alt text (or that it is
// decorative) and its credit line. It writes nothing. When an image has a
// problem the error matches [ErrAuditProblems] and the report says which.
func Audit(ctx context.Context, cfg AuditConfig) (*AuditReport, error) {
	a, err := newAuditRun(cfg)
	if err != nil {
		return nil, err
	}
	start := a.cfg.Now()
	err = a.run(ctx)
	a.rep.Elapsed = a.cfg.Now().Sub(start)
	if err != nil {
		return nil, err
	}
	if a.rep.Problems > 0 {
		return &a.rep, fmt.Errorf("%w: %d of %d %s", ErrAuditProblems, a.rep.Problems, len(a.rep.Images), plural(len(a.rep.Images), "image"))
	}
	return &a.rep, nil
}

// auditRun is one invocation of Audit.
type auditRun struct {
	cfg    AuditConfig
	src    auditSource
	root   string // absolute
	exts   map[string]bool
	prefix string    // route prefix of signed URLs
	now    time.Time // the moment rights and expiries are judged at
	rep    AuditReport
	mu     sync.Mutex // serialises Progress
	done   map[string]int
}

// newAuditRun checks cfg and fills in the defaults.
func newAuditRun(cfg AuditConfig) (*auditRun, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var errs []error
	if cfg.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("rewrite: AuditConfig.Concurrency is negative (%d): give 0 for the default (%d), or more",
			cfg.Concurrency, DefaultConcurrency))
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.WarnWithin == 0 {
		cfg.WarnWithin = DefaultWarnWithin
	}
	if cfg.Extensions == nil {
		cfg.Extensions = DefaultExtensions
	}
	a := &auditRun{cfg: cfg, exts: normExts(cfg.Extensions), prefix: urlsig.DefaultPrefix, done: map[string]int{}}
	a.rep.WarnWithin = max(cfg.WarnWithin, 0)
	if cfg.Signer != nil {
		a.prefix = cfg.Signer.Prefix()
	}
	if src, ok := cfg.Source.(auditSource); ok {
		a.src = src
	} else {
		errs = append(errs, errors.New("rewrite: AuditConfig.Source must be a *Direct or a *Service"))
	}
	var err error
	if a.root, err = filepath.Abs(cfg.Root); err != nil || cfg.Root == "" {
		errs = append(errs, fmt.Errorf("rewrite: site folder %q: not a usable path", cfg.Root))
	} else if fi, err := os.Stat(a.root); err != nil || !fi.IsDir() {
		errs = append(errs, fmt.Errorf("rewrite: site folder %q is not a folder", cfg.Root))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

// run reads the pages, resolves every asset once and fills in the report.
func (a *auditRun) run(ctx context.Context) error {
	a.now = a.cfg.Now()
	files, err := walkSite(a.root, a.exts, func(string, bool) bool { return false })
	if err != nil {
		return fmt.Errorf("rewrite: reading the site: %w", err)
	}
	pages, err := a.scanPages(ctx, files)
	if err != nil {
		return err
	}
	var entries []*auditEntry
	for _, p := range pages {
		entries = append(entries, p...)
		if len(p) > 0 {
			a.rep.Pages++
		}
	}
	assets, index := a.assets(entries)
	a.rep.Assets = len(assets)
	facts := a.src.auditAssets(ctx, assets, a.cfg.Concurrency, func(n, total int) { a.progress("resolve", n, total) })
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rewrite: audit interrupted: %w", err)
	}
	for _, e := range entries {
		if i, ok := index[e.key]; ok && e.fail == nil {
			a.apply(e, &facts[i])
		}
	}
	a.rep.Images = make([]AuditImage, 0, len(entries))
	for _, e := range entries {
		a.finish(e)
		a.rep.Images = append(a.rep.Images, e.img)
	}
	return nil
}

// assets returns the distinct assets of the entries (canonicalising their
// references) and the index of each canonical key.
func (a *auditRun) assets(entries []*auditEntry) ([]auditAsset, map[string]int) {
	var out []auditAsset
	index := map[string]int{}
	for _, e := range entries {
		if e.fail != nil {
			continue
		}
		key, err := a.cfg.Source.Canonical(e.ref)
		if err != nil {
			e.fail = explain(err)
			continue
		}
		e.key = key
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, auditAsset{ref: e.ref, key: key})
		}
		out[i].needAlt = out[i].needAlt || e.needAlt && !e.figure
		out[i].needFig = out[i].needFig || e.figure
	}
	return out, index
}

// progress reports that phase advanced by n of total.
func (a *auditRun) progress(phase string, n, total int) {
	if a.cfg.Progress == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.done[phase] += n
	a.cfg.Progress(Progress{Phase: phase, Done: a.done[phase], Total: total})
}
