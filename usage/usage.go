// Package usage records where assets are used: which pages show which
// asset, and when each was last seen there. /v1/embed and /v1/resolve
// record the page a caller names, the static-site build step records each
// page it rewrites. When an asset changes, is deleted or may no longer be
// shown, the pages that use it can be rebuilt.
package usage

import "time"

// Use is one page using an asset.
type Use struct {
	// Page is the page's URL (or site-relative path when no site URL is
	// known).
	Page string `json:"page"`
	// Seen is when the page was last seen using the asset.
	Seen time.Time `json:"seen"`
}
