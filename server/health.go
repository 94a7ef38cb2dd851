package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/urltoken"
)

// Readiness probes: the API descriptor of the token's user, or the
// public descriptor for guest access.
const (
	readyProbePath      = "/fotoweb/me"
	readyGuestProbePath = "/fotoweb/"
)

// healthz answers 200 while the process is up.
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers whether this replica can serve, with per-check detail:
// 503 when a check fails, 200 otherwise. FotoWeb not answering its probe
// and no token to be had are "degraded", not "fail" (unless
// Config.ReadyStrict): every replica shares FotoWeb and its login, so
// failing readiness for them would take every replica out of the load
// balancer at once while cached assets could still be served, turning a
// partial outage into a full one. The result is reused for
// Config.ReadyInterval.
func (s *Server) readyz(c echo.Context) error {
	r := s.ready.get(c.Request().Context())
	r.Login = s.loginState() // live: cheap, and it changes between checks
	status := http.StatusOK
	if r.Status != statusOK {
		status = http.StatusServiceUnavailable
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, r)
}

// Statuses of a readiness check and of ReadyResult.
const (
	statusOK       = "ok"
	statusDegraded = "degraded"
	statusFail     = "fail"
)

// msgLoginRequired is the token check's error when the stored login is
// gone for good (tokens.ErrLoginRequired): only a new login cures it.
const msgLoginRequired = "login required: run `fotoembed login`"

// ReadyResult is the /readyz answer.
type ReadyResult struct {
	// Status is "ok" when every check passed or is only "degraded" (the
	// answer is 200), else "fail" (503).
	Status string `json:"status"`
	// Checks are the results by name: "token" (a token can be had; "ok"
	// for guest access) and "fotoweb" (FotoWeb answers its probe), which
	// are "degraded" when they fail, or "fail" under Config.ReadyStrict;
	// "store" when the resolver's store is shared between replicas
	// (Redis), "degraded" when it fails; and "url_token" when a URL token
	// policy is configured (it fails in redirect delivery when no policy
	// works).
	Checks map[string]CheckResult `json:"checks"`
	// Checked is when the checks ran.
	Checked time.Time `json:"checked"`
	// URLToken is the URL token policy in force for FotoWeb URLs handed
	// to browsers, why, and when it was last checked.
	URLToken *urltoken.State `json:"url_token,omitempty"`
	// Login is the state of the user login the service acts as (--auth
	// user only): whether FotoWeb still accepts it, and whether a standby
	// login is there to fall back on.
	Login *LoginState `json:"login,omitempty"`
}

// LoginState is ReadyResult.Login.
type LoginState struct {
	// LoggedIn is false once FotoWeb rejected every stored refresh token.
	LoggedIn bool `json:"logged_in"`
	// Standby reports whether a standby login is kept (see `fotoembed
	// login`): without one, losing the refresh token in use while FotoWeb
	// rotates it logs the service out.
	Standby bool `json:"standby"`
	// Warning says what to do, when something is to be done.
	Warning string `json:"warning,omitempty"`
}

// loginReporter is implemented by a token source that keeps a user's
// login (*tokens.Source).
type loginReporter interface {
	Login() tokens.LoginStatus
}

// loginState is the state of the token source's user login; nil when
// the source keeps none.
func (s *Server) loginState() *LoginState {
	lr, ok := s.cfg.Tokens.(loginReporter)
	if !ok {
		return nil
	}
	st := lr.Login()
	if st.Kind != tokens.KindUserRefresh {
		return nil
	}
	ls := &LoginState{LoggedIn: st.LoggedIn, Standby: st.Standby}
	switch {
	case !st.LoggedIn:
		ls.Warning = msgLoginRequired
	case !st.Standby:
		ls.Warning = "no standby login: losing the refresh token in use would log the service out; run `fotoembed login` to have one"
	}
	return ls
}

// CheckResult is one readiness check's outcome.
type CheckResult struct {
	// Status is "ok", "degraded" (failing, but this replica can still
	// serve: readiness does not fail) or "fail".
	Status string `json:"status"`
	// Error says briefly why the check failed, without internal detail;
	// "login required: run `fotoembed login`" when the token check failed
	// because the stored login is no longer valid.
	Error string `json:"error,omitempty"`
}

// readiness runs the checks at most once per interval; concurrent
// callers (/readyz and metric scrapes) share one run.
type readiness struct {
	s    *Server
	mu   sync.Mutex
	last ReadyResult
	at   time.Time
}

