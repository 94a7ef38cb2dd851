package rewrite

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/urlsig"
)

const usageText = `Usage: fotoembed rewrite [flags] SITE_DIR

Replace the image placeholders in a built static site's HTML with finished
<img> (or <figure>) elements whose URLs never expire. Run it after the site
generator, over its output folder:

  hugo && fotoembed rewrite --base-url https://img.example.com public/

Placeholders (in Markdown or templates; the author's other attributes win):

  <img src="fotoweb:/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info" alt="Boats" width="600">
  ![Boats](fotoweb:/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info)
  <img data-fotoweb="https://acme.fotoware.cloud/fotoweb/archives/...info" data-fotoweb-figure>

data-fotoweb-figure[="class"] makes a <figure> with caption and credit;
data-fotoweb-priority makes the page's main image load eagerly. Tags in
<pre>, <code>, <script>, <style>, <textarea> and comments are left alone.

Links: --mode signed (default) points at the fotoembed service's signed URLs
(--base-url); --mode download copies the previews into SITE_DIR/_fotoweb/
and links them relatively, so the site needs no service at all.

Resolution talks to FotoWeb (FOTOEMBED_FOTOWEB_URL, FOTOEMBED_CLIENT_ID,
FOTOEMBED_CLIENT_SECRET; signed mode also FOTOEMBED_SIGNING_KEYS), or, with
--service URL and FOTOEMBED_API_KEY, to a running fotoembed service.

All or nothing: if any placeholder fails, each is reported as
file:line: ASSET: reason, no page is written and the exit status is 1.
A record (.fotoembed-cache.json) makes an unchanged rebuild ask nothing.
`

// cliConfig is the command line, before it is turned into a Config.
type cliConfig struct {
	mode, baseURL, service, fotowebURL, clientID string
	out, cacheFile, assetDir, exts, creditPrefix string
	expires, maxAge                              time.Duration
	concurrency, macLength                       int
	noCache, dryRun                              bool
	signingKeys, clientSecret, apiKey            []string
	fields                                       embed.Fields
	site                                         string
}

