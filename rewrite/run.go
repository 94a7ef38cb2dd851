package rewrite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultConcurrency = 8
	DefaultMaxAge      = 24 * time.Hour
)

// DefaultExtensions are the file extensions of pages.
var DefaultExtensions = []string{".html", ".htm"}

// Config configures [Run]. A zero field means its default; a negative
// MaxAge means the record is not used, a negative Concurrency is an
// error. (The same holds for [AuditConfig] and [ServiceConfig]: a zero
// field is its default, a negative count or time limit an error.)
type Config struct {
	// Root is the site folder the generator wrote; required.
	Root string
	// Out, when set, receives a copy of the whole tree with the pages
	// rewritten, instead of rewriting Root in place. It must not overlap
	// Root. Files already identical in Out are left alone.
	Out string
	// Source resolves placeholders ([*Direct] or [*Service]); required.
	Source Source
	// Mode selects signed links, downloaded files or public exports.
	Mode Mode
	// SiteURL is the site's public base URL, such as
	// "https://www.example.org/" (optional, ModeExport): each export made
	// is then recorded in FotoWeb with the URL of a page that uses it,
	// SiteURL joined with the page's path relative to the root
	// (index.html kept). Without it FotoWeb records the exporter's
	// default publication.
	SiteURL string
	// Concurrency bounds the assets resolved (and previews downloaded) at
	// once; 0 means DefaultConcurrency, negative is an error.
	Concurrency int
	// CacheFile is the record of earlier runs; "" means
	// DefaultCacheFile at the root of the output.
	CacheFile string
	// NoCache turns the record off: every asset is asked for again.
	NoCache bool
	// MaxAge is how long what the record holds is used; 0 means
	// DefaultMaxAge. Negative: nothing the record holds is used (every
	// asset is asked for again), but the record is still written for
	// later runs; NoCache turns it off altogether.
	MaxAge time.Duration
	// AssetDir is the folder of downloaded previews, slash-separated and
	// relative to the root of the output; "" means DefaultAssetDir.
	AssetDir string
	// Extensions are the file extensions of pages; nil means
	// DefaultExtensions.
	Extensions []string
	// DryRun resolves and reports without writing anything.
	DryRun bool
	// Usage, when set, records every (asset, page) of a run that rewrote
	// the site: page is SiteURL joined with the page's path when SiteURL
	// is set, else the path from the site's root ("/blog/index.html").
	// Failures are warnings in the report. Not in a dry run.
	Usage UsageRecorder
	// Progress, when set, is told how each phase advances ("scan",
	// "resolve", "download", "write"). Calls are serialised.
	Progress func(Progress)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Progress is how far a phase of the run is.
type Progress struct {
	Phase       string
	Done, Total int
}

// Report says what a run did.
type Report struct {
	Files     int           // pages read
	Pages     int           // pages holding placeholders
	Written   int           // files written (or that would be, in a dry run)
	Images    int           // placeholders
	Assets    int           // distinct assets
	Upstream  int           // requests to FotoWeb or the service, downloads and exports included
	Downloads int           // previews downloaded
	Changed   []string      // the pages rewritten (or that would be), as Failure.File names them
	Failures  []Failure     // unresolved placeholders, by file and line
	Warnings  []string      // problems that did not stop the run
	Elapsed   time.Duration // wall time
	DryRun    bool
}

// Summary is the one-line summary of the run.
func (r *Report) Summary() string {
	verb := "rewritten"
	if r.DryRun {
		verb = "to rewrite"
	}
	return fmt.Sprintf("rewrite: %d %s, %d with images, %d %s, %d %s, %d %s, %d upstream %s, %d %s, %s",
		r.Files, plural(r.Files, "page"), r.Pages, len(r.Changed), verb, r.Images, plural(r.Images, "image"),
		r.Assets, plural(r.Assets, "asset"), r.Upstream, plural(r.Upstream, "call"),
		r.Downloads, plural(r.Downloads, "download"), r.Elapsed.Round(time.Millisecond))
}

// Run rewrites the placeholders of the site at cfg.Root; see the package
// documentation. When placeholders fail the error is an
// [*UnresolvedError] (also in the report) and no page is written.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	before := r.cfg.Source.upstream()
	err = r.run(ctx)
	if err == nil && !r.cfg.DryRun {
		r.recordUses(ctx)
	}
	r.rep.Elapsed = r.cfg.Now().Sub(r.start)
	r.rep.Upstream = r.cfg.Source.upstream() - before
	return &r.rep, err
}

