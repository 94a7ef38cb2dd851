package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// source is the FotoWeb file a signed URL means.
type source struct {
	href      string // preview or rendition href
	rendition bool   // fetched through the Rendition Request API
	identity  string // what distinguishes this file for the ETag
}

// proxy fetches the file with the token server-side and streams it. A
// matching If-None-Match, or an If-Modified-Since no earlier than the
// asset's modification time, answers 304 without an upstream call. No token
// appears in any response header.
func (s *Server) proxy(c echo.Context, ph *phase, p urlsig.Parsed) error {
	ctx := ph.ctx
	in, err := s.res.Resolve(ctx, p.Asset)
	if err != nil {
		return err
	}
	if err := in.Check(s.cfg.Now()); err != nil {
		return err
	}
	setCacheTags(c.Response().Header(), in)
	s.watchExpiry(in.Href, in.Rights.Expires)
	src, err := sourceOf(in, p.Options)
	if err != nil {
		return err
	}
	etag := proxyETag(in, src)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", s.proxyCacheControl(p.Options.Expires, in.Rights.Expires))
	if !in.Modified.IsZero() {
		h.Set("Last-Modified", in.Modified.UTC().Format(http.TimeFormat))
	}
	if notModified(c.Request(), etag, in.Modified) {
		return c.NoContent(http.StatusNotModified)
	}
	body, err := s.openSource(ctx, in, p.Options, src)
	if err != nil {
		return err
	}
	defer body.Close()
	if !ph.done() {
		return context.Cause(ctx)
	}
	setBodyHeaders(h, body)
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	buf := copyBufs.Get().(*[]byte)
	_, err = io.CopyBuffer(c.Response(), body, *buf)
	copyBufs.Put(buf)
	if err != nil {
		return fmt.Errorf("server: streaming %s: %w", in.Href, err)
	}
	return nil
}

// copyBufs are the buffers proxied files are streamed through: io.Copy
// would allocate 32 KB per file, since neither side has ReadFrom or
// WriteTo.
var copyBufs = sync.Pool{New: func() any {
	b := make([]byte, 32<<10)
	return &b
}}

// sourceOf chooses the preview or rendition the options mean.
func sourceOf(in *embed.Info, o urlsig.Options) (source, error) {
	if o.Rendition != "" {
		r, ok := in.Rendition(o.Rendition)
		if !ok {
			return source{}, errorf(http.StatusNotFound, "asset has no rendition %q", o.Rendition)
		}
		return source{href: r.Href, rendition: true, identity: "r:" + o.Rendition}, nil
	}
	i, err := in.ChooseFor(o)
	if err != nil {
		return source{}, err
	}
	pv := in.Previews[i]
	return source{href: pv.Href, identity: fmt.Sprintf("p:%d:%dx%d:%t", pv.Size, pv.Width, pv.Height, pv.Square)}, nil
}

// openSource opens the file. A preview FotoWeb refuses (401, 403) or no
// longer knows (404, 410: preview hrefs are ephemeral) is fetched again
// from a fresh, uncached asset representation with its previewToken, and
// the cached entry is dropped so that the next request sees fresh hrefs.
func (s *Server) openSource(ctx context.Context, in *embed.Info, o urlsig.Options, src source) (*fotoweb.Body, error) {
	if src.rendition {
		return s.cfg.FotoWeb.Rendition(ctx, src.href)
	}
	b, err := s.cfg.FotoWeb.Open(ctx, src.href, "", nil)
	if err == nil || !retryWithPreviewToken(err) {
		return b, err
	}
	_ = s.res.Invalidate(ctx, in.Href)
	a, aerr := s.cfg.FotoWeb.Asset(ctx, in.Href)
	if aerr != nil {
		return nil, aerr
	}
	fresh := embed.NewInfo(in.Href, a, s.cfg.Fields)
	i, cerr := fresh.ChooseFor(o)
	if cerr != nil {
		return nil, cerr
	}
	return s.cfg.FotoWeb.Open(ctx, fresh.Previews[i].Href, a.PreviewToken, nil)
}

// retryWithPreviewToken reports whether a failed preview fetch is worth
// one more try from a fresh asset representation.
func retryWithPreviewToken(err error) bool {
	return errors.Is(err, fotoweb.ErrUnauthorized) || errors.Is(err, fotoweb.ErrForbidden) ||
		errors.Is(err, fotoweb.ErrNotFound) || errors.Is(err, fotoweb.ErrGone)
}

// setBodyHeaders sets Content-Type and Content-Length from FotoWeb's
// answer. Only image and video types are passed as they are; anything
// else (a rendition may be a PDF, EPS or PSD, or FotoWeb may send an HTML
// error page) is served as a download, so that the service's origin never
// serves active content.
func setBodyHeaders(h http.Header, b *fotoweb.Body) {
	if mt, ok := servedType(b.ContentType); ok {
		h.Set("Content-Type", mt)
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", "attachment")
	}
	if b.ContentLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(b.ContentLength, 10))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
}

// inlineTypes are the media types the service's origin serves as they
// are: images and videos a browser shows but never runs. Everything else
// (SVG, HTML, PDF, an unknown or malformed type) is a download.
var inlineTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/avif": true,
	"image/bmp": true, "image/tiff": true, "image/heic": true, "image/heif": true, "image/jxl": true,
	"video/mp4": true, "video/webm": true, "video/ogg": true, "video/quicktime": true,
}

// servedType parses FotoWeb's Content-Type and returns the bare media
// type fotoembed sends when it is one of inlineTypes. The upstream header
// is never passed on as it came: "image/png, text/html" or a type with
// odd parameters is not an image.
func servedType(ct string) (string, bool) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !inlineTypes[mt] {
		return "", false
	}
	return mt, true
}

// capAge caps age so that a cache keeping an answer that long does not
// keep it past until (zero: no cap).
func capAge(age time.Duration, until, now time.Time) time.Duration {
	if until.IsZero() {
		return age
	}
	return min(age, until.Sub(now))
}

// proxyCacheControl is "public, max-age=N" for a CDN, N being
// Config.ProxyMaxAge capped by the signed URL's expiry and the asset's
// licence end (rightsExp; zero for none).
func (s *Server) proxyCacheControl(urlExp, rightsExp time.Time) string {
	now := s.cfg.Now()
	age := capAge(capAge(s.cfg.ProxyMaxAge, urlExp, now), rightsExp, now)
	secs := int64(age / time.Second)
	if secs <= 0 {
		return "no-store"
	}
	return fmt.Sprintf("public, max-age=%d", secs)
}

// proxyETag is a strong ETag derived from the asset href, its
// modification time and the chosen file, so that 304s need no upstream
// call and change when the asset does.
func proxyETag(in *embed.Info, src source) string {
	sum := sha256.Sum256([]byte(in.Href + "\x00" + in.Modified.UTC().Format(time.RFC3339Nano) + "\x00" + src.identity))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// etagMatch implements If-None-Match's weak comparison against etag.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// notModified evaluates a GET or HEAD's preconditions as RFC 9110
// (13.2.2) orders them: If-None-Match when present, else
// If-Modified-Since against the asset's modification time (Last-Modified
// has whole seconds, so the comparison does too). An unknown
// modification time or an unparsable date never matches.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.Truncate(time.Second).After(t)
}
