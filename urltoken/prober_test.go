package urltoken_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
	"github.com/fotoembed/fotoembed/urltoken"
)

// TestProberNarrowest: for each rule a FotoWeb instance may enforce on
// preview URLs, auto picks the narrowest form that the fake serves.
func TestProberNarrowest(t *testing.T) {
	tests := []struct {
		rule fotowebtest.PreviewAuthMode
		want embed.URLToken
	}{
		{fotowebtest.PreviewAuthNone, embed.URLTokenNone},
		{fotowebtest.PreviewAuthPreviewToken, embed.URLTokenPreview},
		{fotowebtest.PreviewAuthAny, embed.URLTokenPreview},
		{fotowebtest.PreviewAuthAccessToken, embed.URLTokenAccess},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			e := newEnv(t, tt.rule, viewer)
			p := e.prober(t, urltoken.Config{})
			st := p.Probe(context.Background())
			if st.Policy != tt.want || p.URLToken() != tt.want {
				t.Fatalf("rule %d: policy %v (%s), want %v", tt.rule, st.Policy, st.Reason, tt.want)
			}
			if st.Checked.IsZero() || st.Sample == "" || st.Reason == "" {
				t.Errorf("state lacks detail: %+v", st)
			}
			if strings.Contains(st.Reason, e.fake.ReadOnlyUserToken()) || strings.Contains(st.Sample, "access_token") {
				t.Errorf("state shows a token: %+v", st)
			}
		})
	}
}

// TestProberFollowsRule: when the instance's rule changes, the next probe
// changes the policy, both ways.
func TestProberFollowsRule(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthAny, viewer)
	var changes []embed.URLToken
	p := e.prober(t, urltoken.Config{OnChange: func(s urltoken.State) { changes = append(changes, s.Policy) }})
	ctx := context.Background()
	steps := []struct {
		rule fotowebtest.PreviewAuthMode
		want embed.URLToken
	}{
		{fotowebtest.PreviewAuthAny, embed.URLTokenPreview},
		{fotowebtest.PreviewAuthNone, embed.URLTokenNone},
		{fotowebtest.PreviewAuthAccessToken, embed.URLTokenAccess},
		{fotowebtest.PreviewAuthPreviewToken, embed.URLTokenPreview},
	}
	for _, s := range steps {
		e.fake.SetPreviewAuth(s.rule)
		if got := p.Probe(ctx).Policy; got != s.want {
			t.Fatalf("rule %d: policy %v, want %v", s.rule, got, s.want)
		}
	}
	if len(changes) != len(steps) {
		t.Errorf("OnChange called %d times, want %d", len(changes), len(steps))
	}
}

// TestProberRefusedAccess: when only the access token works and the
// read-only check refuses it, no policy is in force and the state says so.
func TestProberRefusedAccess(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthAccessToken, editor)
	p := e.prober(t, urltoken.Config{AllowAccess: func(ctx context.Context) error {
		return urltoken.CheckReadOnly(ctx, e.client)
	}})
	st := p.Probe(context.Background())
	if st.Policy != embed.URLTokenUnknown || !st.AccessRefused || !strings.Contains(st.Reason, "not read-only") {
		t.Fatalf("state %+v, want unknown and refused", st)
	}
	emb, err := embed.New(embed.Config{Signer: nil, Links: embed.LinkDirect, Origin: e.fake.URL, Tokens: e.tokens, URLTokens: p})
	if err != nil {
		t.Fatal(err)
	}
	in := &embed.Info{Href: fotowebtest.LandscapeAsset, Width: 10, Height: 10,
		Previews: []embed.Preview{{Size: 10, Width: 10, Height: 10, Href: "/fotoweb/cache/v2/x.jpg"}}}
	if _, err := emb.RedirectURL(context.Background(), in, urlsig.Options{}); !errors.Is(err, embed.ErrNoPolicy) {
		t.Errorf("RedirectURL with no policy: %v, want ErrNoPolicy", err)
	}
}

// TestProberKeepsPolicyWhenFotoWebFails: a probe that cannot tell keeps
// the policy in force and says why.
func TestProberKeepsPolicyWhenFotoWebFails(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthNone, viewer)
	p := e.prober(t, urltoken.Config{})
	ctx := context.Background()
	if got := p.Probe(ctx).Policy; got != embed.URLTokenNone {
		t.Fatalf("first probe: %v", got)
	}
	e.fake.SetFault("/fotoweb/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	st := p.Probe(ctx)
	if st.Policy != embed.URLTokenNone || !strings.Contains(st.Reason, "could not tell") {
		t.Fatalf("while FotoWeb fails: %+v", st)
	}
	e.fake.ClearFaults()
	if st := p.Probe(ctx); strings.Contains(st.Reason, "could not tell") {
		t.Errorf("after recovery the reason still says the probe failed: %q", st.Reason)
	}
}

// TestProberInitial: before any probe has answered, the initial policy
// (preview by default) is in force, and says it was not probed.
func TestProberInitial(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthNone, viewer)
	p := e.prober(t, urltoken.Config{})
	if st := p.State(); st.Policy != embed.URLTokenPreview || !st.Checked.IsZero() || !strings.Contains(st.Reason, "not probed") {
		t.Fatalf("initial state %+v", st)
	}
}

// TestRunRechecks: Run probes on its own, and again when Recheck is
// called after FotoWeb refused a server-side fetch (through the
// RecheckTransport), without waiting for the hourly schedule.
func TestRunRechecks(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthNone, viewer)
	p := e.prober(t, urltoken.Config{Interval: time.Hour, MinRecheck: time.Nanosecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testutil.WaitFor(t, 10*time.Second, "the first probe", func() bool { return p.URLToken() == embed.URLTokenNone })

	e.fake.SetPreviewAuth(fotowebtest.PreviewAuthPreviewToken)
	rt := urltoken.RecheckTransport(nil, p.Recheck)
	req, _ := http.NewRequest(http.MethodGet, e.fake.URL+"/fotoweb/me", nil) // no token: 401
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	testutil.WaitFor(t, 10*time.Second, "the recheck to find the new rule", func() bool { return p.URLToken() == embed.URLTokenPreview })
}

// TestRecheckTransport calls recheck on 401 and 403 only, and not for the
// token endpoint.
func TestRecheckTransport(t *testing.T) {
	srv := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(srv.Close)
	var n atomic.Int32
	rt := urltoken.RecheckTransport(nil, func() { n.Add(1) })
	for _, tt := range []struct {
		method, path string
		auth         string
		want         int32
	}{
		{http.MethodGet, "/fotoweb/me", "", 1},                          // 401
		{http.MethodGet, "/fotoweb/me", "Bearer " + srv.UserToken(), 0}, // 200
		{http.MethodPost, "/fotoweb/oauth2/token", "", 0},               // 400 from the token endpoint, whatever it is
		{http.MethodGet, "/fotoweb/nothing-here", "", 0},                // 404
	} {
		n.Store(0)
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := n.Load(); got != tt.want {
			t.Errorf("%s %s (status %d): %d rechecks, want %d", tt.method, tt.path, resp.StatusCode, got, tt.want)
		}
	}
}
