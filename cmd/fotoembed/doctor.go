package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// doctorConfig configures `doctor`.
type doctorConfig struct {
	FotoWeb       fotowebConfig
	BaseURL       string // the service's public URL, whose webhook route is checked
	HookSecret    string // secret: environment or file only
	ExportPreset  string // checked read-only; sent with the --check-export export
	JSON          bool
	CheckRotation bool
	CheckExport   bool
	Timeout       time.Duration // the whole run
	MaxPages      int           // pages followed walking a list to its end
	Log           logConfig
}

const doctorSummary = "Check a real FotoWeb instance with the FotoWeb flags of `serve` and report, in plain words\n" +
	"or as JSON (--json, for a bug report: it holds no token or secret), what fotoembed depends on:\n" +
	"the token grant and how expires_in is written, the API descriptor, which preview authentication\n" +
	"the instance accepts, refresh-token rotation (--check-rotation), the paging end forms, whether\n" +
	"Export is allowed, what the user may change, and whether the webhook route of --base-url\n" +
	"answers from this machine. Read-only unless a --check-* flag says otherwise. Exits 1 if a\n" +
	"check failed."

const doctorDetails = `Examples:

  fotoembed doctor --fotoweb-url https://acme.fotoware.cloud --auth user --client-id fotoembed
  FOTOEMBED_HOOK_SECRET=... fotoembed doctor --json --base-url https://img.example.com > doctor.json

Each check is ok, warn, fail or skipped, with a sentence saying what was
seen. Nothing is changed in FotoWeb or in the token file, except:

  --check-rotation  refreshes the --auth user login once, using its refresh
                    token up: the new token is saved to --token-file
                    atomically, as the service does, so the login is kept.
  --check-export    makes one EXPORT of one image: FotoWeb publishes a
                    permanent public URL (revoke it in FotoWeb's export
                    manager; its publication is "fotoembed doctor").

A --auth user login whose access token has expired is refreshed and saved
as the service would do it; a stored access token still valid is used as
it is.
`

// doctorFlags returns doctor's flags, filling c.
func doctorFlags(env lookupFunc, c *doctorConfig) *flagSet {
	f := newFlagSet("doctor", "", doctorSummary, env)
	f.details = doctorDetails
	c.FotoWeb.registerURL(f, "required")
	c.FotoWeb.registerAuth(f, authUser, defaultTokenFile(env))
	f.Bool(&c.JSON, "json", "FOTOEMBED_DOCTOR_JSON", false,
		"print the report as a JSON document instead of plain words (no token or secret is in either)")
	registerBaseURL(f, &c.BaseURL, "whose webhook route /hooks/fotoweb/SECRET is checked from this machine (with the webhook secret); empty skips the check")
	f.SecretString(&c.HookSecret, "hook-secret", "FOTOEMBED_HOOK_SECRET", "the webhook secret",
		"secret path segment of the service's webhook URL /hooks/fotoweb/SECRET, as serve has it; with --base-url the route is checked")
	f.String(&c.ExportPreset, "export-preset", "FOTOEMBED_EXPORT_PRESET", "", "href",
		"href of the CMS export preset serve sends with exports; checked read-only, and sent with the --check-export export")
	f.Bool(&c.CheckRotation, "check-rotation", "FOTOEMBED_DOCTOR_CHECK_ROTATION", false,
		"refresh the --auth user login once to see whether FotoWeb rotates refresh tokens; the rotated token is saved to --token-file atomically, as the service does")
	f.Bool(&c.CheckExport, "check-export", "FOTOEMBED_DOCTOR_CHECK_EXPORT", false,
		"export one image to see whether EXPORT works for this user: FotoWeb publishes a permanent public URL (a change in FotoWeb; revoke it in its export manager)")
	f.PositiveDuration(&c.Timeout, "timeout", "FOTOEMBED_DOCTOR_TIMEOUT", 2*time.Minute, "time limit of the whole check; checks not finished by then fail")
	f.Int(&c.MaxPages, "max-pages", "FOTOEMBED_DOCTOR_MAX_PAGES", 50, 1, 2000,
		"most pages of one list followed to find its end (then the list's last link is followed, if it has one)")
	c.Log.register(f)
	return f
}

// Validate reports every problem at once.
func (c *doctorConfig) Validate() error {
	errs := []error{c.FotoWeb.Validate()}
	if c.BaseURL != "" {
		errs = append(errs, checkBaseURL(c.BaseURL))
	}
	if c.CheckRotation && c.FotoWeb.Auth != authUser {
		errs = append(errs, &usageError{cmd: "doctor", err: fmt.Errorf(
			"--check-rotation needs --auth user: only a user login has a refresh token (--auth is %s)", c.FotoWeb.Auth)})
	}
	return errors.Join(errs...)
}

