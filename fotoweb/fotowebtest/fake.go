package fotowebtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"
)

// varyHeader is the Vary header real FotoWeb API responses carry.
const varyHeader = "Authorization,FWAPIToken,Cookie,Accept,Accept-Encoding,User-Agent"

// Fake is a FotoWeb server: an http.Handler with seed data, OAuth 2.0,
// faults and request counters. It is safe for concurrent use.
type Fake struct {
	opts Options
	wire wireForms // effective wire forms (flavour.go)
	key  []byte    // HMAC key for tokens, data URLs and preview signatures

	base atomic.Pointer[string]

	store    // archives and assets (store.go)
	auth     authState
	faults   faultSet
	counts   counters
	images   *imageCache // sharedImages but in tests of the cache
	tasks    taskStore
	exports  exportStore
	reqSeq   atomic.Uint64
	deny     atomic.Bool // authorize answers access_denied
	tokenOff atomic.Bool // token endpoint answers 503
	// hold, when set, holds the next refresh grant's answer after the
	// rotation; see HoldNextRefresh.
	hold    atomic.Pointer[refreshHold]
	preview atomic.Int32 // PreviewAuthMode (SetPreviewAuth)
	login   *principal   // who the authorize endpoint approves (Options.LoginUser)
}

// New returns a fake FotoWeb handler with the seed data. The caller
// serves it; SetBaseURL must be called before absolute URLs (rendition
// Location headers, webhook hrefs, export URLs, token issuers) are
// correct.
func New(opts Options) *Fake {
	opts = withDefaults(opts)
	f := &Fake{opts: opts, wire: resolveWire(opts), key: []byte("fotowebtest fixed signing key: deterministic on purpose")}
	if f.login = loginPrincipal(opts.LoginUser); f.login == nil {
		panic("fotowebtest: unknown Options.LoginUser " + opts.LoginUser)
	}
	f.checkPreviewAuth(opts.PreviewAuth)
	f.preview.Store(int32(opts.PreviewAuth))
	empty := ""
	f.base.Store(&empty)
	f.auth.init()
	f.faults.init()
	f.counts.init()
	f.images = sharedImages
	f.tasks.init()
	f.exports.init()
	f.store.init(opts.ExtraAssets)
	return f
}

func withDefaults(o Options) Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.AccessTokenLifetime, 8*time.Hour)
	def(&o.RefreshTokenLifetime, 30*24*time.Hour)
	def(&o.RenditionTTL, 10*time.Minute)
	def(&o.AuthCodeLifetime, time.Minute)
	if o.RotateRefreshTokens == nil {
		t := true
		o.RotateRefreshTokens = &t
	}
	switch {
	case o.RenditionPending == 0:
		o.RenditionPending = 1
	case o.RenditionPending < 0:
		o.RenditionPending = 0
	}
	if o.PageSize <= 0 {
		o.PageSize = 25
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.InvalidClientStatus == 0 {
		o.InvalidClientStatus = http.StatusBadRequest
	}
	if o.QueryTokenRejected == nil {
		o.QueryTokenRejected = []string{"/fotoweb/editors/"}
	}
	if o.HiddenStatus == 0 {
		o.HiddenStatus = http.StatusNotFound
	}
	if o.SearchCap <= 0 {
		o.SearchCap = 10000
	}
	if o.RenditionRequestStatus == 0 {
		o.RenditionRequestStatus = http.StatusAccepted
	}
	if o.WebhookDeleteOperation == "" {
		o.WebhookDeleteOperation = "delete"
	}
	if o.LoginUser == "" {
		o.LoginUser = User
	}
	return o
}

// NewServer starts a fake on a loopback port. Close it when done
// (t.Cleanup(s.Close)).
func NewServer(opts Options) *Server {
	f := New(opts)
	s := httptest.NewServer(f)
	f.SetBaseURL(s.URL)
	return &Server{Fake: f, Server: s}
}

// SetBaseURL sets the origin the fake uses for absolute URLs.
func (f *Fake) SetBaseURL(u string) {
	u = strings.TrimRight(u, "/")
	f.base.Store(&u)
}

// BaseURL returns the origin set with SetBaseURL ("" before).
func (f *Fake) BaseURL() string { return *f.base.Load() }

func (f *Fake) now() time.Time { return f.opts.Now() }

func (f *Fake) logf(format string, args ...any) {
	if f.opts.Logf != nil {
		f.opts.Logf(format, args...)
	}
}

// requestID returns a 22-character id like FotoWeb's X-RequestId.
func (f *Fake) requestID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], f.reqSeq.Add(1))
	sum := sha256.Sum256(append(b[:], f.key...))
	return base64.RawURLEncoding.EncodeToString(sum[:16])[:22]
}

// serverHeader is the FotoWeb-Server header: the version the SaaS
// recordings carry, or an 8.0 version for the on-premises flavour (its
// recording has no headers; the value is assumed).
func (f *Fake) serverHeader() string {
	if f.Flavour() == FlavourOnPrem80 {
		return "Product-Version=8.0.0.0; Level=Invalid;"
	}
	return "Product-Version=8.2.1412.0; Level=Invalid;"
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.counts.inflight.Add(1)
	defer f.counts.inflight.Add(-1)
	f.counts.hit(r.URL.Path)
	h := w.Header()
	h.Set("Vary", varyHeader)
	h.Set("X-RequestId", f.requestID())
	h.Set("X-Powered-By", "FotoWare (https://www.fotoware.com/)")
	h.Set("FotoWeb-Server", f.serverHeader())
	if f.applyFault(w, r) {
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	f.route(rec, r)
	f.logf("fotowebtest: %s %s -> %d", r.Method, r.URL.Path, rec.code())
}

func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/fotoweb/oauth2/token":
		f.handleToken(w, r)
	case p == "/fotoweb/oauth2/authorize":
		f.handleAuthorize(w, r)
	case p == "/fotoweb/" || p == "/fotoweb":
		f.handlePublicDescriptor(w, r)
	case p == "/fotoweb/me" || p == "/fotoweb/me/":
		f.handleFullDescriptor(w, r)
	case p == "/fotoweb/me/archives/" || p == "/fotoweb/archives/" ||
		p == "/fotoweb/me/archives" || p == "/fotoweb/archives":
		f.handleArchiveList(w, r)
	case strings.HasPrefix(p, "/fotoweb/archives/"):
		f.handleArchivePath(w, r, strings.TrimPrefix(p, "/fotoweb/archives/"))
	case strings.HasPrefix(p, "/fotoweb/data/a/"):
		f.handleDataURL(w, r, strings.TrimPrefix(p, "/fotoweb/data/a/"))
	case strings.HasPrefix(p, "/fotoweb/cache/"):
		f.handlePreview(w, r, strings.TrimPrefix(p, "/fotoweb/cache/"))
	case p == "/fotoweb/services/renditions":
		f.handleRenditionRequest(w, r)
	case strings.HasPrefix(p, "/fotoweb/me/presets/"):
		f.handlePresets(w, r, strings.TrimPrefix(p, "/fotoweb/me/presets/"))
	case strings.HasPrefix(p, "/fotoweb/me/background-tasks/"):
		f.handleTask(w, r, strings.TrimPrefix(p, "/fotoweb/me/background-tasks/"))
	case strings.HasPrefix(p, "/fotoweb/editors/"):
		f.handleEditor(w, r)
	case strings.HasPrefix(p, "/fotoweb/embed/"):
		f.handleEmbed(w, r, strings.TrimPrefix(p, "/fotoweb/embed/"))
	default:
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
	}
}

// statusRecorder remembers the status code for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