// defineFlags defines the command's flags on f, filling c.
func defineFlags(f *flagEnv, c *cliConfig) {
	f.str(&c.mode, "mode", "signed|download", "FOTOEMBED_REWRITE_MODE", "signed",
		"signed: link the service's signed URLs; download: copy the previews into the site and link them relatively")
	f.str(&c.baseURL, "base-url", "URL", "FOTOEMBED_BASE_URL", "",
		"public URL of the fotoembed service, such as https://img.example.com (signed mode, resolving with FotoWeb)")
	f.duration(&c.expires, "expires", "FOTOEMBED_REWRITE_EXPIRES", 0, "signed URLs stop working this long after the run; 0 means never")
	f.str(&c.service, "service", "URL", "FOTOEMBED_SERVICE_URL", "",
		"resolve through this running fotoembed service's /v1/resolve (needs FOTOEMBED_API_KEY) instead of FotoWeb")
	f.secret(&c.apiKey, "api-key", "FOTOEMBED_API_KEY", false, "the service's API key", "the API key of the service (--service)")
	f.str(&c.fotowebURL, "fotoweb-url", "URL", "FOTOEMBED_FOTOWEB_URL", "", "FotoWeb origin, such as https://acme.fotoware.cloud")
	f.str(&c.clientID, "client-id", "ID", "FOTOEMBED_CLIENT_ID", "", "client ID of the non-interactive FotoWeb application")
	f.secret(&c.clientSecret, "client-secret", "FOTOEMBED_CLIENT_SECRET", false, "the client secret", "the FotoWeb application's client secret")
	f.secret(&c.signingKeys, "signing-keys", "FOTOEMBED_SIGNING_KEYS", true, "the signing keys",
		"the service's URL signing keys, comma-separated; the first signs (signed mode, resolving with FotoWeb)")
	f.integer(&c.macLength, "mac-length", "FOTOEMBED_MAC_LENGTH", urlsig.MaxMACLength, "bytes of HMAC in a signature, as the service is configured")
	f.str(&c.out, "out", "DIR", "FOTOEMBED_REWRITE_OUT", "",
		"write a complete copy of the site here (pages rewritten, other files copied) instead of rewriting in place")
	f.str(&c.cacheFile, "cache-file", "PATH", "FOTOEMBED_REWRITE_CACHE_FILE", "", "record of earlier runs (default: .fotoembed-cache.json at the root of the output)")
	f.boolean(&c.noCache, "no-cache", "FOTOEMBED_REWRITE_NO_CACHE", false, "neither read nor write the record: ask for every asset again")
	f.duration(&c.maxAge, "max-age", "FOTOEMBED_REWRITE_MAX_AGE", DefaultMaxAge, "how long what the record holds is used; 0 turns the record off")
	f.integer(&c.concurrency, "concurrency", "FOTOEMBED_REWRITE_CONCURRENCY", DefaultConcurrency, "assets resolved (and previews downloaded) at once")
	f.str(&c.assetDir, "asset-dir", "DIR", "FOTOEMBED_REWRITE_ASSET_DIR", DefaultAssetDir, "folder of downloaded previews, relative to the root of the output (download mode)")
	f.str(&c.exts, "ext", "LIST", "FOTOEMBED_REWRITE_EXT", "html,htm", "comma-separated file extensions of pages")
	f.str(&c.creditPrefix, "credit-prefix", "TEXT", "FOTOEMBED_CREDIT_PREFIX", embed.DefaultCreditPrefix, "text before the credit line in figures")
	field := func(p *int, name, env string, def int, what string) {
		f.integer(p, name, env, def, "metadata field id of "+what+"; -1 turns it off")
	}
	field(&c.fields.Alt, "alt-field", "FOTOEMBED_ALT_FIELD", embed.FieldCaption, "the alt text")
	field(&c.fields.Title, "title-field", "FOTOEMBED_TITLE_FIELD", embed.FieldTitle, "the title (alt text when the alt field is empty)")
	field(&c.fields.Caption, "caption-field", "FOTOEMBED_CAPTION_FIELD", embed.FieldCaption, "the figure caption")
	field(&c.fields.Byline, "byline-field", "FOTOEMBED_BYLINE_FIELD", embed.FieldByline, "the byline in the credit line")
	field(&c.fields.Credit, "credit-field", "FOTOEMBED_CREDIT_FIELD", embed.FieldCredit, "the credit in the credit line")
	field(&c.fields.Copyright, "copyright-field", "FOTOEMBED_COPYRIGHT_FIELD", embed.FieldCopyright, "the copyright notice in the credit line")
	f.boolean(&c.dryRun, "dry-run", "", false, "resolve and report, write nothing (pages that would change are listed on stdout)")
}

// parseArgs parses the command line. Flags may come before and after
// SITE_DIR. -h gives flag.ErrHelp after printing the help to stdout; a
// flag that does not parse gives a usage error at once; other problems
// are returned for reporting with the rest.
func parseArgs(args []string, env func(string) string, stdout io.Writer) (*cliConfig, []error, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	c := &cliConfig{}
	fs := flag.NewFlagSet("rewrite", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flagEnv{fs: fs, env: env}
	defineFlags(f, c)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.usage(stdout)
				return nil, nil, flag.ErrHelp
			}
			return nil, nil, usageErrors(fmt.Errorf("rewrite: %v", err))
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	for _, fn := range f.after {
		f.errs = append(f.errs, fn())
	}
	switch {
	case len(pos) == 0:
		f.errs = append(f.errs, errors.New("rewrite: give the site folder, such as public/"))
	case len(pos) > 1:
		f.errs = append(f.errs, fmt.Errorf("rewrite: give one site folder, not %d (%s)", len(pos), strings.Join(pos, ", ")))
	default:
		c.site = pos[0]
	}
	return c, f.errs, nil
}
