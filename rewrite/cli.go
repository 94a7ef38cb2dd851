package rewrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Command runs `fotoembed rewrite`: args are the arguments after the
// subcommand's name, env looks up environment variables (FOTOEMBED_*
// defaults for every flag; secrets only from there or from files). The
// failures and the one-line summary go to stderr (with a progress bar
// when stderr is a terminal); a dry run lists the pages it would change
// on stdout. -h prints the help to stdout and returns flag.ErrHelp.
// Command-line mistakes match [ErrUsage]; failed placeholders match
// [ErrUnresolved].
func Command(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	c, problems, err := parseArgs(args, env, stdout)
	if err != nil {
		return err
	}
	cfg, err := c.config(time.Now())
	if err := usageErrors(append(problems, err)...); err != nil {
		return err
	}
	bar := newProgressBar(stderr)
	cfg.Progress = bar.update
	rep, err := Run(ctx, cfg)
	bar.clear()
	if rep == nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(stderr, w)
	}
	for _, f := range rep.Failures {
		fmt.Fprintln(stderr, f.String())
	}
	if cfg.DryRun {
		for _, p := range rep.Changed {
			fmt.Fprintln(stdout, p)
		}
	}
	fmt.Fprintln(stderr, rep.Summary())
	return err
}

// config validates the command line, reporting every problem at once,
// and builds the run's Config with its source.
func (c *cliConfig) config(now time.Time) (Config, error) {
	cfg := Config{Root: c.site, Out: c.out, CacheFile: c.cacheFile, MaxAge: c.maxAge, NoCache: c.noCache || c.maxAge == 0,
		Concurrency: c.concurrency, AssetDir: c.assetDir, Extensions: strings.Split(c.exts, ","), DryRun: c.dryRun}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("rewrite: "+format, args...))
	}
	mode, ok := ParseMode(c.mode)
	if !ok {
		bad("--mode %q: use signed or download", c.mode)
	}
	cfg.Mode = mode
	if len(normExts(cfg.Extensions)) == 0 {
		bad("--ext %q: give the file extensions of pages, such as html,htm", c.exts)
	}
	if c.concurrency < 1 || c.concurrency > 256 {
		bad("--concurrency %d: use 1 to 256", c.concurrency)
	}
	if c.maxAge < 0 {
		bad("--max-age %v: use a positive duration, or 0 to turn the record off", c.maxAge)
	}
	if c.expires < 0 || c.expires > 100*365*24*time.Hour {
		bad("--expires %v: use a positive duration (0 means never)", c.expires)
	}
	for _, fl := range []struct {
		name string
		id   int
	}{{"alt", c.fields.Alt}, {"title", c.fields.Title}, {"caption", c.fields.Caption},
		{"byline", c.fields.Byline}, {"credit", c.fields.Credit}, {"copyright", c.fields.Copyright}} {
		if fl.id == 0 || fl.id < -1 {
			bad("--%s-field %d: give a FotoWeb metadata field id (such as 120), or -1 to turn it off", fl.name, fl.id)
		}
	}
	var src Source
	var err error
	if c.service != "" {
		src, err = c.serviceSource(mode)
	} else {
		src, err = c.directSource(mode, now)
	}
	errs = append(errs, err)
	cfg.Source = src
	return cfg, errors.Join(errs...)
}

// serviceSource builds the Service source.
func (c *cliConfig) serviceSource(Mode) (Source, error) {
	var errs []error
	if len(c.apiKey) == 0 {
		errs = append(errs, errors.New("rewrite: --service needs an API key: set FOTOEMBED_API_KEY or use --api-key-file"))
	}
	if c.expires != 0 {
		errs = append(errs, errors.New("rewrite: --expires cannot be used with --service: /v1/resolve mints URLs without expiry"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s, err := NewService(ServiceConfig{URL: c.service, APIKey: c.apiKey[0], FotoWebURL: c.fotowebURL})
	if err != nil {
		return nil, fmt.Errorf("rewrite: --service: %v", strings.TrimPrefix(err.Error(), "rewrite: "))
	}
	return s, nil
}

// directSource builds the Direct source: a client-credentials token
// source, a FotoWeb client and, in signed mode, the signer.
func (c *cliConfig) directSource(mode Mode, now time.Time) (Source, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("rewrite: "+format, args...))
	}
	if c.fotowebURL == "" {
		bad("set FOTOEMBED_FOTOWEB_URL (or --fotoweb-url), FOTOEMBED_CLIENT_ID and FOTOEMBED_CLIENT_SECRET to resolve with FotoWeb, or use --service URL with FOTOEMBED_API_KEY")
	}
	if c.clientID == "" {
		bad("--client-id is required to resolve with FotoWeb (or set FOTOEMBED_CLIENT_ID)")
	}
	if len(c.clientSecret) == 0 {
		bad("a client secret is required to resolve with FotoWeb: set FOTOEMBED_CLIENT_SECRET or use --client-secret-file")
	}
	var signer *urlsig.Signer
	if mode == ModeSigned {
		signer = c.signer(bad)
		if c.baseURL == "" {
			bad("signed links need --base-url (or FOTOEMBED_BASE_URL): the service's public URL, such as https://img.example.com")
		} else if u, err := url.Parse(c.baseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("--base-url %q: use the service's absolute http(s) URL without query, such as https://img.example.com", c.baseURL)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{BaseURL: c.fotowebURL, ClientID: c.clientID, ClientSecret: c.clientSecret[0]}, tokens.Options{})
	if err != nil {
		return nil, fmt.Errorf("rewrite: %v", err)
	}
	client, err := fotoweb.New(fotoweb.Config{BaseURL: c.fotowebURL, Tokens: ts})
	if err != nil {
		return nil, fmt.Errorf("rewrite: --fotoweb-url %q: %v", c.fotowebURL, err)
	}
	var exp time.Time
	if c.expires > 0 {
		exp = now.Add(c.expires).Truncate(time.Second)
	}
	return NewDirect(DirectConfig{Client: client, Signer: signer, BaseURL: c.baseURL, ExpiresAt: exp,
		Fields: c.fields, CreditPrefix: c.creditPrefix})
}

// signer builds the signer from the keys, reporting problems with bad.
func (c *cliConfig) signer(bad func(string, ...any)) *urlsig.Signer {
	if len(c.signingKeys) == 0 {
		bad("signed links need the service's signing keys: set FOTOEMBED_SIGNING_KEYS or use --signing-keys-file (or use --mode download)")
		return nil
	}
	keys := make([][]byte, len(c.signingKeys))
	for i, k := range c.signingKeys {
		if len(k) < urlsig.MinKeyLen {
			bad("signing key %d of %d is %d bytes; each key needs at least %d", i+1, len(c.signingKeys), len(k), urlsig.MinKeyLen)
		}
		keys[i] = []byte(k)
	}
	if c.macLength < urlsig.MinMACLength || c.macLength > urlsig.MaxMACLength {
		bad("--mac-length %d: use %d to %d", c.macLength, urlsig.MinMACLength, urlsig.MaxMACLength)
		return nil
	}
	s, err := urlsig.New(urlsig.Config{Keys: keys, MACLength: c.macLength})
	if err != nil {
		return nil // reported above
	}
	return s
}

// isTerminal is replaced in tests.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && termIsTerminal(int(f.Fd()))
}
