package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// signConfig is what `sign` needs besides the keys.
type signConfig struct {
	FotoWebURL string
	BaseURL    string
	Width      int
	Square     bool
	Rendition  string
	Expires    time.Duration
	Ext        string
	Signing    signingConfig
}

// signFlags returns sign's flags, filling c.
func signFlags(env lookupFunc, c *signConfig) *flagSet {
	f := newFlagSet("sign", " REF...",
		"Print the service's signed image URL for each asset reference (an href such as\n"+
			"/fotoweb/archives/5000-All/Folder/image.jpg.info, or a FotoWeb URL on --fotoweb-url),\n"+
			"one per line. Nothing is sent anywhere; the reference is only checked for shape.", env)
	f.String(&c.FotoWebURL, "fotoweb-url", "FOTOEMBED_FOTOWEB_URL", "", "URL",
		"FotoWeb origin; needed only to accept full FotoWeb URLs as references")
	registerBaseURL(f, &c.BaseURL, "put before the path (default: print the path)")
	c.Signing.register(f)
	f.Int(&c.Width, "width", "FOTOEMBED_SIGN_WIDTH", 0, 0, urlsig.MaxWidth, "pixel width of the image; 0 lets the service choose")
	f.Bool(&c.Square, "square", "FOTOEMBED_SIGN_SQUARE", false, "square-cropped preview")
	f.String(&c.Rendition, "rendition", "FOTOEMBED_SIGN_RENDITION", "", "name", "a rendition (such as original) instead of a preview; proxy delivery only")
	f.Duration(&c.Expires, "expires", "FOTOEMBED_SIGN_EXPIRES", 0, "the URL stops working this long from now (such as 24h); 0 means never")
	f.String(&c.Ext, "ext", "FOTOEMBED_SIGN_EXT", "", ".ext", "file extension at the end of the URL, for people and CDNs (such as .jpg)")
	return f
}

// sign prints signed image URLs without any network access.
func (a *app) sign(ctx context.Context, args []string) error {
	var c signConfig
	f := signFlags(a.env, &c)
	var (
		o     urlsig.Options
		hrefs []string
	)
	err := a.parse(f, args, func() error {
		o = urlsig.Options{Width: c.Width, Square: c.Square, Rendition: c.Rendition}
		if c.Expires > 0 {
			o.Expires = a.now().Add(c.Expires).Truncate(time.Second)
		}
		origin, errs := c.check(o)
		errs = append(errs, c.Signing.Validate())
		for _, ref := range f.Args() {
			href, err := fotoweb.ParseAssetRef(origin, ref)
			errs = append(errs, err)
			hrefs = append(hrefs, href)
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return err
	}
	s, err := c.Signing.signer()
	if err != nil {
		return err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	for _, href := range hrefs {
		p, err := s.SignPath(o, href, c.Ext)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(a.stdout, base+p); err != nil {
			return err
		}
	}
	return nil
}

// check validates c and returns the FotoWeb origin (nil when not given).
func (c *signConfig) check(o urlsig.Options) (*url.URL, []error) {
	var errs []error
	var origin *url.URL
	if c.FotoWebURL != "" {
		fc := fotowebConfig{URL: c.FotoWebURL}
		if err := fc.validateURL(); err != nil {
			errs = append(errs, err)
		} else {
			origin, _ = url.Parse(fc.URL)
		}
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Rendition != "" && (urlsig.Options{Rendition: c.Rendition}).Validate() != nil {
		errs = append(errs, fmt.Errorf("--rendition %q: use 1 to %d characters from a-z, 0-9 and _", c.Rendition, urlsig.MaxRenditionLen))
	}
	if c.Ext != "" && urlsig.ValidExt(c.Ext) != nil {
		errs = append(errs, fmt.Errorf("--ext %q: use a dot and 1 to 8 characters from a-z and 0-9, such as .jpg", c.Ext))
	}
	if !o.Expires.IsZero() && o.Expires.Unix() > urlsig.MaxExpiry {
		errs = append(errs, fmt.Errorf("--expires %v: too far in the future", c.Expires))
	}
	return origin, errs
}
