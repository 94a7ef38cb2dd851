package fotowebtest

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// Preview sizes FotoWeb offers, in the order real servers list them
// (drupal/asset.json, enonic/assetModifiedRequestBody.json): non-square
// long edges 800..2400, then 200..600, then squares (200 twice).
var (
	previewSizes = []int{800, 1200, 1600, 2400, 200, 300, 400, 600}
	squareSizes  = []int{100, 200, 200, 400}
)

const quickSize = 1024

// previewSpec is one preview: size is max(width, height).
type previewSpec struct {
	size, w, h int
	square     bool
	quick      bool
}

// fit scales (dw, dh) so the long edge is n, keeping the aspect ratio
// (rounding half up, as FotoWeb does: 370×136 at 200 is 200×74); never
// larger than the original unless upscale.
func fit(dw, dh, n int, upscale bool) (int, int) {
	long := max(dw, dh)
	if n == long || (!upscale && n > long) || long == 0 {
		return dw, dh
	}
	scale := func(v int) int { return max(1, int(math.Round(float64(v)*float64(n)/float64(long)))) }
	if dw >= dh {
		return n, scale(dh)
	}
	return scale(dw), n
}

// previewSpecs returns the twelve previews of an image asset.
func (f *Fake) previewSpecs(a *asset) []previewSpec {
	dw, dh := a.dims()
	out := make([]previewSpec, 0, len(previewSizes)+len(squareSizes))
	for _, n := range previewSizes {
		w, h := fit(dw, dh, n, f.wire.upscale)
		out = append(out, previewSpec{size: max(w, h), w: w, h: h})
	}
	for _, n := range squareSizes {
		if side := min(dw, dh); n > side && !f.wire.upscale {
			n = side
		}
		out = append(out, previewSpec{size: n, w: n, h: n, square: true})
	}
	return out
}

// previewSpecOf returns the non-square preview of nominal size n.
func (f *Fake) previewSpecOf(a *asset, n int) previewSpec {
	dw, dh := a.dims()
	w, h := fit(dw, dh, n, f.wire.upscale)
	return previewSpec{size: max(w, h), w: w, h: h}
}

func (f *Fake) quickSpec(a *asset) previewSpec {
	q := f.previewSpecOf(a, quickSize)
	q.quick = true
	return q
}