// newReadiness returns the readiness of s and exports its checks as
// gauges in s's metrics.
func newReadiness(s *Server) *readiness {
	r := &readiness{s: s}
	s.metrics.watchReadiness(r)
	return r
}

// get returns the cached result, or runs the checks when it is older
// than the interval.
func (r *readiness) get(ctx context.Context) ReadyResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.s.cfg.Now()
	if age := now.Sub(r.at); !r.at.IsZero() && age >= 0 && age < r.s.cfg.ReadyInterval {
		return r.last
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.s.cfg.ReadyTimeout)
	defer cancel()
	res := ReadyResult{Status: statusOK, Checks: map[string]CheckResult{}, Checked: now.UTC()}
	tokErr := r.checkToken(ctx)
	res.Checks["token"] = r.upstream("token", tokErr, tokenMessage)
	res.Checks["fotoweb"] = r.upstream("fotoweb", r.checkFotoWeb(ctx, tokErr == nil), checkMessage)
	if res.Checks["token"].Status == statusFail || res.Checks["fotoweb"].Status == statusFail {
		res.Status = statusFail
	}
	if st, ok := r.s.res.Store().(storeChecker); ok {
		res.Checks["store"] = checkStore(ctx, st)
	}
	if r.s.cfg.URLTokens != nil {
		cr, st := r.s.checkURLToken()
		res.Checks["url_token"], res.URLToken = cr, st
		if cr.Status == statusFail {
			res.Status = statusFail
		}
	}
	r.last, r.at = res, now
	return res
}

// upstream is the result of the check name of a dependency every replica
// shares (FotoWeb, its token endpoint, the login): a failure is
// "degraded", or "fail" under Config.ReadyStrict; msg says why.
func (r *readiness) upstream(name string, err error, msg func(error) string) CheckResult {
	if err == nil {
		return CheckResult{Status: statusOK}
	}
	status := statusDegraded
	if r.s.cfg.ReadyStrict {
		status = statusFail
	}
	r.s.log.Warn("readiness check failed", "check", name, "status", status, "err", r.s.redact(err.Error()))
	return CheckResult{Status: status, Error: msg(err)}
}

// storeChecker is implemented by a resolver store shared between
// replicas (*redisstore.Store).
type storeChecker interface {
	Check(ctx context.Context) error
}

// checkStore checks a shared store. A failure is "degraded", not "fail":
// while the shared store is down each replica serves from its near cache
// and FotoWeb, so it must stay in the load balancer. The store logs its
// own failures (rate-limited).
func checkStore(ctx context.Context, st storeChecker) CheckResult {
	if err := st.Check(ctx); err != nil {
		return CheckResult{Status: statusDegraded, Error: "shared store unreachable"}
	}
	return CheckResult{Status: statusOK}
}

// checkToken gets a token from the token source (none needed for guest
// access). A cached token that is still valid passes, whether or not the
// token endpoint answers.
func (r *readiness) checkToken(ctx context.Context) error {
	ts := r.s.cfg.Tokens
	if ts == nil {
		return nil
	}
	tok, err := tokenContext(ctx, ts)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("empty token")
	}
	return err
}

// urlTrier fetches a URL on the origin without the service's token
// (*fotoweb.Client).
type urlTrier interface {
	TryURL(ctx context.Context, href, token string) (int, error)
}

// errNoTokenToProbe: no token to be had, and no way to probe FotoWeb
// without one.
var errNoTokenToProbe = errors.New("FotoWeb not probed: no token")

// checkFotoWeb asks FotoWeb for the API descriptor: the token user's
// with a token (haveToken: the token check passed), else the public one
// without a token, so that FotoWeb's own health is told apart from the
// token's: any answer but 408 or 5xx means FotoWeb is up.
func (r *readiness) checkFotoWeb(ctx context.Context, haveToken bool) error {
	if r.s.cfg.Tokens != nil && !haveToken {
		t, ok := r.s.cfg.FotoWeb.(urlTrier)
		if !ok {
			return errNoTokenToProbe
		}
		status, err := t.TryURL(ctx, readyGuestProbePath, "")
		if err == nil && (status == http.StatusRequestTimeout || status >= 500) {
			err = &fotoweb.Error{Method: http.MethodGet, Path: readyGuestProbePath, Status: status}
		}
		return err
	}
	probe := readyProbePath
	if r.s.cfg.Tokens == nil {
		probe = readyGuestProbePath
	}
	b, err := r.s.cfg.FotoWeb.Open(ctx, probe, "", nil)
	if err != nil {
		return err
	}
	return b.Close()
}

