package embed

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/urlsig"
)

// LinkMode selects what the URLs in the HTML point at. (It is not the
// service's answer to a signed URL, which the server package calls its
// delivery: redirect, proxy or export.)
type LinkMode int

const (
	// LinkDefault uses the Embedder's configured link mode.
	LinkDefault LinkMode = iota
	// LinkSigned points at the service's own signed URLs; the service
	// then redirects to FotoWeb or proxies the bytes. The HTML stays
	// valid as long as the signature (and its optional expiry) does.
	LinkSigned
	// LinkDirect points at FotoWeb with the token of the URL token
	// policy in the URL (none, the asset's previewToken, or the access
	// token). Only for pages rendered per request: preview URLs are
	// ephemeral and tokens expire, and every visitor sees the token.
	LinkDirect
	// LinkExport points at permanent, public, token-free URLs made by
	// FotoWeb's Export API (one export per asset and width, recorded by
	// the [Exporter]): the page needs neither the service nor a token.
	LinkExport
)

// Delivery is the former name of [LinkMode].
//
// Deprecated: use LinkMode.
type Delivery = LinkMode

// Former names of the LinkMode constants.
const (
	// Deprecated: use LinkDefault.
	DeliveryDefault = LinkDefault
	// Deprecated: use LinkSigned.
	DeliverySigned = LinkSigned
	// Deprecated: use LinkDirect.
	DeliveryDirect = LinkDirect
	// Deprecated: use LinkExport.
	DeliveryExport = LinkExport
)

// String returns "default", "signed", "direct" or "export" (the last
// three are the words of the delivery= template option).
func (m LinkMode) String() string {
	switch m {
	case LinkSigned:
		return "signed"
	case LinkDirect:
		return "direct"
	case LinkExport:
		return "export"
	}
	return "default"
}

// either returns m, or old when m is LinkDefault: the link mode of a
// struct holding both a Links field and the deprecated Delivery one.
func either(m, old LinkMode) LinkMode {
	if m != LinkDefault {
		return m
	}
	return old
}

// DefaultPixelRatios are the device pixel ratios served when Options
// names none: 1x and 2x screens.
var DefaultPixelRatios = []float64{1, 2}

// Options say what the page needs from one image. The zero value is a lazy
// non-square image DefaultWidth pixels wide with alt text from metadata.
type Options struct {
	// Width is the CSS width in pixels the image is laid out at; 0 means
	// unknown. It sets the width attribute, bounds the srcset (up to
	// Width × the largest pixel ratio) and the default sizes.
	Width int
	// Sizes is the sizes attribute. Default: "(max-width: Wpx) 100vw, Wpx"
	// with W = Width (full viewport width on narrower screens, W CSS pixels
	// otherwise), or "100vw" when Width is 0.
	Sizes string
	// PixelRatios are the device pixel ratios to serve, each in (0, 4];
	// nil means DefaultPixelRatios. The first chooses src, the largest
	// bounds the srcset.
	PixelRatios []float64
	// Square asks for FotoWeb's square-cropped previews.
	Square bool
	// Class, ID and Style are passed through (escaped) to the <img>. ID
	// must not contain white space.
	Class, ID, Style string
	// Data are data-* attributes for the <img>, in order; each Name must
	// be "data-" followed by [a-z0-9._-] (starting with [a-z0-9]).
	Data []Attr
	// Priority marks the main image of the page: loading="eager" and
	// fetchpriority="high" instead of loading="lazy" decoding="async".
	Priority bool
	// Decorative marks an image that carries no information: alt="".
	Decorative bool
	// Alt overrides the alt text from metadata.
	Alt string
	// FigureClass is the class attribute of the <figure> (Figure only).
	FigureClass string
	// ExpiresAt makes signed URLs expire at this instant (whole seconds).
	ExpiresAt time.Time
	// ExpiresIn makes signed URLs expire this long after rendering,
	// rounded up to a whole minute so that URLs stay stable (and
	// cacheable) for a minute. ExpiresAt wins when both are set.
	ExpiresIn time.Duration
	// Links selects signed, direct or export URLs (the delivery=
	// template option); LinkDefault means the Embedder's.
	Links LinkMode
	// Delivery is the former name of Links, used when Links is
	// LinkDefault.
	//
	// Deprecated: use Links.
	Delivery LinkMode
	// Publication is where the image is published (the page's URL), for
	// export delivery: FotoWeb's export manager shows it. "" means the
	// exporter's default (the site).
	Publication string
}

