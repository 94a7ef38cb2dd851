// Package static holds the web UI's stylesheets and scripts, embedded in
// the binary. Nothing is loaded from a CDN: the UI works offline.
package static

import "embed"

// FS holds app.css and app.js at its root.
//
//go:embed *.css *.js
var FS embed.FS
