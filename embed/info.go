package embed

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// Info is what fotoembed keeps about one asset: everything a page needs to
// show it. It never holds an access token or a URL with a token in it. It
// holds the asset's previewToken (a JWT that lets its bearer fetch this one
// asset's previews for an hour, nothing else) only when the resolver is
// configured to keep it, for the "preview" URL token policy.
//
// An Info is immutable once built and shared between goroutines through
// the cache; never modify one obtained from a [Resolver]. It marshals to
// JSON (for a shared [Store]) and back without loss.
type Info struct {
	// Href is the asset's canonical href (the cache key).
	Href string `json:"href"`
	// Filename is the original's file name, such as "harbour.jpg".
	Filename string `json:"filename,omitempty"`
	// Doctype is FotoWeb's lower-case document type ("image", "movie", ...).
	Doctype string `json:"doctype,omitempty"`
	// Width and Height are the original's pixel dimensions, corrected for
	// rotation; 0 when FotoWeb does not know them (see
	// [fotoweb.Asset.SizeKnown]: FotoWeb sends 1×1 for an image it could
	// not measure, which is not taken for a 1-pixel image).
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Modified is the asset's modification time; zero when unknown.
	Modified time.Time `json:"modified"`
	// Previews are the usable previews in a fixed order: non-square ones
	// first, then squares, each group by width, then size, then href.
	Previews []Preview `json:"previews,omitempty"`
	// Renditions are the renditions the Rendition Request API offers.
	Renditions []Rendition `json:"renditions,omitempty"`
	// Text holds the metadata texts used for alt, caption and credit.
	Text Text `json:"text"`
	// Rights says until when, and whether, the asset may be shown.
	Rights Rights `json:"rights,omitzero"`
	// PreviewToken is the asset's previewToken, kept only when
	// ResolverConfig.PreviewTokens is set; PreviewTokenExpires is when it
	// expires by this machine's clock.
	PreviewToken        string    `json:"previewToken,omitempty"`
	PreviewTokenExpires time.Time `json:"previewTokenExpires,omitzero"`

	memo    atomic.Pointer[urlMemo] // signed preview paths without expiry; see memo.go
	memoExp atomic.Pointer[urlMemo] // signed preview paths with the latest expiry
	ptokQ   atomic.Pointer[string]  // "access_token=" + the escaped PreviewToken, made once
	tag     atomic.Pointer[string]  // CacheTag(Href), made once
}