// doctor runs the checks and prints the report; an error (exit status
// 1) when a check failed.
func (a *app) doctor(ctx context.Context, args []string) error {
	var c doctorConfig
	f := doctorFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	d := newDoctor(a, &c)
	rep := d.run(ctx)
	if err := d.write(rep); err != nil {
		return err
	}
	if failed := rep.failed(); len(failed) > 0 {
		return fmt.Errorf("doctor: %d of %d checks failed: %s", len(failed), len(rep.Checks), strings.Join(failed, ", "))
	}
	return nil
}

// doctor holds one run's clients and what its checks have found out that
// later checks use.
type doctor struct {
	a   *app
	c   *doctorConfig
	log *slog.Logger

	secrets *secretList // every secret seen, for the report's redaction
	tap     *tokenTap   // observes the token endpoint's answers
	store   *tokens.FileStore
	ts      *tokens.Source
	fw      *fotoweb.Client
	raw     *rawClient

	desc     *fotoweb.Descriptor // nil until the descriptor check passed
	archives []fotoweb.Collection
	images   []fotoweb.Asset // image assets with previews met walking lists

	seen          map[string]bool // hrefs of the assets met walking lists
	seenAssets    int             // assets met walking lists
	previewTokens int             // of which carried a previewToken
	exportable    int             // of which listed the Export permission
}

// newDoctor returns the doctor of one run, its secrets list holding the
// configured secrets.
func newDoctor(a *app, c *doctorConfig) *doctor {
	d := &doctor{a: a, c: c, log: c.Log.logger(a.stderr), secrets: &secretList{}, seen: map[string]bool{}}
	d.secrets.add(c.FotoWeb.ClientSecret, c.FotoWeb.StaticToken, c.HookSecret)
	d.tap = &tokenTap{secrets: d.secrets}
	return d
}

// baseTransport is the transport under every FotoWeb request: the test
// client's, else the default.
func (d *doctor) baseTransport() http.RoundTripper {
	if d.a.httpClient != nil && d.a.httpClient.Transport != nil {
		return d.a.httpClient.Transport
	}
	return http.DefaultTransport
}

// run runs every check in report order. A check that needs what an
// earlier one failed to get is skipped, saying so.
func (d *doctor) run(ctx context.Context) *doctorReport {
	rep := &doctorReport{Fotoembed: versionString(), FotoWeb: d.c.FotoWeb.URL, Auth: d.c.FotoWeb.Auth, Started: d.a.now().UTC()}
	steps := []struct {
		id, title string
		needs     func() string // why the check cannot run, "" when it can
		run       func(ctx context.Context, ch *doctorCheck)
	}{
		{"token", "token grant", nil, d.checkToken},
		{"descriptor", "API descriptor", d.needToken, d.checkDescriptor},
		{"preview_auth", "preview authentication", d.needDescriptor, d.checkPreviewAuth},
		{"rotation", "refresh-token rotation", d.needToken, d.checkRotation},
		{"paging", "paging", d.needDescriptor, d.checkPaging},
		{"export", "Export", d.needDescriptor, d.checkExport},
		{"read_only", "what the user may change", d.needDescriptor, d.checkReadOnly},
		{"webhook", "webhook reachability", nil, d.checkWebhook},
	}
	for _, s := range steps {
		ch := &doctorCheck{ID: s.id, Title: s.title, Details: map[string]any{}}
		rep.Checks = append(rep.Checks, ch)
		if s.needs != nil {
			if why := s.needs(); why != "" {
				ch.skip(why)
				continue
			}
		}
		if err := ctx.Err(); err != nil {
			ch.set(checkFail, "Not run: the time limit (--timeout %v) was reached first.", d.c.Timeout)
			continue
		}
		s.run(ctx, ch)
		if ch.Status == "" {
			ch.set(checkFail, "The check ended without a result (a bug in fotoembed doctor).")
		}
	}
	rep.finish(d.secrets.redactor())
	return rep
}

// needToken says why a check needing a token cannot run.
func (d *doctor) needToken() string {
	if d.ts == nil {
		return "Not run: no token could be had (see the token check)."
	}
	return ""
}

// needDescriptor says why a check needing the API descriptor cannot run.
func (d *doctor) needDescriptor() string {
	if why := d.needToken(); why != "" {
		return why
	}
	if d.desc == nil {
		return "Not run: FotoWeb did not answer the API descriptor (see that check)."
	}
	return ""
}
