package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/urltoken"
)

// URL token policies (--url-token).
const (
	urlTokenAuto = "auto"
)

// accessConfig says what FotoWeb access a visitor's browser gets: the URL
// token policy of redirect delivery and direct HTML, and the settings of
// export delivery.
type accessConfig struct {
	URLToken      string
	AllowWritable bool
	ExportPreset  string
	Publication   string
	ExportLedger  string // bbolt file; with a Redis --store the ledger is in Redis
}

func (c *accessConfig) register(f *flagSet, defLedger string) {
	f.Enum(&c.URLToken, "url-token", "FOTOEMBED_URL_TOKEN", urlTokenAuto, []string{urlTokenAuto, "none", "preview", "access"},
		"what goes on FotoWeb URLs handed to browsers (redirect delivery, direct HTML): none (the preview URL as FotoWeb gives it), "+
			"preview (the asset's previewToken: that one asset, one hour), access (the live access token: whatever its user may do), "+
			"auto (find out which the FotoWeb instance accepts and use the narrowest; checked again hourly and when FotoWeb refuses a fetch)")
	f.Bool(&c.AllowWritable, "i-understand-writable-token-in-urls", "FOTOEMBED_ALLOW_WRITABLE_TOKEN_IN_URLS", false,
		"allow the access token in URLs (--url-token access, or auto finding only that works) although its user may change assets, metadata or settings in FotoWeb")
	f.String(&c.ExportPreset, "export-preset", "FOTOEMBED_EXPORT_PRESET", "", "href",
		"export delivery: href of a FotoWeb CMS export preset sent with every export, such as /fotoweb/me/presets/exports/ID; empty sends none")
	f.String(&c.Publication, "publication", "FOTOEMBED_PUBLICATION", "", "URL",
		"export delivery: the publication FotoWeb's export manager records for an export when the request names no page (default: --base-url)")
	f.String(&c.ExportLedger, "export-ledger", "FOTOEMBED_EXPORT_LEDGER", defLedger, "file",
		"export delivery: database file recording every export made, so nothing is exported twice (mode 0600; one process at a time); "+
			"default exports.db in the user configuration directory, beside the token file; with a Redis --store the ledger is kept in Redis instead")
}

// Validate reports every problem with c; store is --store (a Redis store
// holds the ledger instead of the file).
func (c *accessConfig) Validate(store string) error {
	var errs []error
	if c.ExportLedger == "" && store == storeMemory {
		errs = append(errs, errors.New("--export-ledger is empty and no default could be worked out (no HOME): give a file path"))
	}
	if c.Publication != "" {
		if err := checkBaseURL(c.Publication); err != nil {
			errs = append(errs, fmt.Errorf("--publication %q must be an absolute http(s) URL", safeURL(c.Publication)))
		}
	}
	return errors.Join(errs...)
}

// defaultLedgerFile is the file name beside the default token file:
// exports.db for serve, rewrite-exports.db for rewrite (a ledger file is
// open in one process at a time, and a build may run beside the service).
func defaultLedgerFile(tokenFile, name string) string {
	if tokenFile == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(tokenFile), name)
}

// ledger opens the export ledger: in Redis when the store is shared, else
// the file.
func (c *accessConfig) ledger(shared *redisstore.Store) (exports.Ledger, error) {
	if shared != nil {
		return shared.Ledger(), nil
	}
	l, err := exports.OpenFile(c.ExportLedger, exports.FileOptions{})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// policy is the URL token policy in force with its reason, a prober for
// auto (not yet run) or a fixed policy.
type policy struct {
	u interface {
		embed.URLTokenPolicy
		State() urltoken.State
	}
	prober *urltoken.Prober // nil for a fixed policy
}

// urlTokens builds the URL token policy. allowAccess is the check the
// access token must pass before it goes into URLs.
func (c *accessConfig) urlTokens(fw *fotoweb.Client, ts fotoweb.TokenSource, allowAccess func(context.Context) error, log *slog.Logger) (policy, error) {
	if c.URLToken != urlTokenAuto {
		t, err := embed.ParseURLToken(c.URLToken)
		if err != nil {
			return policy{}, err
		}
		return policy{u: urltoken.Fixed{Policy: t, Reason: "configured (--url-token " + c.URLToken + ")"}}, nil
	}
	p, err := urltoken.New(urltoken.Config{Client: fw, Tokens: ts, AllowAccess: allowAccess, Logger: log})
	if err != nil {
		return policy{}, err
	}
	return policy{u: p, prober: p}, nil
}

// allowAccess returns the check the access token of auth must pass before
// it is handed to browsers: a client-credentials token only with
// --i-understand-admin-token-in-urls; a user or static token only when
// FotoWeb says its user is read-only, or with
// --i-understand-writable-token-in-urls.
func (c *accessConfig) allowAccess(auth string, allowAdmin bool, fw *fotoweb.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		if auth == authClientCredentials {
			if allowAdmin {
				return nil
			}
			return errAdminToken
		}
		err := urltoken.CheckReadOnly(ctx, fw)
		var we *urltoken.WritableError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &we) && c.AllowWritable:
			return nil
		case errors.As(err, &we):
			return fmt.Errorf("%w. Every visitor who sees an image URL could do the same through the FotoWeb API. "+
				"Give the web user read-only rights in FotoWeb (View and Preview on the published archives, nothing else), "+
				"or use --url-token none or preview, --delivery proxy or export; to accept the risk, add "+
				"--i-understand-writable-token-in-urls (FOTOEMBED_ALLOW_WRITABLE_TOKEN_IN_URLS=1)", err)
		}
		return fmt.Errorf("cannot tell whether the FotoWeb user is read-only, so its access token is not put in URLs: %w", err)
	}
}