// CacheTag is the cache tag that names the asset with canonical href in
// the Surrogate-Key and Cache-Tag headers of the service's answers, so
// that a CDN can purge every size of it at once: "fe-" and the first 16
// bytes of the href's SHA-256, base64url (the href itself is not
// exposed).
func CacheTag(href string) string {
	sum := sha256.Sum256([]byte(href))
	return "fe-" + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// Tag returns CacheTag(in.Href), made once per Info.
func (in *Info) Tag() string {
	if t := in.tag.Load(); t != nil {
		return *t
	}
	t := CacheTag(in.Href)
	in.tag.Store(&t)
	return t
}

// previewQuery returns the query parameter carrying the previewToken,
// made once per Info (the token is fixed for the Info's life).
func (in *Info) previewQuery() string {
	if q := in.ptokQ.Load(); q != nil {
		return *q
	}
	q := "access_token=" + url.QueryEscape(in.PreviewToken)
	in.ptokQ.Store(&q)
	return q
}

// Preview is one fixed-size FotoWeb preview with its true dimensions,
// or, when they are unknown, its nominal size.
type Preview struct {
	// Size is FotoWeb's nominal size: the long edge it was asked for.
	Size int `json:"size"`
	// Width and Height are the true pixel dimensions (for an original
	// smaller than Size, FotoWeb may cap them at the original's or
	// upscale). When FotoWeb does not know them (an image whose size it
	// could not measure, see [fotoweb.Asset.PreviewSizesKnown]), Height
	// is 0 and Width is Size: the preview is at most that wide, and
	// exactly that wide when it is landscape. See [Preview.SizeKnown].
	Width  int `json:"width"`
	Height int `json:"height"`
	// Href is FotoWeb's (signed, ephemeral) preview href, without token.
	Href string `json:"href"`
	// Square reports a square-cropped preview.
	Square bool `json:"square,omitempty"`
}

// SizeKnown reports whether the preview's true width and height are
// known; when they are not, Width is its nominal size and Height is 0.
func (p *Preview) SizeKnown() bool { return p.Width > 0 && p.Height > 0 }

// SizeKnown reports whether the original's pixel size is known.
func (in *Info) SizeKnown() bool { return in.Width > 0 && in.Height > 0 }

// Rendition is a rendition offered by the Rendition Request API.
type Rendition struct {
	Href     string `json:"href"`               // rendition href to POST to the Rendition Request API
	Name     string `json:"name,omitempty"`     // display name
	Profile  string `json:"profile,omitempty"`  // processing profile id
	Width    int    `json:"width,omitempty"`    // 0 or 1 when unknown or variable
	Height   int    `json:"height,omitempty"`   // 0 or 1 when unknown or variable
	Original bool   `json:"original,omitempty"` // the original file
	Default  bool   `json:"default,omitempty"`  // the default rendition
}

// Text holds the metadata values fotoembed renders, read from the fields
// named by [Fields] when the Info was built. Multi-value fields are
// joined: bylines with ", ", others with "; ".
type Text struct {
	Title     string `json:"title,omitempty"`
	Alt       string `json:"alt,omitempty"`
	Caption   string `json:"caption,omitempty"`
	Byline    string `json:"byline,omitempty"`
	Credit    string `json:"credit,omitempty"`
	Copyright string `json:"copyright,omitempty"`
}

// Default metadata field ids (FotoWare/IPTC numbering).
const (
	FieldTitle     = 5
	FieldByline    = 80
	FieldCredit    = 110
	FieldCopyright = 116
	FieldCaption   = 120
)

// Fields names the metadata field ids an Info takes its texts from. A zero
// id means the default; a negative id turns the text off.
//
// The alt text and the caption both default to field 120, the
// description: it says what the image shows, so it is the best alt text
// a bare <img> can get. A <figure> shows it as its caption, and its
// <img> then gets another alt text, the title by default, so that a
// screen reader does not read the description twice (see
// [Text.FigureAlt]). A FotoWeb whose editors write alt texts in a field
// of their own should name it in Alt: it is then used in figures too.
type Fields struct {
	// Title is the title, the alt text when the Alt field is empty and in
	// a figure whose caption repeats the alt text; default FieldTitle (5).
	Title int
	// Alt is the alt text; default FieldCaption (120).
	Alt int
	// Caption is a figure's caption; default FieldCaption (120).
	Caption int
	// Byline, Credit and Copyright make a figure's credit line (see
	// [Text.CreditLine]); defaults FieldByline (80), FieldCredit (110)
	// and FieldCopyright (116).
	Byline, Credit, Copyright int
	// RightsExpiry is the field holding the date the licence ends
	// (0 or negative: none, rights never expire).
	RightsExpiry int
	// Withdrawn is the field that marks an asset not to be published
	// (0 or negative: none), holding one of WithdrawnValues.
	Withdrawn int
	// WithdrawnValues are the values of the Withdrawn field meaning "do
	// not publish" (any case); empty means DefaultWithdrawnValues.
	WithdrawnValues []string
}

// withDefaults returns f with zero ids replaced by the defaults.
func (f Fields) withDefaults() Fields {
	def := func(id *int, d int) {
		if *id == 0 {
			*id = d
		}
	}
	def(&f.Title, FieldTitle)
	def(&f.Alt, FieldCaption)
	def(&f.Caption, FieldCaption)
	def(&f.Byline, FieldByline)
	def(&f.Credit, FieldCredit)
	def(&f.Copyright, FieldCopyright)
	return f
}

// NewInfo builds the Info for asset a, keyed by the canonical href key
// ("" means a.Href), taking texts from the fields f. A size FotoWeb does
// not know is unknown (0), never 1×1; previews whose dimensions FotoWeb
// does not know keep their nominal size (see [Preview]). Previews without
// a href or any size are dropped; the previewToken is not kept.
func NewInfo(key string, a *fotoweb.Asset, f Fields) *Info {
	if key == "" {
		key = a.Href
	}
	w, h, _ := a.PixelSize()
	in := &Info{
		Href:     key,
		Filename: a.Filename,
		Doctype:  strings.ToLower(a.Doctype),
		Width:    w,
		Height:   h,
		Modified: a.ModifiedTime(),
		Text:     newText(a.Metadata, f.withDefaults()),
		Rights:   newRights(a.Metadata, f),
	}
	if len(a.Previews) > 0 {
		in.Previews = make([]Preview, 0, len(a.Previews))
	}
	measured := a.PreviewSizesKnown()
	for _, p := range a.Previews {
		if q, ok := normPreview(p, in.Width, in.Height, measured); ok {
			in.Previews = append(in.Previews, q)
		}
	}
	sortPreviews(in.Previews)
	if len(a.Renditions) > 0 {
		in.Renditions = make([]Rendition, 0, len(a.Renditions))
	}
	for _, r := range a.Renditions {
		in.Renditions = append(in.Renditions, Rendition{
			Href: r.Href, Name: r.DisplayName, Profile: r.Profile,
			Width: r.Width, Height: r.Height, Original: r.Original, Default: r.Default,
		})
	}
	in.compact()
	return in
}

// compact moves the Info's strings (but Href, which the cache key shares)
// into one allocation. An Info holds some thirty short strings, the
// preview hrefs above all, each decoded separately from FotoWeb's JSON;
// one block instead saves the allocator's rounding, and the holes the
// decoding garbage leaves around them, in every cached entry.
func (in *Info) compact() {
	t := &in.Text
	texts := []*string{&t.Title, &t.Alt, &t.Caption, &t.Byline, &t.Credit, &t.Copyright}
	fields := append([]*string{&in.Filename, &in.Doctype}, texts...)
	for i := range in.Previews {
		fields = append(fields, &in.Previews[i].Href)
	}
	for i := range in.Renditions {
		r := &in.Renditions[i]
		fields = append(fields, &r.Href, &r.Name, &r.Profile)
	}
	offs := make([]int, len(fields))
	var b strings.Builder
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	b.Grow(n)
	for i, f := range fields {
		offs[i] = -1
		if i >= 2 && i < 2+len(texts) { // texts repeat: alt and caption come from one field by default
			if j := slices.IndexFunc(fields[2:i], func(g *string) bool { return *g == *f }); j >= 0 {
				offs[i] = offs[2+j]
				continue
			}
		}
		offs[i] = b.Len()
		b.WriteString(*f)
	}
	all := b.String()
	for i, f := range fields {
		*f = all[offs[i] : offs[i]+len(*f)]
	}
}

// newText reads the configured fields from m.
func newText(m fotoweb.Metadata, f Fields) Text {
	get := func(id int, sep string) string {
		if id < 0 {
			return ""
		}
		return strings.TrimSpace(strings.Join(m.Values(id), sep))
	}
	return Text{
		Title:     get(f.Title, "; "),
		Alt:       get(f.Alt, "; "),
		Caption:   get(f.Caption, "; "),
		Byline:    get(f.Byline, ", "),
		Credit:    get(f.Credit, "; "),
		Copyright: get(f.Copyright, "; "),
	}
}

// normPreview fills in a preview's missing width and height from its size
// and the original's aspect ratio (ow×oh, 0 when unknown), and reports
// whether it is usable. Unless measured, the width and height FotoWeb
// gives a non-square preview are not its own (see
// [fotoweb.Asset.PreviewSizesKnown]): it keeps its nominal size only.
func normPreview(p fotoweb.Preview, ow, oh int, measured bool) (Preview, bool) {
	q := Preview{Size: p.Size, Width: p.Width, Height: p.Height, Href: p.Href, Square: p.Square}
	if q.Href == "" {
		return q, false
	}
	if !measured && !q.Square {
		if q.Size <= 0 {
			q.Size = max(q.Width, q.Height) // the claim is the size
		}
		q.Width, q.Height = 0, 0
	}
	if q.Width <= 0 || q.Height <= 0 {
		switch {
		case q.Square && q.Size > 0:
			q.Width, q.Height = q.Size, q.Size
		case q.Size > 0 && ow > 0 && oh > 0:
			long := min(q.Size, max(ow, oh))
			if ow >= oh {
				q.Width, q.Height = long, max(1, (long*oh+ow/2)/ow)
			} else {
				q.Width, q.Height = max(1, (long*ow+oh/2)/oh), long
			}
		case q.Size > 0: // nominal: at most Size wide, shape unknown
			q.Width, q.Height = q.Size, 0
		default:
			return q, false
		}
	}
	return q, true
}

// sortPreviews puts previews in the Info order: non-square first, then by
// width, size and href.
func sortPreviews(ps []Preview) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Square != b.Square {
			return !a.Square
		}
		if a.Width != b.Width {
			return a.Width < b.Width
		}
		if a.Size != b.Size {
			return a.Size < b.Size
		}
		return a.Href < b.Href
	})
}

// Rendition returns the rendition called name: "original" (or "orig") for
// the original file, "default" for the default rendition, or a rendition
// whose profile id equals name.
func (in *Info) Rendition(name string) (Rendition, bool) {
	for _, r := range in.Renditions {
		switch {
		case (name == "original" || name == "orig") && r.Original,
			name == "default" && r.Default,
			r.Profile != "" && r.Profile == name:
			return r, true
		}
	}
	return Rendition{}, false
}
