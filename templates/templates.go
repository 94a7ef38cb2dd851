// Package templates holds fotoembed's HTML templates (the editor's web UI,
// the embeddable picker and the per-asset page), embedded in the binary
// so the service needs no files at run time.
package templates

import (
	"embed"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Names of the templates in this package.
const (
	UI     = "ui.html"     // the editor's web UI
	Picker = "picker.html" // the picker a CMS embeds in an iframe
	Asset  = "asset.html"  // a per-asset page carrying the oEmbed discovery link
)

// Parse parses every template in the package. funcs may be nil.
func Parse(funcs template.FuncMap) (*template.Template, error) {
	return template.New("").Funcs(funcs).ParseFS(files, "*.html")
}

// Fields names the metadata fields the texts come from, so that the
// forms can say where a prefilled value was read (FotoWeb field ids; 0
// for a text that is turned off).
type Fields struct {
	Alt, Title, Caption  int
	Byline, Credit, Copy int
}

// Delivery says which deliveries the forms offer besides signed URLs.
type Delivery struct {
	Direct bool // direct FotoWeb URLs (redirect delivery only)
	Export bool // permanent public export URLs (an exporter is configured)
}

// UIData is what ui.html renders.
type UIData struct {
	Title       string // page title
	StaticBase  string // URL path of the static files, e.g. "/static"
	DefaultSize int    // initial CSS width in the form
	Fields      Fields
	Delivery    Delivery
}

// PickerData is what picker.html renders. The token is the short-lived
// picker token of the iframe's URL, handed back to the page's script;
// the origin is the only parent the page talks to.
type PickerData struct {
	Title       string
	StaticBase  string
	DefaultSize int
	Fields      Fields
	Delivery    Delivery
	Origin      string // the parent window's origin (postMessage target)
	Token       string // the picker token ("" when TokenState is "invalid")
	TokenState  string // "ok", "expired" or "invalid"
	Multiple    bool   // several images may be picked at once
	Error       string // set: the page shows only this message
}

// AssetData is what asset.html renders.
type AssetData struct {
	Title      string        // asset title (escaped by the template)
	PageURL    string        // absolute URL of this page
	OEmbedJSON string        // absolute oEmbed URL for this page (JSON)
	Image      template.HTML // the rendered <figure> or <img>
	StaticBase string        // URL path of the static files
	// Open Graph and Twitter card data (link previews in chat apps and
	// social sites).
	SiteName    string // the provider name
	Description string // the caption, or "" for none
	Credit      string // the credit line, or ""
	ImageURL    string // absolute URL of the card image
	ImageWidth  int    // its true size; 0 when unknown
	ImageHeight int
	ImageAlt    string // its alt text
	ImageType   string // its media type, or ""
}
