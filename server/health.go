package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
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

// readyz answers 200 when a token can be had and FotoWeb answers, 503
// otherwise, with per-check detail. The result is reused for
// Config.ReadyInterval.
func (s *Server) readyz(c echo.Context) error {
	r := s.ready.get(c.Request().Context())
	status := http.StatusOK
	if r.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, r)
}

// ReadyResult is the /readyz answer.
type ReadyResult struct {
	// Status is "ok" when every check passed (or is only "degraded"),
	// else "fail".
	Status string `json:"status"`
	// Checks are the results by name: "token" and "fotoweb", "store"
	// when the resolver's store is shared between replicas (Redis), and
	// "url_token" when a URL token policy is configured (it fails in
	// redirect delivery when no policy works).
	Checks map[string]CheckResult `json:"checks"`
	// Checked is when the checks ran.
	Checked time.Time `json:"checked"`
	// URLToken is the URL token policy in force for FotoWeb URLs handed
	// to browsers, why, and when it was last checked.
	URLToken *urltoken.State `json:"url_token,omitempty"`
}

// CheckResult is one readiness check's outcome.
type CheckResult struct {
	// Status is "ok" or "fail"; "degraded" for a shared store that
	// fails, which does not fail readiness.
	Status string `json:"status"`
	// Error says briefly why the check failed, without internal detail.
	Error string `json:"error,omitempty"`
}

// readiness runs the checks at most once per interval; concurrent
// callers share one run.
type readiness struct {
	s    *Server
	mu   sync.Mutex
	last ReadyResult
	at   time.Time
}

func newReadiness(s *Server) *readiness { return &readiness{s: s} }

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
	res := ReadyResult{Status: "ok", Checks: map[string]CheckResult{}, Checked: now.UTC()}
	for name, check := range map[string]func(context.Context) error{
		"token":   r.checkToken,
		"fotoweb": r.checkFotoWeb,
	} {
		cr := CheckResult{Status: "ok"}
		if err := check(ctx); err != nil {
			cr = CheckResult{Status: "fail", Error: checkMessage(err)}
			res.Status = "fail"
			r.s.log.Warn("readiness check failed", "check", name, "err", r.s.redact(err.Error()))
		}
		res.Checks[name] = cr
	}
	if st, ok := r.s.res.Store().(storeChecker); ok {
		res.Checks["store"] = checkStore(ctx, st)
	}
	if r.s.cfg.URLTokens != nil {
		cr, st := r.s.checkURLToken()
		res.Checks["url_token"], res.URLToken = cr, st
		if cr.Status == "fail" {
			res.Status = "fail"
		}
	}
	r.last, r.at = res, now
	return res
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
		return CheckResult{Status: "degraded", Error: "shared store unreachable"}
	}
	return CheckResult{Status: "ok"}
}

// checkToken gets a token from the token source (none needed for guest
// access).
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

// checkFotoWeb asks FotoWeb for the API descriptor.
func (r *readiness) checkFotoWeb(ctx context.Context) error {
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

// checkMessage describes a failed check without internal detail.
func checkMessage(err error) string {
	var fe *fotoweb.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &fe):
		return "FotoWeb answered " + http.StatusText(fe.Status)
	case errors.Is(err, fotoweb.ErrUnavailable):
		return "FotoWeb unreachable"
	}
	return "failed"
}
