package fotowebtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exportStore holds published exports (the Export API, §6.1).
type exportStore struct {
	mu   sync.Mutex
	m    map[string]*exportEntry // by key "YYYY/MM/<id>"
	list []*exportEntry          // in creation order
}

// exportEntry is one durable export. revoked changes under exportStore.mu;
// the other fields are fixed at creation.
type exportEntry struct {
	id, key     string
	base        string // absolute URL without suffix: BASE/fotoweb/embed/YYYY/MM/<id>
	asset       *asset
	w, h        int
	double      bool // a doubleResolution (_2x) variant exists
	preset      string
	publication string
	created     time.Time
	doc         []byte // export-data JSON
	revoked     bool
}

func (s *exportStore) init() { s.m = make(map[string]*exportEntry) }

// Embed URL suffixes: the normal image, highCompression, doubleResolution
// and the export JSON.
const (
	sufNormal = ".jpg"
	sufHC     = "_hc.jpg"
	sufDouble = "_2x.jpg"
	sufJSON   = ".json"
)

// exportRequest is the export-request+json body.
type exportRequest struct {
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Publication string `json:"publication"`
	Preset      string `json:"preset"`
}

// exportAsset answers EXPORT <asset href>: every successful request
// creates a new durable export with permanent, unauthenticated
// /fotoweb/embed/YYYY/MM/<32 hex>.jpg URLs, as FotoWeb's export manager
// lists every export separately.
func (f *Fake) exportAsset(w http.ResponseWriter, r *http.Request, who *principal, a *asset) {
	if mediaType(r) != mtExportReq {
		writeError(w, r, http.StatusUnsupportedMediaType, "UnsupportedMediaType: use "+mtExportReq)
		return
	}
	if !who.canExport(a.arch) {
		writeError(w, r, http.StatusForbidden, "Forbidden: Export permission is required")
		return
	}
	_, ctype, ok := negotiate(r, mtExportData)
	if !ok {
		writeNotAcceptable(w, r)
		return
	}
	var req exportRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Width < 0 || req.Height < 0 {
		writeError(w, r, http.StatusBadRequest, "BadRequest: malformed export request")
		return
	}
	if !a.hasImage() {
		writeError(w, r, http.StatusBadRequest, "BadRequest: only images can be exported")
		return
	}
	var preset *exportPreset
	if req.Preset != "" {
		if preset = f.lookupPreset(req.Preset); preset == nil {
			writeError(w, r, http.StatusBadRequest, "BadRequest: unknown export preset "+strconv.Quote(req.Preset))
			return
		}
	}
	e := f.newExport(a, req, preset)
	f.exports.mu.Lock()
	f.exports.m[e.key] = e
	f.exports.list = append(f.exports.list, e)
	f.exports.mu.Unlock()
	f.counts.mu.Lock()
	f.counts.exports++
	f.counts.mu.Unlock()
	writeJSONBytes(w, http.StatusOK, ctype, e.doc)
}

// newExport builds an export of a with a fresh random id.
func (f *Fake) newExport(a *asset, req exportRequest, preset *exportPreset) *exportEntry {
	dw, dh := a.dims()
	bw, bh := req.Width, req.Height
	if bw == 0 && bh == 0 && preset != nil {
		bw, bh = preset.Width, preset.Height
	}
	ew, eh := exportSize(dw, dh, bw, bh)
	var b [16]byte
	rand.Read(b[:])
	now := f.now().UTC()
	e := &exportEntry{id: hex.EncodeToString(b[:]), asset: a, w: ew, h: eh,
		double: max(dw, dh) >= 2*max(ew, eh), publication: req.Publication, created: now}
	if preset != nil {
		e.preset = preset.Href
	}
	e.key = now.Format("2006/01") + "/" + e.id
	e.base = f.BaseURL() + "/fotoweb/embed/" + e.key
	double := ""
	if e.double {
		double = e.base + sufDouble
	}
	f.mu.RLock()
	md := a.md()
	title, caption, meta := md.text(5), md.text(120), metadataDoc(md)
	f.mu.RUnlock()
	flat := make(map[string]any, len(meta))
	for k, v := range meta {
		flat[k] = v.Value
	}
	e.doc, _ = json.Marshal(map[string]any{
		"export": map[string]any{
			"source": f.BaseURL() + a.href, "json": e.base + sufJSON,
			"image":  map[string]string{"normal": e.base + sufNormal, "highCompression": e.base + sufHC, "doubleResolution": double},
			"widget": e.base + ".html", "size": map[string]int{"w": ew, "h": eh},
		},
		"caption":     map[string]string{"label": title, "tooltip": caption},
		"publication": map[string]string{"text": req.Publication},
		"metadata":    flat,
	})
	return e
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

// splitEmbed splits "YYYY/MM/<id>_hc.jpg" into the key and the suffix
// ("" when none matches).
func splitEmbed(rest string) (key, variant string) {
	for _, suf := range []string{sufHC, sufDouble, sufNormal, sufJSON} {
		if k, ok := strings.CutSuffix(rest, suf); ok {
			return k, suf
		}
	}
	return rest, ""
}

// handleEmbed serves exported files without authentication. Revoked
// exports, exports of deleted assets, unknown suffixes and the _2x
// variant of an export without doubleResolution answer 404.
func (f *Fake) handleEmbed(w http.ResponseWriter, r *http.Request, rest string) {
	key, variant := splitEmbed(rest)
	f.exports.mu.Lock()
	e := f.exports.m[key]
	gone := e == nil || e.revoked || variant == "" || (variant == sufDouble && !e.double)
	f.exports.mu.Unlock()
	if !gone {
		f.mu.RLock()
		gone = e.asset.deleted
		f.mu.RUnlock()
	}
	if gone {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000")
	if variant == sufJSON {
		writeJSONBytes(w, http.StatusOK, mtExportData+"; charset=utf-8", e.doc)
		return
	}
	ew, eh, q := e.w, e.h, 85
	switch variant {
	case sufHC:
		q = 35
	case sufDouble:
		dw, dh := e.asset.dims()
		ew, eh = fit(dw, dh, 2*max(ew, eh), false)
	}
	serveBytes(w, r, "image/jpeg", f.picture(e.asset, ew, eh, false, "jpg", q))
}
