// Package templates holds fotoembed's HTML templates (the editor's web UI
// and the per-asset page), embedded in the binary so the service needs no
// files at run time.
package templates

import (
	"embed"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Names of the templates in this package.
const (
	UI    = "ui.html"    // the editor's web UI
	Asset = "asset.html" // a per-asset page carrying the oEmbed discovery link
)

// Parse parses every template in the package. funcs may be nil.
func Parse(funcs template.FuncMap) (*template.Template, error) {
	return template.New("").Funcs(funcs).ParseFS(files, "*.html")
}

// UIData is what ui.html renders.
type UIData struct {
	Title       string // page title
	StaticBase  string // URL path of the static files, e.g. "/static"
	DefaultSize int    // initial CSS width in the form
}

// AssetData is what asset.html renders.
type AssetData struct {
	Title      string        // asset title (escaped by the template)
	PageURL    string        // absolute URL of this page
	OEmbedJSON string        // absolute oEmbed URL for this page (JSON)
	Image      template.HTML // the rendered <figure> or <img>
	StaticBase string        // URL path of the static files
}
