package fotowebtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxOriginal caps the long edge of generated "original" files, to keep
// memory modest: an ORIGINAL rendition of a 5472×3648 asset is delivered
// as 3000×2000.
const maxOriginal = 3000

// task is a rendition background task.
type task struct {
	asset   *asset
	profile string // "ORIGINAL" or a profile guid
	who     *principal
	created time.Time
	polls   int
}

type taskStore struct {
	mu sync.Mutex
	m  map[string]*task
}

func (s *taskStore) init() { s.m = make(map[string]*task) }

// uuid returns a random version-4 UUID.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// handleRenditionRequest serves POST /fotoweb/services/renditions. Its
// errors are Werkzeug pages or JSON (Options.RenditionErrors); as a
// Werkzeug service it reads the token from the Authorization header only
// and answers 403 without a valid one.
func (f *Fake) handleRenditionRequest(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		if f.wire.werkzeug {
			writeWerkzeug(w, status)
			return
		}
		writeError(w, r, status, msg)
	}
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("Allow", "POST, OPTIONS")
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost:
	default:
		fail(http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	var who *principal
	if f.wire.werkzeug {
		if who = f.headerPrincipal(r); who == nil {
			writeWerkzeug(w, http.StatusForbidden)
			return
		}
	} else if who = f.authenticate(w, r); who == nil {
		return
	}
	if mediaType(r) != mtRenditionReq {
		fail(http.StatusUnsupportedMediaType, "UnsupportedMediaType: use "+mtRenditionReq)
		return
	}
	var req struct {
		Href string `json:"href"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Href == "" {
		fail(http.StatusBadRequest, "BadRequest: the body must be {\"href\": \"<rendition href>\"}")
		return
	}
	assetPath, profile, ok := strings.Cut(f.normalizePath(req.Href), renditionsSuffix)
	f.mu.RLock()
	a := f.lookupAsset(assetPath)
	gone := a == nil || a.deleted
	f.mu.RUnlock()
	switch {
	case !ok || gone:
		fail(http.StatusNotFound, "NotFound: unknown rendition")
		return
	case !who.sees(a.arch):
		if f.wire.werkzeug {
			writeWerkzeug(w, f.opts.HiddenStatus)
		} else {
			f.hidden(w, r)
		}
		return
	case profile != "ORIGINAL" && (profile != jpg1024Profile || !a.hasImage()):
		fail(http.StatusNotFound, "NotFound: unknown rendition profile")
		return
	}
	id := uuid()
	f.tasks.mu.Lock()
	f.tasks.m[id] = &task{asset: a, profile: profile, who: who, created: f.now()}
	f.tasks.mu.Unlock()
	href := "/fotoweb/me/background-tasks/" + id + "/0/" + url.PathEscape(renditionName(a, profile))
	h := w.Header()
	h.Set("Location", f.BaseURL()+href)
	if !f.wire.recordedHeaders {
		h.Set("Cache-Control", "no-cache")
		writeJSON(w, f.opts.RenditionRequestStatus, mtRenditionResp, map[string]string{"href": href})
		return
	}
	// As recorded (rendition.meta.json): Vary: User-Agent, Accept, no
	// Cache-Control, and the body with Python's json.dumps spacing.
	h.Set("Vary", "User-Agent, Accept")
	h["Cache-Control"] = nil
	q, _ := json.Marshal(href)
	writeJSONBytes(w, f.opts.RenditionRequestStatus, mtRenditionResp, []byte(`{"href": `+string(q)+`}`))
}

// renditionName is the file name of a rendition.
func renditionName(a *asset, profile string) string {
	if profile == "ORIGINAL" {
		return a.filename
	}
	return strings.TrimSuffix(a.filename, path.Ext(a.filename)) + ".jpg"
}

// handleTask serves /fotoweb/me/background-tasks/<id>/0/<file>: 202 while
// pending, then 200 with the bytes, 410 after Options.RenditionTTL.
func (f *Fake) handleTask(w http.ResponseWriter, r *http.Request, rest string) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	id, _, _ := strings.Cut(rest, "/")
	f.tasks.mu.Lock()
	t := f.tasks.m[id]
	if t == nil || t.who.userID != who.userID || r.Method != http.MethodGet && r.Method != http.MethodHead {
		f.tasks.mu.Unlock()
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	if f.now().Sub(t.created) >= f.opts.RenditionTTL {
		f.tasks.mu.Unlock()
		writeError(w, r, http.StatusGone, "Gone: The download has expired")
		return
	}
	pending := t.polls < f.opts.RenditionPending
	if pending {
		t.polls++
	}
	f.tasks.mu.Unlock()
	if pending {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	e := f.renditionBytes(t.asset, t.profile)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment")
	h.Set("Content-Length", strconv.Itoa(len(e.data)))
	h.Set("Cache-Control", "private")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(e.data)
	}
}

// renditionBytes generates (once per process) a rendition's file: an image at the
// original's displayed size capped at maxOriginal (1024 for the JPG
// profile), PNG for .png originals; small stand-in files for documents
// and videos.
func (f *Fake) renditionBytes(a *asset, profile string) *imgEntry {
	dw, dh := a.dims()
	switch {
	case a.doctype == "document":
		return f.images.get(imageKey{path: a.filename, format: "pdf"}, func() []byte { return fakePDF(a.filename) })
	case !a.hasImage():
		return f.images.get(imageKey{format: "mp4"}, fakeMP4)
	case profile == "ORIGINAL":
		w, h := fit(dw, dh, maxOriginal, false)
		format := "jpg"
		if strings.EqualFold(path.Ext(a.filename), ".png") {
			format = "png"
		}
		return f.picture(a, w, h, false, format, 90)
	}
	w, h := fit(dw, dh, 1024, false)
	return f.picture(a, w, h, false, "jpg", 80)
}

// fakePDF is a minimal one-page PDF.
func fakePDF(title string) []byte {
	return []byte("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" +
		"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n" +
		"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n" +
		"4 0 obj <</Title (" + strings.Map(func(r rune) rune {
		if r < 32 || r > 126 || r == '(' || r == ')' || r == '\\' {
			return '_'
		}
		return r
	}, title) + ")>> endobj\ntrailer <</Root 1 0 R /Info 4 0 R>>\n%%EOF\n")
}

// fakeMP4 is an ftyp box followed by padding.
func fakeMP4() []byte {
	b := make([]byte, 4096)
	copy(b, "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	return b
}
