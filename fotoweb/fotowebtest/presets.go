package fotowebtest

import (
	"net/http"
	"strings"
)

// Export preset URLs. The reference finds both /fotoweb/me/presets/exports/
// (FotoWeb's docs) and /fotoweb/me/presets/export/ (working client code);
// the fake answers both, lists presets under the first and accepts either
// as the preset of an EXPORT request.
const (
	presetsPath    = "/fotoweb/me/presets/exports/"
	presetsPathAlt = "/fotoweb/me/presets/export/"

	// PresetList is the URL of the export preset list.
	PresetList = presetsPath
	// WebPreset is the "Web" export preset (width and height 0: the
	// request decides the size).
	WebPreset = presetsPath + "5f0c1e2d3a4b5c6d7e8f9a01"
	// SquarePreset is the "Square 600" export preset: a 600×600 box the
	// export is fitted into when the request gives width and height 0.
	SquarePreset = presetsPath + "5f0c1e2d3a4b5c6d7e8f9a02"
)

// exportPreset is one CMS export preset as the preset list shows it.
type exportPreset struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Href   string `json:"href"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

var exportPresets = []*exportPreset{
	{ID: strings.TrimPrefix(WebPreset, presetsPath), Name: "Web", Href: WebPreset},
	{ID: strings.TrimPrefix(SquarePreset, presetsPath), Name: "Square 600", Href: SquarePreset, Width: 600, Height: 600},
}

// presetID returns the id in a preset path under either spelling ("" for
// the list itself); ok is false for other paths.
func presetID(p string) (id string, ok bool) {
	p = strings.TrimSuffix(p, "/") + "/"
	for _, pre := range []string{presetsPath, presetsPathAlt} {
		if rest, found := strings.CutPrefix(p, pre); found {
			id = strings.TrimSuffix(rest, "/")
			return id, !strings.Contains(id, "/")
		}
	}
	return "", false
}

// lookupPreset finds a preset by its href (either spelling, absolute or
// relative, escaped or not).
func (f *Fake) lookupPreset(href string) *exportPreset {
	id, ok := presetID(f.normalizePath(href))
	if !ok || id == "" {
		return nil
	}
	for _, p := range exportPresets {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// handlePresets serves the export preset list and single presets under
// /fotoweb/me/presets/ (authentication required; application/json, as
// FotoWeb's own media type for them is unconfirmed).
func (f *Fake) handlePresets(w http.ResponseWriter, r *http.Request, rest string) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	id, ok := presetID("/fotoweb/me/presets/" + rest)
	if !ok {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	_, ctype, ok := readable(w, r, mtJSON)
	if !ok {
		return
	}
	if id == "" {
		writeJSON(w, http.StatusOK, ctype, map[string]any{"data": exportPresets, "paging": nil})
		return
	}
	for _, p := range exportPresets {
		if p.ID == id {
			writeJSON(w, http.StatusOK, ctype, p)
			return
		}
	}
	writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
}
