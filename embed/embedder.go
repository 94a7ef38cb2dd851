package embed

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/urlsig"
)

// DefaultCreditPrefix starts a credit line built from byline and credit.
const DefaultCreditPrefix = "Photo: "

// Config configures an [Embedder]. As everywhere in the package, a zero
// field means its documented default.
type Config struct {
	// Resolver resolves asset references; required by the methods that
	// take a reference (Img, Figure, URL, Srcset, FuncMap, Redirect).
	Resolver *Resolver
	// Signer signs the service's URLs; required for LinkSigned.
	Signer *urlsig.Signer
	// BaseURL is the public base URL of the service, such as
	// "https://img.example.com", or "" for root-relative URLs.
	BaseURL string
	// Origin is the FotoWeb origin, such as "https://acme.fotoware.cloud";
	// required for LinkDirect and RedirectURL.
	Origin string
	// Tokens is the live token source whose current token goes into
	// FotoWeb URLs; required for LinkDirect and RedirectURL. A source
	// that is a [fotoweb.ContextTokenSource] (*tokens.Source) is asked
	// with the render's or request's context.
	Tokens oauth2.TokenSource
	// Links is the default link mode (what the HTML's URLs point at);
	// LinkDefault means LinkSigned.
	Links LinkMode
	// Delivery is the former name of Links, used when Links is
	// LinkDefault.
	//
	// Deprecated: use Links.
	Delivery LinkMode
	// URLTokens is the URL token policy of FotoWeb URLs handed to
	// browsers (RedirectURL, direct delivery): a fixed [URLToken] or a
	// prober's live answer. nil means URLTokenAccess, the access token,
	// as before policies existed.
	URLTokens URLTokenPolicy
	// Exporter makes the public URLs of export delivery; required for
	// LinkExport and ExportURL.
	Exporter Exporter
	// Unpublished is what the HTML methods do for an asset whose licence
	// has expired or that was withdrawn (see [Info.Check]): return an
	// error wrapping ErrUnpublished (the default), or write a neutral
	// placeholder of the same dimensions. RedirectURL and ExportURL
	// always return the error.
	Unpublished Unpublished
	// CreditPrefix starts the credit line; "" means DefaultCreditPrefix.
	// See [Text.CreditLine].
	CreditPrefix string
	// Now is the clock for expiring URLs; nil means time.Now.
	Now func() time.Time
}

// Embedder turns asset references and options into HTML and URLs. It is
// safe for concurrent use.
type Embedder struct {
	cfg         Config
	base        string
	baseEsc     string // base as written into an attribute
	origin      string
	plainOrigin bool // origin.Plain(origin): a clean path appended to it stays on it
}

// New returns an Embedder for cfg, or an error listing every problem.
func New(cfg Config) (*Embedder, error) {
	var errs []error
	base, err := normBase(cfg.BaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("embed: BaseURL %w", err))
	}
	var fotoWeb string
	if cfg.Origin != "" {
		if fotoWeb, _, err = origin.Base(cfg.Origin); err != nil {
			errs = append(errs, fmt.Errorf("embed: Origin %w", err))
		}
	}
	cfg.Links = either(cfg.Links, cfg.Delivery)
	if cfg.Links == LinkDefault {
		cfg.Links = LinkSigned
	}
	if cfg.Links == LinkSigned && cfg.Signer == nil {
		errs = append(errs, errors.New("embed: signed delivery needs a Signer"))
	}
	if cfg.Links == LinkDirect && (cfg.Tokens == nil || fotoWeb == "") {
		errs = append(errs, errors.New("embed: direct delivery needs Tokens and Origin"))
	}
	if cfg.Links == LinkExport && cfg.Exporter == nil {
		errs = append(errs, ErrNoExporter)
	}
	if cfg.Links < LinkDefault || cfg.Links > LinkExport {
		errs = append(errs, fmt.Errorf("embed: unknown delivery %d", int(cfg.Links)))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.CreditPrefix == "" {
		cfg.CreditPrefix = DefaultCreditPrefix
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var w writer
	w.url(base)
	return &Embedder{cfg: cfg, base: base, baseEsc: w.String(), origin: fotoWeb, plainOrigin: origin.Plain(fotoWeb)}, nil
}

// CanExport reports whether an Exporter is configured (export delivery
// works).
func (e *Embedder) CanExport() bool { return e.cfg.Exporter != nil }

// Resolver returns the configured resolver (nil if none).
func (e *Embedder) Resolver() *Resolver { return e.cfg.Resolver }

// resolve resolves ref with the configured resolver.
func (e *Embedder) resolve(ctx context.Context, ref string) (*Info, error) {
	if e.cfg.Resolver == nil {
		return nil, errors.New("embed: no Resolver configured")
	}
	return e.cfg.Resolver.Resolve(ctx, ref)
}

// Img resolves ref and returns its <img> element; see [Embedder.RenderImg].
func (e *Embedder) Img(ctx context.Context, ref string, o Options) (template.HTML, error) {
	in, err := e.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return e.renderImg(ctx, in, o)
}

// Figure resolves ref and returns its <figure>; see [Embedder.RenderFigure].
func (e *Embedder) Figure(ctx context.Context, ref string, o Options) (template.HTML, error) {
	in, err := e.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return e.renderFigure(ctx, in, o)
}

// URL resolves ref and returns the URL of the image chosen for o (the
// <img src>).
func (e *Embedder) URL(ctx context.Context, ref string, o Options) (string, error) {
	in, err := e.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return e.srcURL(ctx, in, o)
}

// Srcset resolves ref and returns the srcset attribute value for o.
func (e *Embedder) Srcset(ctx context.Context, ref string, o Options) (string, error) {
	in, err := e.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return e.srcsetOf(ctx, in, o)
}

// Redirect is what the signed-URL handler calls in redirect and export
// delivery: it resolves the verified path's asset and returns
// [Embedder.ExportURL] when export is set, else [Embedder.RedirectURL].
func (e *Embedder) Redirect(ctx context.Context, p urlsig.Parsed, export bool) (Target, error) {
	in, err := e.resolve(ctx, p.Asset)
	if err != nil {
		return Target{}, err
	}
	if export {
		return e.ExportURL(ctx, in, p.Options)
	}
	return e.RedirectURL(ctx, in, p.Options)
}
