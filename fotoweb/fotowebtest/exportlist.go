package fotowebtest

import (
	"strings"
	"time"
)

// Export is one export created by an EXPORT request, as the export
// manager would list it.
type Export struct {
	ID               string    // 32 lower-case hex digits
	URL              string    // the normal image URL (absolute)
	HighCompression  string    // the highCompression image URL (_hc.jpg)
	DoubleResolution string    // the doubleResolution URL (_2x.jpg), "" when the original is too small
	Asset            string    // href of the exported asset
	Width, Height    int       // size of the normal image
	Preset           string    // href of the preset used (the /exports/ spelling), "" for none
	Publication      string    // the request's publication text
	Created          time.Time // from Options.Now, UTC
	Revoked          bool      // RevokeExport was called
}

// Exports returns every export created so far, in creation order,
// revoked ones included (exports of deleted assets too: they answer 404
// but stay listed).
func (f *Fake) Exports() []Export {
	f.exports.mu.Lock()
	defer f.exports.mu.Unlock()
	out := make([]Export, 0, len(f.exports.list))
	for _, e := range f.exports.list {
		x := Export{ID: e.id, URL: e.base + sufNormal, HighCompression: e.base + sufHC, Asset: e.asset.href,
			Width: e.w, Height: e.h, Preset: e.preset, Publication: e.publication, Created: e.created, Revoked: e.revoked}
		if e.double {
			x.DoubleResolution = e.base + sufDouble
		}
		out = append(out, x)
	}
	return out
}

// ExportRequests returns how many EXPORT requests created an export
// (refused ones are not counted). ResetCounters zeroes it; the exports
// themselves stay.
func (f *Fake) ExportRequests() int {
	f.counts.mu.Lock()
	defer f.counts.mu.Unlock()
	return f.counts.exports
}

// RevokeExport revokes the export that publicURL belongs to, as removing
// it in FotoWeb's export manager does: afterwards every URL of the
// export (.jpg, _hc.jpg, _2x.jpg, .json) answers 404. publicURL may be
// any of those URLs, absolute or relative. It reports whether publicURL
// names a known export (revoking twice is harmless and reports true).
func (f *Fake) RevokeExport(publicURL string) bool {
	rest, ok := strings.CutPrefix(f.normalizePath(publicURL), "/fotoweb/embed/")
	if !ok {
		return false
	}
	key, _ := splitEmbed(rest)
	f.exports.mu.Lock()
	defer f.exports.mu.Unlock()
	e := f.exports.m[key]
	if e == nil {
		return false
	}
	e.revoked = true
	return true
}