// tokenContext calls ts.Token, giving up when ctx ends.
func tokenContext(ctx context.Context, ts oauth2.TokenSource) (*oauth2.Token, error) {
	if tc, ok := ts.(interface {
		TokenContext(context.Context) (*oauth2.Token, error)
	}); ok {
		return tc.TokenContext(ctx)
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		t, err := ts.Token()
		ch <- result{t, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// checkMessage describes a failed FotoWeb check without internal detail.
func checkMessage(err error) string {
	var fe *fotoweb.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &fe):
		return "FotoWeb answered " + http.StatusText(fe.Status)
	case errors.Is(err, fotoweb.ErrUnavailable):
		return "FotoWeb unreachable"
	case errors.Is(err, errNoTokenToProbe):
		return "not probed: no token"
	}
	return "failed"
}

// tokenMessage describes a failed token check without internal detail:
// a login gone for good (msgLoginRequired), the token endpoint's answer
// (its status, or an RFC 6749 error code), or no answer.
func tokenMessage(err error) string {
	var te *tokens.Error
	switch {
	case errors.Is(err, tokens.ErrLoginRequired):
		return msgLoginRequired
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case !errors.As(err, &te):
		return "no token"
	case oauthErrorCodes[te.Code]:
		return "token endpoint answered " + te.Code
	case te.Status != 0:
		return "token endpoint answered " + http.StatusText(te.Status)
	}
	return "token endpoint unreachable"
}

// oauthErrorCodes are the error codes of RFC 6749 section 5.2, the only
// ones tokenMessage repeats (the endpoint may send any text).
var oauthErrorCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "server_error": true, "temporarily_unavailable": true,
}

// readyCollector exports the token and FotoWeb checks as gauges. A
// scrape reads the readiness result, running the checks when it is older
// than Config.ReadyInterval, so the gauges never go stale when nothing
// calls /readyz, and scrapes and /readyz together probe FotoWeb at most
// once per interval.
type readyCollector struct {
	r                                      *readiness
	fotowebUp, tokenOK, loginGone, standby *prometheus.Desc
}

// watchReadiness exports r's checks (readyCollector). Only the first
// readiness given to one Metrics is exported.
func (m *Metrics) watchReadiness(r *readiness) {
	m.readyOnce.Do(func() {
		m.reg.MustRegister(&readyCollector{r: r,
			fotowebUp: prometheus.NewDesc("fotoembed_fotoweb_up",
				"1 when FotoWeb answered the readiness probe, else 0 (as /readyz last saw it; a scrape runs the checks when that is older than the ready interval).", nil, nil),
			tokenOK: prometheus.NewDesc("fotoembed_token_ok",
				"1 when a FotoWeb token could be had (or none is needed), else 0 (as fotoembed_fotoweb_up).", nil, nil),
			loginGone: prometheus.NewDesc("fotoembed_token_login_required",
				"1 when the stored login is no longer valid and only a new `fotoembed login` cures it, else 0 (as fotoembed_fotoweb_up).", nil, nil),
			standby: prometheus.NewDesc("fotoembed_token_standby",
				"With --auth user: 1 when a standby login is kept to fall back on, 0 when not (run `fotoembed login` to have one).", nil, nil),
		})
	})
}

// Describe implements prometheus.Collector.
func (c *readyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.fotowebUp
	ch <- c.tokenOK
	ch <- c.loginGone
	ch <- c.standby
}

// Collect implements prometheus.Collector.
func (c *readyCollector) Collect(ch chan<- prometheus.Metric) {
	res := c.r.get(context.Background())
	res.Login = c.r.s.loginState()
	gauge := func(d *prometheus.Desc, on bool) {
		v := 0.0
		if on {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	tok := res.Checks["token"]
	gauge(c.fotowebUp, res.Checks["fotoweb"].Status == statusOK)
	gauge(c.tokenOK, tok.Status == statusOK)
	if res.Login != nil {
		gauge(c.loginGone, !res.Login.LoggedIn)
		gauge(c.standby, res.Login.Standby)
	} else {
		gauge(c.loginGone, tok.Error == msgLoginRequired)
	}
}