// run is one invocation of Run.
type run struct {
	cfg      Config
	root     string // absolute
	out      string // absolute output root (root when in place)
	assetDir string // absolute
	exts     map[string]bool
	start    time.Time
	rep      Report
	mu       sync.Mutex // serialises Progress
	done     map[string]int
	uses     []use        // (asset, page) pairs for Config.Usage, in tree order
	used     map[use]bool // the pairs in uses
}

// newRun checks cfg and fills in the defaults.
func newRun(cfg Config) (*run, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &run{cfg: cfg, start: cfg.Now(), done: map[string]int{}}
	r.rep.DryRun = cfg.DryRun
	var errs []error
	if cfg.Source == nil {
		errs = append(errs, errors.New("rewrite: Config.Source is required"))
	} else if err := cfg.Source.check(cfg.Mode); err != nil {
		errs = append(errs, err)
	}
	if cfg.Mode != ModeSigned && cfg.Mode != ModeDownload && cfg.Mode != ModeExport {
		errs = append(errs, fmt.Errorf("rewrite: unknown mode %d", int(cfg.Mode)))
	}
	if cfg.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("rewrite: Config.Concurrency is negative (%d): give 0 for the default (%d), or more",
			cfg.Concurrency, DefaultConcurrency))
	}
	if cfg.SiteURL != "" {
		if err := checkSiteURL(cfg.SiteURL); err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	if r.root, err = filepath.Abs(cfg.Root); err != nil || cfg.Root == "" {
		errs = append(errs, fmt.Errorf("rewrite: site folder %q: not a usable path", cfg.Root))
	} else if fi, err := os.Stat(r.root); err != nil || !fi.IsDir() {
		errs = append(errs, fmt.Errorf("rewrite: site folder %q is not a folder", cfg.Root))
	}
	r.out = r.root
	if cfg.Out != "" {
		if r.out, err = filepath.Abs(cfg.Out); err != nil {
			errs = append(errs, fmt.Errorf("rewrite: output folder %q: %v", cfg.Out, err))
		} else if r.out != r.root && (inside(r.out, r.root) || inside(r.root, r.out)) {
			errs = append(errs, fmt.Errorf("rewrite: output folder %q overlaps the site folder %q", cfg.Out, cfg.Root))
		}
	}
	errs = append(errs, r.defaults())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// defaults fills in zero Config fields and checks AssetDir.
func (r *run) defaults() error {
	c := &r.cfg
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.Extensions == nil {
		c.Extensions = DefaultExtensions
	}
	r.exts = normExts(c.Extensions)
	if c.AssetDir == "" {
		c.AssetDir = DefaultAssetDir
	}
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(c.AssetDir)))
	if filepath.IsAbs(c.AssetDir) || clean == "." || clean == ".." || len(clean) > 2 && clean[:3] == "../" {
		return fmt.Errorf("rewrite: asset folder %q must be a folder inside the site", c.AssetDir)
	}
	c.AssetDir = clean
	r.assetDir = filepath.Join(r.out, filepath.FromSlash(clean))
	if c.CacheFile == "" {
		c.CacheFile = filepath.Join(r.out, DefaultCacheFile)
	} else if abs, err := filepath.Abs(c.CacheFile); err == nil {
		c.CacheFile = abs
	}
	if c.NoCache {
		c.CacheFile = ""
	}
	return nil
}

// progress reports that phase advanced by n of total.
func (r *run) progress(phase string, n, total int) {
	if r.cfg.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[phase] += n
	r.cfg.Progress(Progress{Phase: phase, Done: r.done[phase], Total: total})
}