// previewInfo encodes what the fake needs to serve a preview URL.
func previewInfo(id, version uint32, ps previewSpec) string {
	var b [9]byte
	binary.BigEndian.PutUint32(b[0:], id)
	binary.BigEndian.PutUint16(b[4:], uint16(version))
	binary.BigEndian.PutUint16(b[6:], uint16(ps.size))
	if ps.square {
		b[8] |= 1
	}
	if ps.quick {
		b[8] |= 2
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// previewHref is the href of preview ps of a in state st, in the
// flavour's form.
func (f *Fake) previewHref(a *asset, st assetState, ps previewSpec) string {
	if f.wire.onPrem {
		return f.previewHref80(a, st, ps)
	}
	return f.previewHrefV2(a, st.version, ps)
}

// previewHrefV2 is /fotoweb/cache/v2/<x>/<y>/<path>.<info>.<sig>.jpg; x, y
// and sig come from an HMAC over info and the path.
func (f *Fake) previewHrefV2(a *asset, version uint32, ps previewSpec) string {
	info := previewInfo(a.id, version, ps)
	mac := f.sign("preview", info, a.relPath)
	return "/fotoweb/cache/v2/" + mac[10:11] + "/" + mac[11:12] + "/" + escapePath(a.relPath) + "." + info + "." + mac[:10] + ".jpg"
}

// previewHref80 is FotoWeb 8.0's form (drupal/asset.json):
// /fotoweb/cache/<archive id>/<path without extension>.t<modified, hex
// Unix seconds>.m<size>[.q].x<43-character signature>.jpg, where .q marks
// a square.
func (f *Fake) previewHref80(a *asset, st assetState, ps previewSpec) string {
	t, m, q := strconv.FormatInt(st.modified.Unix(), 16), strconv.Itoa(ps.size), ""
	if ps.square {
		q = "q"
	}
	stem := strings.TrimSuffix(a.relPath, path.Ext(a.filename))
	href := "/fotoweb/cache/" + strconv.Itoa(a.arch.id) + "/" + escapePath(stem) + ".t" + t + ".m" + m
	if q != "" {
		href += ".q"
	}
	return href + ".x" + f.sign("preview80", strconv.Itoa(a.arch.id), a.relPath, t, m, q) + ".jpg"
}

// parsePreview checks a preview path (decoded, after /fotoweb/cache/) in
// either form and returns its asset and spec. Any mismatch is a 404.
func (f *Fake) parsePreview(rest string) (*asset, previewSpec, bool) {
	var (
		a  *asset
		ps previewSpec
		ok bool
	)
	if v2, isV2 := strings.CutPrefix(rest, "v2/"); isV2 {
		a, ps, ok = f.parsePreviewV2(v2)
	} else {
		a, ps, ok = f.parsePreview80(rest)
	}
	if !ok {
		return nil, ps, false
	}
	dw, dh := a.dims()
	if ps.square {
		ps.w, ps.h = ps.size, ps.size
	} else {
		ps.w, ps.h = fit(dw, dh, ps.size, true)
	}
	return a, ps, true
}

// parsePreviewV2 reads <x>/<y>/<path>.<info>.<sig>.jpg.
func (f *Fake) parsePreviewV2(rest string) (*asset, previewSpec, bool) {
	var ps previewSpec
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 {
		return nil, ps, false
	}
	name, ok := strings.CutSuffix(parts[2], ".jpg")
	i := strings.LastIndexByte(name, '.')
	if !ok || i < 0 {
		return nil, ps, false
	}
	sig := name[i+1:]
	name = name[:i]
	j := strings.LastIndexByte(name, '.')
	if j < 0 {
		return nil, ps, false
	}
	info, rel := name[j+1:], name[:j]
	mac := f.sign("preview", info, rel)
	if !hmac.Equal([]byte(mac[:10]+"/"+mac[10:11]+"/"+mac[11:12]), []byte(sig+"/"+parts[0]+"/"+parts[1])) {
		return nil, ps, false
	}
	b, err := base64.RawURLEncoding.DecodeString(info)
	if err != nil || len(b) != 9 {
		return nil, ps, false
	}
	id := binary.BigEndian.Uint32(b)
	ps.size = int(binary.BigEndian.Uint16(b[6:]))
	ps.square, ps.quick = b[8]&1 != 0, b[8]&2 != 0
	f.mu.RLock()
	defer f.mu.RUnlock()
	if int(id) >= len(f.assets) {
		return nil, ps, false
	}
	a := f.assets[id]
	if a.deleted || a.relPath != rel || !a.hasImage() {
		return nil, ps, false
	}
	return a, ps, true
}

// parsePreview80 reads <archive id>/<path>.t<hex>.m<size>[.q].x<sig>.jpg.
// The extension left out of the path is found by trying the extensions
// of the seed files against the signature.
func (f *Fake) parsePreview80(rest string) (*asset, previewSpec, bool) {
	var ps previewSpec
	archID, name, ok := strings.Cut(rest, "/")
	if !ok {
		return nil, ps, false
	}
	cut := func(sep string) (string, bool) {
		i := strings.LastIndex(name, sep)
		if i < 0 {
			return "", false
		}
		v := name[i+len(sep):]
		name = name[:i]
		return v, true
	}
	if name, ok = strings.CutSuffix(name, ".jpg"); !ok {
		return nil, ps, false
	}
	sig, ok1 := cut(".x")
	q := ""
	if name, ps.square = strings.CutSuffix(name, ".q"); ps.square {
		q = "q"
	}
	m, ok2 := cut(".m")
	t, ok3 := cut(".t")
	size, err := strconv.Atoi(m)
	if !ok1 || !ok2 || !ok3 || err != nil || size <= 0 {
		return nil, ps, false
	}
	ps.size = size
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, ext := range f.exts {
		rel := name + ext
		if !hmac.Equal([]byte(sig), []byte(f.sign("preview80", archID, rel, t, m, q))) {
			continue
		}
		a := f.byKey[archID+"/"+rel]
		if a == nil || a.deleted || !a.hasImage() {
			return nil, ps, false
		}
		return a, ps, true
	}
	return nil, ps, false
}

// previewToken mints the asset's previewToken (HS256, one hour).
func (f *Fake) previewToken(a *asset, who *principal) string {
	now := f.now().Unix()
	return f.jwt(map[string]any{
		"iss": f.BaseURL() + "/fotoweb/", "sub": strconv.Itoa(who.userID),
		"exp": now + 3600, "nbf": now, "iat": now, "jti": randomString(24),
		"ass": assetClaim(a), "rev": "", "aud": "preview_token", "scope": []string{"arbitrary_renditions"},
	})
}

// assetClaim is the previewToken "ass" claim: archives/<id>/<escaped path>.
func assetClaim(a *asset) string {
	return "archives/" + strconv.Itoa(a.arch.id) + "/" + escapePath(a.relPath)
}

// validPreviewToken checks tok is a live previewToken for a (never, in a
// flavour without previewTokens).
func (f *Fake) validPreviewToken(tok string, a *asset) bool {
	if !f.wire.previewTokens {
		return false
	}
	c, ok := f.parseJWT(tok)
	if !ok || c["aud"] != "preview_token" || c["ass"] != assetClaim(a) {
		return false
	}
	exp, _ := c["exp"].(float64)
	return f.now().Unix() < int64(exp)
}

// SetPreviewAuth switches the rule preview URLs are protected by; it
// applies to requests that arrive afterwards. Options.PreviewAuth is the
// initial value. It panics on PreviewAuthPreviewToken in a flavour
// without previewTokens (FlavourOnPrem80).
func (f *Fake) SetPreviewAuth(m PreviewAuthMode) {
	f.checkPreviewAuth(m)
	f.preview.Store(int32(m))
}

// PreviewAuth returns the current preview protection rule.
func (f *Fake) PreviewAuth() PreviewAuthMode { return PreviewAuthMode(f.preview.Load()) }

// previewAllowed applies PreviewAuth; it answers the request and returns
// false when access is refused. A previewToken counts in the
// Authorization header and in the access_token query parameter alike.
func (f *Fake) previewAllowed(w http.ResponseWriter, r *http.Request, a *asset) bool {
	mode := f.PreviewAuth()
	if mode == PreviewAuthNone {
		return true
	}
	tok, bad := f.presentedToken(r)
	isPreview := tok != "" && !bad && f.validPreviewToken(tok, a)
	switch {
	case isPreview && mode != PreviewAuthAccessToken:
		return true
	case isPreview || mode == PreviewAuthPreviewToken:
		msg := "Unauthorized: a previewToken is required"
		if mode == PreviewAuthAccessToken {
			msg = "Unauthorized: Access is denied due to invalid credentials"
		}
		f.unauthorized(w, r, tok != "", msg)
		return false
	}
	who := f.authenticate(w, r)
	if who == nil {
		return false
	}
	if !who.sees(a.arch) {
		f.hidden(w, r)
		return false
	}
	return true
}

// handlePreview serves /fotoweb/cache/... (either href form) with
// generated JPEG bytes.
func (f *Fake) handlePreview(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, "GET, HEAD")
		return
	}
	a, ps, ok := f.parsePreview(rest)
	if !ok {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	if !f.previewAllowed(w, r, a) {
		return
	}
	serveBytes(w, r, "image/jpeg", f.picture(a, ps.w, ps.h, ps.square, "jpg", 80))
}

// serveBytes writes cached bytes with ETag, Content-Length and
// Cache-Control: private (conditional and range requests work).
func serveBytes(w http.ResponseWriter, r *http.Request, ctype string, e *imgEntry) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", e.etag)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(e.data))
}
