package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fotoembed/fotoembed/rewrite"
)

// The parts of rewriteConfig that `rewrite` and `audit` share: the site
// folder, where assets are resolved, how pages are read.

// siteArg takes the site folder, the one positional argument.
func (c *rewriteConfig) siteArg(args []string) error {
	switch len(args) {
	case 0:
		return errors.New("give the site folder, such as public/")
	case 1:
		c.Site = args[0]
		return nil
	}
	return fmt.Errorf("give one site folder, not %d (%s)", len(args), strings.Join(args, ", "))
}

// registerSource registers where assets are resolved: a running service
// (--service and its API key) or FotoWeb itself (--fotoweb-url, --auth
// and its credentials), and the signing keys.
func (c *rewriteConfig) registerSource(f *flagSet, env lookupFunc) {
	f.String(&c.Service, "service", "FOTOEMBED_SERVICE_URL", "", "URL",
		"resolve through this running fotoembed service's /v1/resolve (needs FOTOEMBED_API_KEY) instead of FotoWeb")
	f.SecretString(&c.APIKey, "api-key", "FOTOEMBED_API_KEY", "the service's API key", "the API key sent to the service (--service)")
	c.FotoWeb.registerURL(f, "required unless --service is given")
	c.FotoWeb.registerAuth(f, authUser, defaultTokenFile(env))
	c.Signing.register(f)
}

// registerConcurrency registers --concurrency.
func (c *rewriteConfig) registerConcurrency(f *flagSet) {
	f.Int(&c.Concurrency, "concurrency", "FOTOEMBED_REWRITE_CONCURRENCY", rewrite.DefaultConcurrency, 1, 256,
		"assets resolved (and previews downloaded) at once")
}

// registerExt registers --ext.
func (c *rewriteConfig) registerExt(f *flagSet) {
	f.List(&c.Exts, "ext", "FOTOEMBED_REWRITE_EXT", "html,htm", "list", "comma-separated file extensions of pages")
}

// validateSite reports the problems of the site folder and --ext.
func (c *rewriteConfig) validateSite() []error {
	var errs []error
	if fi, err := os.Stat(c.Site); err != nil || !fi.IsDir() {
		errs = append(errs, fmt.Errorf("the site folder %q is not a folder", c.Site))
	}
	if len(c.Exts) == 0 {
		errs = append(errs, errors.New("--ext is empty: give the file extensions of pages, such as html,htm"))
	}
	return errs
}

// validateFotoWeb reports the problems of resolving with FotoWeb.
func (c *rewriteConfig) validateFotoWeb() []error {
	var errs []error
	if c.FotoWeb.URL == "" {
		errs = append(errs, errors.New("--fotoweb-url is required to resolve with FotoWeb (or set FOTOEMBED_FOTOWEB_URL), such as https://acme.fotoware.cloud; "+
			"or resolve through a running fotoembed service: --service URL (or set FOTOEMBED_SERVICE_URL) with FOTOEMBED_API_KEY"))
	} else {
		errs = append(errs, c.FotoWeb.validateURL())
	}
	return append(errs, c.FotoWeb.validateAuth())
}