// Attr is one HTML attribute; the value is escaped when written.
type Attr struct {
	Name, Value string
}

// Limits on option values.
const (
	// MaxCSSWidth is the largest accepted Options.Width.
	MaxCSSWidth = 16384
	// MaxPixelRatio is the largest accepted pixel ratio.
	MaxPixelRatio = 4
	// maxRatios is the longest accepted PixelRatios list.
	maxRatios = 8
	// maxExpiry is the latest expiry a signed URL can carry.
	maxExpiry = urlsig.MaxExpiry
	// maxExpiresIn is the longest accepted Options.ExpiresIn.
	maxExpiresIn = 100 * 365 * 24 * time.Hour
)

// ErrBadOption reports an invalid option; errors from option checks and
// template option parsing wrap it.
var ErrBadOption = errors.New("embed: bad option")

// Validate reports the first problem with o, wrapping [ErrBadOption].
func (o *Options) Validate() error {
	if o.Width < 0 || o.Width > MaxCSSWidth {
		return fmt.Errorf("%w: width %d outside 0..%d", ErrBadOption, o.Width, MaxCSSWidth)
	}
	if len(o.PixelRatios) > maxRatios {
		return fmt.Errorf("%w: more than %d pixel ratios", ErrBadOption, maxRatios)
	}
	for _, r := range o.PixelRatios {
		if !(r > 0 && r <= MaxPixelRatio) {
			return fmt.Errorf("%w: pixel ratio %g outside (0, %d]", ErrBadOption, r, MaxPixelRatio)
		}
	}
	if o.ID != "" && strings.ContainsAny(o.ID, " \t\n\f\r") {
		return fmt.Errorf("%w: id %q contains white space", ErrBadOption, o.ID)
	}
	for _, a := range o.Data {
		if !validDataName(a.Name) {
			return fmt.Errorf("%w: attribute name %q is not data- followed by [a-z0-9._-]", ErrBadOption, a.Name)
		}
	}
	if o.Decorative && o.Alt != "" {
		return fmt.Errorf("%w: alt text given for a decorative image", ErrBadOption)
	}
	if o.ExpiresIn < 0 || o.ExpiresIn > maxExpiresIn {
		return fmt.Errorf("%w: expiry %v outside 0..%v", ErrBadOption, o.ExpiresIn, maxExpiresIn)
	}
	if u := o.ExpiresAt.Unix(); !o.ExpiresAt.IsZero() && (u < 1 || u > maxExpiry) {
		return fmt.Errorf("%w: expiry %d outside 1..%d Unix seconds", ErrBadOption, u, maxExpiry)
	}
	if m := o.links(); m < LinkDefault || m > LinkExport {
		return fmt.Errorf("%w: unknown delivery %d", ErrBadOption, int(m))
	}
	return nil
}

// links returns o.Links, or the deprecated o.Delivery when Links is
// LinkDefault.
func (o *Options) links() LinkMode {
	return either(o.Links, o.Delivery)
}

// validDataName reports whether name is a data-* attribute name fotoembed
// writes: "data-" then [a-z0-9] then [a-z0-9._-]*. That is stricter than
// HTML (which allows any XML name without upper-case letters) and always
// valid.
func validDataName(name string) bool {
	const p = "data-"
	if len(name) <= len(p) || len(name) > 64 || name[:len(p)] != p {
		return false
	}
	for i := len(p); i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if i > len(p) {
			ok = ok || c == '.' || c == '_' || c == '-'
		}
		if !ok {
			return false
		}
	}
	return true
}

// ratios returns the first and the largest pixel ratio.
func (o *Options) ratios() (first, largest float64) {
	rs := o.PixelRatios
	if len(rs) == 0 {
		rs = DefaultPixelRatios
	}
	first = rs[0]
	for _, r := range rs {
		largest = max(largest, r)
	}
	return first, largest
}

// pixels returns CSS width w times ratio r, rounded up.
func pixels(w int, r float64) int {
	return int(math.Ceil(float64(w)*r - 1e-9))
}

// expiry returns the Unix second signed URLs expire at, or 0 for never.
func (o *Options) expiry(now time.Time) int64 {
	if !o.ExpiresAt.IsZero() {
		return o.ExpiresAt.Unix()
	}
	if o.ExpiresIn > 0 {
		t := now.Add(o.ExpiresIn).Unix()
		return (t + 59) / 60 * 60
	}
	return 0
}

// unixTime returns the UTC time of Unix second u.
func unixTime(u int64) time.Time { return time.Unix(u, 0).UTC() }
