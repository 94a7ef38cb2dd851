package fotowebtest

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// exportStore holds published exports (the Export API, §6.1).
type exportStore struct {
	mu sync.Mutex
	m  map[string]*exportEntry // by "YYYY/MM/<id>"
}

type exportEntry struct {
	asset *asset
	w, h  int
	doc   []byte // export-data JSON
}

func (s *exportStore) init() { s.m = make(map[string]*exportEntry) }

// exportAsset answers EXPORT <asset href>: a permanent, unauthenticated
// /fotoweb/embed/YYYY/MM/<32 hex>.jpg URL. The same request gives the
// same URL.
func (f *Fake) exportAsset(w http.ResponseWriter, r *http.Request, who *principal, a *asset) {
	if mediaType(r) != mtExportReq {
		writeError(w, r, http.StatusUnsupportedMediaType, "UnsupportedMediaType: use "+mtExportReq)
		return
	}
	_, ctype, ok := negotiate(r, mtExportData)
	if !ok {
		writeNotAcceptable(w, r)
		return
	}
	var req struct {
		Width       int    `json:"width"`
		Height      int    `json:"height"`
		Publication string `json:"publication"`
		Preset      string `json:"preset"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Width < 0 || req.Height < 0 {
		writeError(w, r, http.StatusBadRequest, "BadRequest: malformed export request")
		return
	}
	if !a.hasImage() {
		writeError(w, r, http.StatusBadRequest, "BadRequest: only images can be exported")
		return
	}
	dw, dh := a.dims()
	ew, eh := exportSize(dw, dh, req.Width, req.Height)
	id := hex.EncodeToString([]byte(f.sign("export", a.href, strconv.Itoa(ew), strconv.Itoa(eh), req.Preset, req.Publication)))[:32]
	key := f.now().UTC().Format("2006/01") + "/" + id
	base := f.BaseURL() + "/fotoweb/embed/" + key
	f.mu.RLock()
	md := a.md()
	title, caption, meta := md.text(5), md.text(120), metadataDoc(md)
	f.mu.RUnlock()
	flat := make(map[string]any, len(meta))
	for k, v := range meta {
		flat[k] = v.Value
	}
	doc, _ := json.Marshal(map[string]any{
		"export": map[string]any{
			"source": f.BaseURL() + a.href, "json": base + ".json",
			"image":  map[string]string{"normal": base + ".jpg", "highCompression": base + "_hc.jpg", "doubleResolution": base + "_2x.jpg"},
			"widget": base + ".html", "size": map[string]int{"w": ew, "h": eh},
		},
		"caption":     map[string]string{"label": title, "tooltip": caption},
		"publication": map[string]string{"text": req.Publication},
		"metadata":    flat,
	})
	f.exports.mu.Lock()
	if e := f.exports.m[key]; e != nil {
		doc = e.doc
	} else {
		f.exports.m[key] = &exportEntry{asset: a, w: ew, h: eh, doc: doc}
	}
	f.exports.mu.Unlock()
	writeJSONBytes(w, http.StatusOK, ctype, doc)
}

// exportSize: 0×0 is the original (capped), one side 0 keeps the aspect
// ratio, both set fits inside the box.
func exportSize(dw, dh, w, h int) (int, int) {
	long := float64(max(dw, dh))
	n := long
	switch {
	case w > 0 && h > 0:
		n = long * math.Min(float64(w)/float64(dw), float64(h)/float64(dh))
	case w > 0:
		n = long * float64(w) / float64(dw)
	case h > 0:
		n = long * float64(h) / float64(dh)
	}
	return fit(dw, dh, min(int(math.Round(n)), maxOriginal), true)
}

// handleEmbed serves exported files without authentication.
func (f *Fake) handleEmbed(w http.ResponseWriter, r *http.Request, rest string) {
	key, variant := rest, ""
	for _, suf := range []string{"_hc.jpg", "_2x.jpg", ".jpg", ".json"} {
		if k, ok := strings.CutSuffix(rest, suf); ok {
			key, variant = k, suf
			break
		}
	}
	f.exports.mu.Lock()
	e := f.exports.m[key]
	f.exports.mu.Unlock()
	f.mu.RLock()
	gone := e == nil || e.asset.deleted || variant == ""
	f.mu.RUnlock()
	if gone {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000")
	if variant == ".json" {
		writeJSONBytes(w, http.StatusOK, mtExportData+"; charset=utf-8", e.doc)
		return
	}
	ew, eh, q := e.w, e.h, 85
	switch variant {
	case "_hc.jpg":
		q = 35
	case "_2x.jpg":
		dw, dh := e.asset.dims()
		ew, eh = fit(dw, dh, min(2*max(ew, eh), maxOriginal), false)
	}
	a := e.asset
	ent := f.images.get(imageKey(a, ew, eh, false, "jpg"+strconv.Itoa(q)), func() []byte {
		return encodeImage(renderImage(a, ew, eh, false), "jpg", q)
	})
	serveBytes(w, r, "image/jpeg", ent)
}
