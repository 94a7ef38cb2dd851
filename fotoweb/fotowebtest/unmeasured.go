package fotowebtest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Unmeasured returns a handler that serves f, except that the assets at
// hrefs (escaped or not, relative or absolute) are described as FotoWeb
// describes an image whose size it could not measure (recorded: a WebP in
// enonic/assetList.json and assetIngestedRequestBody.json):
// "pixelwidth" and "pixelheight" 1, an original rendition of 1×1, and
// every non-square preview (and quick rendition) claiming width = height
// = size. The preview files themselves are still the true picture scaled
// to size on its long edge, as a real server's are, so a client can see
// what the JSON did not say.
//
// The rewriting applies to the JSON answers of /fotoweb/archives/ and
// /fotoweb/data/ (asset, asset lists, collections, searches, PATCH
// answers); webhooks sent with [Fake.EmitWebhook] still carry the true
// size. It panics on an href that is not a seed asset.
func Unmeasured(f *Fake, hrefs ...string) http.Handler {
	targets := make(map[string]bool, len(hrefs))
	for _, h := range hrefs {
		p := f.normalizePath(h)
		f.mu.RLock()
		a := f.lookupAsset(p)
		f.mu.RUnlock()
		if a == nil {
			panic("fotowebtest: Unmeasured: unknown asset " + h)
		}
		targets[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if !strings.HasPrefix(p, "/fotoweb/archives/") && !strings.HasPrefix(p, "/fotoweb/data/") {
			f.ServeHTTP(w, r)
			return
		}
		buf := &bufferedWriter{ResponseWriter: w, header: http.Header{}}
		f.ServeHTTP(buf, r)
		if !buf.wrote { // nothing written, or the connection was taken over
			return
		}
		body := buf.body.Bytes()
		if mt, _, _ := mime.ParseMediaType(buf.header.Get("Content-Type")); strings.HasSuffix(mt, "json") && len(body) > 0 {
			if b, ok := f.unmeasure(body, targets); ok {
				body = b
				buf.header.Set("Content-Length", strconv.Itoa(len(body)))
			}
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		w.Write(body)
	})
}

// NewUnmeasuredServer starts a fake like [NewServer] whose assets at
// hrefs are described as images of unknown size (see [Unmeasured]).
func NewUnmeasuredServer(opts Options, hrefs ...string) *Server {
	f := New(opts)
	s := httptest.NewServer(Unmeasured(f, hrefs...))
	f.SetBaseURL(s.URL)
	return &Server{Fake: f, Server: s}
}

// bufferedWriter keeps an answer so that it can be rewritten. Unwrap lets
// a fault or an error page take the connection over, as without it.
type bufferedWriter struct {
	http.ResponseWriter
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// unmeasure rewrites every asset representation in body whose href is
// in targets (decoded paths); ok is false when there is none.
func (f *Fake) unmeasure(body []byte, targets map[string]bool) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	found := false
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if h, _ := x["href"].(string); h != "" && x["previews"] != nil && targets[f.normalizePath(h)] {
				unmeasureAsset(x)
				found = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	if !found {
		return nil, false
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil, false
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), true
}

// unmeasureAsset gives an asset representation the recorded shape of an
// image FotoWeb could not measure.
func unmeasureAsset(a map[string]any) {
	one := json.Number("1")
	if attrs, ok := a["attributes"].(map[string]any); ok {
		if ia, ok := attrs["imageattributes"].(map[string]any); ok {
			ia["pixelwidth"], ia["pixelheight"] = one, one
		}
	}
	for _, key := range []string{"previews", "quickRenditions"} {
		list, _ := a[key].([]any)
		for _, p := range list {
			if p, ok := p.(map[string]any); ok && p["square"] != true {
				p["width"], p["height"] = p["size"], p["size"]
			}
		}
	}
	list, _ := a["renditions"].([]any)
	for _, r := range list {
		if r, ok := r.(map[string]any); ok && r["original"] == true {
			r["width"], r["height"] = one, one
		}
	}
}
