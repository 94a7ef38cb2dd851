package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/static"
	"github.com/fotoembed/fotoembed/templates"
)

// staticBase is the URL path of the static files.
const staticBase = "/static"

// staticMaxAge is the Cache-Control max-age of static files; they are
// revalidated by ETag after it.
const staticMaxAge = time.Hour

// ui renders the editor's web UI.
func (s *Server) ui(c echo.Context) error {
	var buf bytes.Buffer
	err := s.tpl.ExecuteTemplate(&buf, templates.UI, templates.UIData{
		Title: s.cfg.Title, StaticBase: staticBase, DefaultSize: 600,
		Fields: s.formFields(), Delivery: templates.Delivery{Direct: s.tokenURL, Export: s.emb.CanExport()},
	})
	if err != nil {
		return fmt.Errorf("server: rendering the UI: %w", err)
	}
	s.pageHeaders(c.Response().Header())
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// formFields names the metadata fields of the texts, as the resolver
// reads them (Config.Fields with embed's defaults; 0 for one turned off).
func (s *Server) formFields() templates.Fields {
	f := s.cfg.Fields
	id := func(v, def int) int {
		switch {
		case v < 0:
			return 0
		case v == 0:
			return def
		}
		return v
	}
	return templates.Fields{
		Alt: id(f.Alt, embed.FieldCaption), Title: id(f.Title, embed.FieldTitle), Caption: id(f.Caption, embed.FieldCaption),
		Byline: id(f.Byline, embed.FieldByline), Credit: id(f.Credit, embed.FieldCredit), Copy: id(f.Copyright, embed.FieldCopyright),
	}
}

// pageHeaders sets the security headers of HTML pages: scripts and
// styles only from here, images also from the FotoWeb origin (redirects
// and direct delivery), no framing, no referrer outside.
func (s *Server) pageHeaders(h http.Header) { s.framedPageHeaders(h, "'none'") }

// framedPageHeaders is pageHeaders with the frame-ancestors sources
// given: the picker may be framed by its parent's origin.
func (s *Server) framedPageHeaders(h http.Header, ancestors string) {
	imgs := "'self' data: " + s.origin
	if o := origin.Parse(s.cfg.BaseURL); o != "" {
		imgs += " " + o
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src "+imgs+
		"; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "+ancestors)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-cache")
}

// staticTypes pins the content types of the UI's own files, whatever the
// system's MIME tables say.
var staticTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".html": "text/html; charset=utf-8",
}

// staticFile is one embedded file, ready to serve.
type staticFile struct {
	data  []byte
	etag  string
	ctype string
}

// staticFiles are the web UI's files by name.
type staticFiles map[string]*staticFile

// newStaticFiles loads every file at the root of static.FS.
func newStaticFiles() (*staticFiles, error) {
	entries, err := fs.ReadDir(static.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("server: static files: %w", err)
	}
	files := staticFiles{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(static.FS, e.Name())
		if err != nil {
			return nil, fmt.Errorf("server: static files: %w", err)
		}
		sum := sha256.Sum256(data)
		ctype := staticTypes[path.Ext(e.Name())]
		if ctype == "" {
			ctype = mime.TypeByExtension(path.Ext(e.Name()))
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		files[e.Name()] = &staticFile{
			data:  data,
			etag:  `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
			ctype: ctype,
		}
	}
	return &files, nil
}

// staticFile serves a file of static.FS with its content type, an ETag
// and a max-age; 304 for a matching If-None-Match.
func (s *Server) staticFile(c echo.Context) error {
	f, ok := (*s.static)[c.Param("file")]
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(staticMaxAge.Seconds())))
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), c.Param("file"), time.Time{}, bytes.NewReader(f.data))
	return nil
}
