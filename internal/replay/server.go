package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Server answers as the recorded FotoWeb did, on 127.0.0.1: every
// recording that Rules places at a request, with the status, content type
// and headers of its meta (Date and Content-Length are the server's own,
// and RecordedOrigin in a header becomes the server's origin), and the
// derived answers Rules describes. A request with no answer gets 404 and
// is logged as unanswered.
//
// Every request but the token request must carry the recorded access
// token ("Authorization: Bearer accessToken"), else 401, and must accept
// the answer's media type, else 406, as FotoWeb does.
type Server struct {
	*httptest.Server
	set    *Set
	token  string
	routes []*route

	mu  sync.Mutex
	log []Request
}

// Request is one request the server received and how it was answered.
type Request struct {
	Method string
	Path   string // decoded
	Query  string // the q parameter, decoded
	Accept string
	Body   []byte
	Status int
	// From names the answer: a recording, "NAME (WHERE)" for an asset
	// taken from a recording, "synthesised: ..." for the rest, "" for
	// none (404).
	From string
}

// route is one answer.
type route struct {
	from         string
	method, path string // path decoded
	query        string
	status       int
	header       http.Header
	body         []byte
	mediaType    string
	pending      int
	polls        int // guarded by Server.mu
}

// Placeholder returns n bytes standing for a recorded file that was not
// kept.
func Placeholder(n int) []byte {
	const text = "replay: placeholder bytes; the recorded file was not kept. "
	return bytes.Repeat([]byte(text), n/len(text)+1)[:n]
}

// NewServer starts a server answering with the recordings of s. Close it
// when done.
func NewServer(s *Set) (*Server, error) {
	srv := &Server{set: s}
	srv.Server = httptest.NewUnstartedServer(http.HandlerFunc(srv.serve))
	origin := "http://" + srv.Listener.Addr().String()
	if err := srv.build(origin); err != nil {
		srv.Listener.Close()
		return nil, err
	}
	srv.Start()
	return srv, nil
}

// build makes the routes; origin is the server's.
func (srv *Server) build(origin string) error {
	for _, r := range srv.set.List {
		rule, ok := Rules[r.Name]
		if !ok || rule.Method == "" {
			continue
		}
		path, err := url.PathUnescape(rule.Path)
		if err != nil {
			return fmt.Errorf("replay: rule for %s: %w", r.Name, err)
		}
		rt := &route{from: r.Name, method: rule.Method, path: path, query: rule.Query, status: http.StatusOK,
			header: http.Header{}, body: r.Body, pending: rule.Pending}
		if rule.Placeholder > 0 {
			rt.body = Placeholder(rule.Placeholder)
		}
		ct := rule.ContentType
		if m := r.Meta; m != nil {
			if m.Status != 0 {
				rt.status = m.Status
			}
			for k, v := range m.Headers {
				if v != nil && !strings.EqualFold(k, "Date") && !strings.EqualFold(k, "Content-Length") {
					rt.header.Set(k, strings.ReplaceAll(*v, RecordedOrigin, origin))
				}
			}
			if ct = rt.header.Get("Content-Type"); ct == "" {
				ct = m.ContentType
			}
		}
		rt.header.Set("Content-Type", ct)
		rt.mediaType = mediaType(ct)
		srv.routes = append(srv.routes, rt)
		if r.Name == "enonic/token" || strings.HasSuffix(rule.Path, "/oauth2/token") {
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(r.Body, &tok); err != nil || tok.AccessToken == "" {
				return fmt.Errorf("replay: %s holds no access_token", r.Name)
			}
			srv.token = tok.AccessToken
		}
	}
	for _, a := range srv.set.Assets() {
		path, err := url.PathUnescape(a.Href)
		if err != nil || srv.route(http.MethodGet, path, "") != nil {
			continue
		}
		srv.add(a.From+" ("+orWhole(a.Where)+")", path, "", "application/vnd.fotoware.asset+json; charset=utf-8", a.Raw)
	}
	for _, r := range srv.set.List {
		if rule := Rules[r.Name]; rule.Method != http.MethodGet || r.MediaType() != "application/vnd.fotoware.collectionlist+json" {
			continue
		}
		for _, e := range listEntries(r.Body) {
			u, err := url.Parse(e.url)
			if err != nil || srv.route(http.MethodGet, u.Path, u.Query().Get("q")) != nil {
				continue
			}
			srv.add("synthesised: an empty asset list for a search of "+r.Name+" with no recording of its "+
				strconv.Itoa(e.count)+" hits", u.Path, u.Query().Get("q"),
				"application/vnd.fotoware.assetlist+json; charset=utf-8", []byte(`{"data": [], "paging": null}`))
		}
	}
	return nil
}

