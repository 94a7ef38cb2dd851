package fotowebtest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FotoWeb media types.
const (
	mtAPIDescriptor  = "application/vnd.fotoware.api-descriptor+json"
	mtFullDescriptor = "application/vnd.fotoware.full-api-descriptor+json"
	mtCollection     = "application/vnd.fotoware.collection+json"
	mtCollectionInfo = "application/vnd.fotoware.collectioninfo+json"
	mtCollectionList = "application/vnd.fotoware.collectionlist+json"
	mtAssetList      = "application/vnd.fotoware.assetlist+json"
	mtAsset          = "application/vnd.fotoware.asset+json"
	mtAssetUpdate    = "application/vnd.fotoware.assetupdate+json"
	mtRenditionReq   = "application/vnd.fotoware.rendition-request+json"
	mtRenditionResp  = "application/vnd.fotoware.rendition-response+json"
	mtMetadataSet    = "application/vnd.fotoware.metadata-set+json"
	mtExportReq      = "application/vnd.fotoware.export-request+json"
	mtExportData     = "application/vnd.fotoware.export-data+json"
	mtJSON           = "application/json"
)

// readable answers 405 to anything but GET and HEAD and 406 when Accept
// names nothing in avail; otherwise it returns what negotiate chose.
func readable(w http.ResponseWriter, r *http.Request, avail ...string) (rep, ctype string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, "GET, HEAD")
		return "", "", false
	}
	if rep, ctype, ok = negotiate(r, avail...); !ok {
		writeNotAcceptable(w, r)
	}
	return rep, ctype, ok
}

// negotiate chooses a representation from avail (avail[0] is the default)
// for the request's Accept header. It returns the chosen media type and
// the Content-Type to send: application/json when the client asked for
// plain JSON, the vendor type otherwise. ok is false when nothing in
// Accept is available (406).
func negotiate(r *http.Request, avail ...string) (rep, ctype string, ok bool) {
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return avail[0], avail[0] + "; charset=utf-8", true
	}
	type rng struct {
		mt string
		q  float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				q = v
			}
		}
		if q > 0 {
			ranges = append(ranges, rng{mt, q})
		}
	}
	sort.SliceStable(ranges, func(i, j int) bool { return ranges[i].q > ranges[j].q })
	for _, g := range ranges {
		switch g.mt {
		case "*/*", "application/*":
			return avail[0], avail[0] + "; charset=utf-8", true
		case mtJSON:
			return avail[0], mtJSON + "; charset=utf-8", true
		}
		for _, a := range avail {
			if g.mt == a {
				return a, a + "; charset=utf-8", true
			}
		}
	}
	return "", "", false
}

// writeNotAcceptable answers 406 as FotoWeb does.
func writeNotAcceptable(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotAcceptable, "NotAcceptable: The requested representation is not available")
}

// writeJSONBytes writes an already encoded JSON body, with Cache-Control
// "private, max-age=30" unless the caller set one (or set it to nil: no
// Cache-Control at all).
func writeJSONBytes(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if _, set := h["Cache-Control"]; !set {
		h.Set("Cache-Control", "private, max-age=30")
	}
	w.WriteHeader(status)
	w.Write(body)
}

// writeText writes a text/plain body.
func writeText(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(text)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	io.WriteString(w, text)
}

// werkzeugDescriptions are Werkzeug's texts for its HTTP exceptions
// (HTML-escaped, as Werkzeug writes them).
var werkzeugDescriptions = map[int]string{
	http.StatusBadRequest:           "The browser (or proxy) sent a request that this server could not understand.",
	http.StatusForbidden:            "You don&#39;t have the permission to access the requested resource. It is either read-protected or not readable by the server.",
	http.StatusNotFound:             "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
	http.StatusMethodNotAllowed:     "The method is not allowed for the requested URL.",
	http.StatusUnsupportedMediaType: "The server does not support the media type transmitted in the request.",
	http.StatusInternalServerError:  "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
}

// writeWerkzeug answers status as a Werkzeug (Flask) service does: its
// HTML error page and, when the connection can be taken over, the status
// line with an upper-case reason phrase ("403 FORBIDDEN"), as recorded
// for FotoWeb's rendition service. The connection is closed afterwards.
func writeWerkzeug(w http.ResponseWriter, status int) {
	name := http.StatusText(status)
	body := "<!doctype html>\n<html lang=en>\n<title>" + strconv.Itoa(status) + " " + name + "</title>\n<h1>" + name +
		"</h1>\n<p>" + werkzeugDescriptions[status] + "</p>\n"
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Cache-Control")
	if rec, ok := w.(*statusRecorder); ok && rec.status == 0 {
		rec.status = status
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil { // HTTP/2 or a recorder: the standard reason phrase
		w.WriteHeader(status)
		io.WriteString(w, body)
		return
	}
	defer conn.Close()
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Connection", "close")
	buf.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + strings.ToUpper(name) + "\r\n")
	h.Write(buf)
	buf.WriteString("\r\n" + body)
	buf.Flush()
}

// writeJSON encodes v and writes it.
func writeJSON(w http.ResponseWriter, status int, ctype string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "fotowebtest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, ctype, body)
}

// errorMessage is FotoWeb's ErrorMessage schema.
type errorMessage struct {
	Message string `json:"message"`
	Href    string `json:"href"`
}

// writeError writes an ErrorMessage body with status.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, status, mtJSON+"; charset=utf-8", errorMessage{Message: msg, Href: r.URL.EscapedPath()})
}

// methodNotAllowed answers 405 with an Allow header.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed: The requested method is not allowed")
}

// mediaType returns the request's Content-Type without parameters.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// uriComponent percent-encodes s like JavaScript's encodeURIComponent,
// which is how FotoWeb writes search expressions into its links.
func uriComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
