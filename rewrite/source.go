package rewrite

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Mode selects what the generated URLs point at.
type Mode int

const (
	// ModeSigned points src and srcset at the fotoembed service's signed
	// URLs, which never expire unless asked to.
	ModeSigned Mode = iota
	// ModeDownload fetches the previews into the site and references
	// them relatively: the site needs no service and no token.
	ModeDownload
	// ModeExport points src and srcset at permanent public URLs made by
	// FotoWeb's Export API (Fotoware's own way to put DAM images on web
	// pages): the site needs no service and no token.
	ModeExport
)

// modeNames are the Modes' names, indexed by Mode.
var modeNames = [...]string{ModeSigned: "signed", ModeDownload: "download", ModeExport: "export"}

// String returns "signed", "download" or "export"; an unknown Mode
// (which Run refuses) reads as "signed".
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		m = ModeSigned
	}
	return modeNames[m]
}

// ParseMode parses "signed" (or ""), "download" and "export", ignoring
// case and surrounding white space; the error names the value and the
// choices.
func ParseMode(s string) (Mode, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	if w == "" {
		return ModeSigned, nil
	}
	for m, name := range modeNames {
		if w == name {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("rewrite: unknown mode %q (want signed, download or export)", s)
}

// Request is what placeholders ask of a [Source]: one asset at one CSS
// width. Placeholders asking the same are resolved once.
type Request struct {
	// Ref is the asset reference as first written.
	Ref string
	// Key is the asset's canonical key (see Source).
	Key string
	// Width is the CSS width in pixels; 0 when unknown.
	Width int
	// NeedAlt is set when the author wrote no alt, so the alt text must
	// come from FotoWeb metadata.
	NeedAlt bool
	// Figure is set when NeedAlt is and the placeholder asks for a
	// <figure>: its <figcaption> shows the caption, so the metadata alt
	// text must not repeat it (see embed's Text.FigureAlt).
	Figure bool
	// Publication is the URL of the first page (in tree order) that asks
	// for this, in ModeExport when Config.SiteURL is set; else "". FotoWeb
	// records it with an export when one is made. It is not part of the
	// request's identity: an image is exported once, whichever pages use
	// it.
	Publication string
}

// id returns the identity of r for de-duplication and the cache record.
func (r Request) id() string {
	alt := "0"
	switch {
	case r.Figure:
		alt = "f" // a figure's alt text: not the caption's words again
	case r.NeedAlt:
		alt = "1"
	}
	return r.Key + " w" + strconv.Itoa(r.Width) + " a" + alt
}

// Candidate is one image file: in signed and export mode its URL is what
// the page links to; in download mode it is what is fetched.
type Candidate struct {
	// URL is a signed service URL, a public export URL, or what a Source
	// fetches in download mode (a FotoWeb preview href, or the service's
	// signed URL).
	URL string
	// Width is the image's true pixel width; 0 when unknown.
	Width int
}

// Image is a resolved placeholder: everything its markup needs. It holds
// no token.
type Image struct {
	// Src is the image chosen for the CSS width (the <img src>).
	Src Candidate
	// Srcset are the srcset candidates, in increasing width.
	Srcset []Candidate
	// Width and Height are the width and height attributes: the CSS
	// width with the chosen image's aspect ratio. For an image whose size
	// FotoWeb does not know, Height is 0 (and Width too without a CSS
	// width): the attribute is left out, as embed leaves it out.
	Width, Height int
	// Alt is the alt text from metadata; "" when the author's alt is used
	// (or, in a figure, when the caption is the image's only text).
	Alt string
	// Caption is the figure caption.
	Caption string
	// Credit is the composed credit line, such as "Photo: Kari Nordmann".
	Credit string
}

// Result is a Source's answer for one Request.
type Result struct {
	// Image is the resolved image; nil when Err is set.
	Image *Image
	// Err says why the request failed.
	Err error
}

// Source resolves placeholders. It is implemented by [*Direct] (FotoWeb
// itself) and [*Service] (a fotoembed service's /v1/resolve).
type Source interface {
	// Canonical returns the canonical key of an asset reference, so that
	// every spelling of one asset is resolved once. The error says what
	// is wrong with the reference.
	Canonical(ref string) (string, error)

	// check reports a configuration the source cannot serve in mode m.
	check(m Mode) error
	// fingerprint identifies what the source's cached answers depend on.
	fingerprint(m Mode) string
	// resolve answers reqs (distinct), reporting progress, using the
	// record for earlier answers and keeping new ones in it.
	resolve(ctx context.Context, reqs []Request, env resolveEnv) []Result
	// open fetches a candidate's bytes (download mode) and its media type.
	open(ctx context.Context, url string) (io.ReadCloser, string, error)
	// upstream returns the number of upstream requests made.
	upstream() int
}

// resolveEnv is what a source's resolve needs from the run.
type resolveEnv struct {
	mode        Mode
	rec         *record
	concurrency int
	progress    func(n, total int) // n more of total done
}