func orWhole(where string) string {
	if where == "" {
		return "the whole body"
	}
	return where
}

// add adds a derived GET answer.
func (srv *Server) add(from, path, query, ct string, body []byte) {
	h := http.Header{}
	h.Set("Content-Type", ct)
	srv.routes = append(srv.routes, &route{from: from, method: http.MethodGet, path: path, query: query,
		status: http.StatusOK, header: h, body: body, mediaType: mediaType(ct)})
}

// route returns the answer to method path?q=query, or nil.
func (srv *Server) route(method, path, query string) *route {
	for _, rt := range srv.routes {
		if rt.method == method && samePath(path, rt.path) && rt.query == query {
			return rt
		}
	}
	return nil
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// serve answers one request.
func (srv *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query().Get("q"), Accept: r.Header.Get("Accept"), Body: body}
	rt := srv.route(r.Method, r.URL.Path, req.Query)
	if rt != nil {
		req.From = rt.from
	}
	// The request is logged when its status is written, before any byte
	// of the answer reaches the client: a test that reads the log right
	// after its request returned must find it there.
	lw := &loggingWriter{ResponseWriter: w, logged: func(status int) {
		req.Status = status
		srv.mu.Lock()
		srv.log = append(srv.log, req)
		srv.mu.Unlock()
	}}
	status := srv.answer(lw, r, rt)
	lw.log(status)
}

// loggingWriter calls logged once, with the status, when the status is
// written (or by log, if the handler wrote none).
type loggingWriter struct {
	http.ResponseWriter
	logged func(status int)
	done   bool
}

func (w *loggingWriter) log(status int) {
	if !w.done {
		w.done = true
		w.logged(status)
	}
}

// WriteHeader logs the request, then writes the status.
func (w *loggingWriter) WriteHeader(status int) {
	w.log(status)
	w.ResponseWriter.WriteHeader(status)
}

// Write logs the request as 200 if no status was written, then writes.
func (w *loggingWriter) Write(b []byte) (int, error) {
	w.log(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// answer writes rt's answer (or an error) and returns the status.
func (srv *Server) answer(w http.ResponseWriter, r *http.Request, rt *route) int {
	isToken := rt != nil && strings.HasSuffix(rt.path, "/oauth2/token")
	switch {
	case rt == nil:
		return text(w, http.StatusNotFound, "replay: no recording answers "+r.Method+" "+r.URL.RequestURI())
	case !isToken && srv.token != "" && !bearer(r.Header.Get("Authorization"), srv.token):
		return text(w, http.StatusUnauthorized, "401 Unauthorized: You are not authorized to access this resource")
	case !accepts(r.Header.Get("Accept"), rt.mediaType):
		return text(w, http.StatusNotAcceptable, "NotAcceptable: The requested representation is not available")
	}
	srv.mu.Lock()
	pending := rt.polls < rt.pending
	rt.polls++
	srv.mu.Unlock()
	if pending { // synthesised: the task is not done yet
		w.WriteHeader(http.StatusAccepted)
		return http.StatusAccepted
	}
	for k, v := range rt.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rt.body)))
	w.WriteHeader(rt.status)
	w.Write(rt.body)
	return rt.status
}

func text(w http.ResponseWriter, status int, msg string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg)
	return status
}

// bearer reports whether an Authorization header carries tok.
func bearer(h, tok string) bool {
	scheme, t, ok := strings.Cut(h, " ")
	return ok && strings.EqualFold(scheme, "bearer") && t == tok
}

// accepts reports whether an Accept header allows media type mt.
func accepts(accept, mt string) bool {
	if strings.TrimSpace(accept) == "" || mt == "" {
		return true
	}
	for _, a := range strings.Split(accept, ",") {
		a = mediaType(a)
		switch {
		case a == mt, a == "*/*", a == "application/*",
			a == "application/json" && strings.HasSuffix(mt, "+json"):
			return true
		}
	}
	return false
}

// Requests returns the requests received so far, in order.
func (srv *Server) Requests() []Request {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]Request(nil), srv.log...)
}

// Count returns how many requests for path (escaped or not, a trailing
// "/" aside) were answered from a recording or derived answer.
func (srv *Server) Count(path string) int {
	p, err := url.PathUnescape(path)
	if err != nil {
		p = path
	}
	n := 0
	for _, r := range srv.Requests() {
		if samePath(r.Path, p) && r.From != "" {
			n++
		}
	}
	return n
}

// Token returns the recorded access token the server requires.
func (srv *Server) Token() string { return srv.token }