// startPolicy settles the policy before the service takes requests: a
// fixed access policy must pass allowAccess; auto probes once (and the
// service does not start if the only working form is refused). Then auto
// keeps probing in the background until ctx ends.
func startPolicy(ctx context.Context, p policy, allowAccess func(context.Context) error, log *slog.Logger) error {
	if p.prober == nil {
		if p.u.URLToken() == embed.URLTokenAccess {
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := allowAccess(cctx); err != nil {
				return fmt.Errorf("--url-token access: %w", err)
			}
		}
		st := p.u.State()
		log.Info("URL token policy", "policy", st.Policy.String(), "reason", st.Reason)
		return nil
	}
	st := p.prober.Probe(ctx)
	if st.AccessRefused {
		return fmt.Errorf("--url-token auto: %s", st.Reason)
	}
	go p.prober.Run(ctx)
	return nil
}

// exporter returns the exporter of export delivery over the ledger (Redis
// when the store is shared, else the file) and the closing of the ledger.
// When the ledger cannot be opened, that is an error for --delivery
// export; otherwise export is only not offered (/v1 refuses
// delivery=export) and a warning says why.
//
// It also returns the ledger it opened (nil when none), whose database the
// where-used record shares: a ledger file can be opened once per process.
func (c *accessConfig) exporter(ctx context.Context, fw *fotoweb.Client, shared *redisstore.Store, baseURL string, required bool, log *slog.Logger) (*exports.Exporter, exports.Ledger, func(), error) {
	if err := c.checkPreset(ctx, fw, log); err != nil {
		return nil, nil, nil, err
	}
	l, err := c.ledger(shared)
	if err != nil && !required {
		log.Warn("export delivery is not offered: the export ledger cannot be opened", "err", err.Error())
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	pub := c.Publication
	if pub == "" {
		pub = baseURL
	}
	x, err := exports.New(exports.Config{Client: fw, Ledger: l, Preset: c.ExportPreset, Publication: pub, Logger: log})
	if err != nil {
		l.Close()
		return nil, nil, nil, err
	}
	return x, l, func() { l.Close() }, nil
}

// checkPreset makes sure --export-preset names a preset FotoWeb has: a
// wrong one would make every export fail. FotoWeb not answering is only
// a warning (it may be down at start).
func (c *accessConfig) checkPreset(ctx context.Context, fw *fotoweb.Client, log *slog.Logger) error {
	if c.ExportPreset == "" {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := fw.ExportPresetAt(cctx, c.ExportPreset)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fotoweb.ErrNotFound), errors.Is(err, fotoweb.ErrOffOrigin), errors.Is(err, fotoweb.ErrForbidden):
		return fmt.Errorf("--export-preset %q: FotoWeb has no such export preset for this user (list them in FotoWeb's site configuration, CMS export presets): %w", c.ExportPreset, err)
	}
	log.Warn("could not check --export-preset; exports will fail if it is wrong", "preset", c.ExportPreset, "err", err.Error())
	return nil
}

// rechecker forwards FotoWeb's refusals to the URL token prober, once one
// exists (the FotoWeb client is built before the prober that uses it).
type rechecker struct {
	p atomic.Pointer[urltoken.Prober]
}

func (r *rechecker) set(p *urltoken.Prober) { r.p.Store(p) }

func (r *rechecker) recheck() {
	if p := r.p.Load(); p != nil {
		p.Recheck()
	}
}
