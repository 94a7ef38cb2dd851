package urltoken_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
	"github.com/fotoembed/fotoembed/urltoken"
)

// TestVisitorTokenRefusedByAPI: under "none" and "preview", what a
// visitor reads from a redirect's Location shows the image and nothing
// else: used on the FotoWeb API (the user's descriptor, an edit of the
// asset's metadata), FotoWeb refuses it. Under "access" with the editor's
// token the same edit goes through, which is why that policy is the last
// resort and checked for being read-only.
func TestVisitorTokenRefusedByAPI(t *testing.T) {
	tests := []struct {
		rule      fotowebtest.PreviewAuthMode
		want      embed.URLToken
		tok       func(*fotowebtest.Server) string
		canChange bool
	}{
		{fotowebtest.PreviewAuthNone, embed.URLTokenNone, editor, false},
		{fotowebtest.PreviewAuthPreviewToken, embed.URLTokenPreview, editor, false},
		{fotowebtest.PreviewAuthAny, embed.URLTokenPreview, editor, false},
		{fotowebtest.PreviewAuthAccessToken, embed.URLTokenAccess, editor, true},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			e := newEnv(t, tt.rule, tt.tok)
			p := e.prober(t, urltoken.Config{})
			if st := p.Probe(context.Background()); st.Policy != tt.want {
				t.Fatalf("policy %v (%s), want %v", st.Policy, st.Reason, tt.want)
			}
			res, err := embed.NewResolver(embed.ResolverConfig{Source: e.client, PreviewTokens: true})
			if err != nil {
				t.Fatal(err)
			}
			emb, err := embed.New(embed.Config{Resolver: res, Links: embed.LinkDirect, Origin: e.fake.URL, Tokens: e.tokens, URLTokens: p})
			if err != nil {
				t.Fatal(err)
			}
			in, err := res.Resolve(context.Background(), fotowebtest.LandscapeAsset)
			if err != nil {
				t.Fatal(err)
			}
			tg, err := emb.RedirectURL(context.Background(), in, urlsig.Options{Width: 400})
			if err != nil {
				t.Fatal(err)
			}
			if tg.Token != tt.want {
				t.Errorf("target token %v, want %v", tg.Token, tt.want)
			}
			if code := get(t, tg.URL, ""); code != http.StatusOK {
				t.Fatalf("the visitor's URL answers %d, want 200", code)
			}
			u, _ := url.Parse(tg.URL)
			tok := u.Query().Get("access_token")
			if (tok == "") != (tt.want == embed.URLTokenNone) {
				t.Fatalf("URL %q: token present %v under %v", tg.URL, tok != "", tt.want)
			}
			if tt.want == embed.URLTokenPreview && tok != in.PreviewToken {
				t.Errorf("the URL does not carry the asset's previewToken")
			}
			if tok == "" {
				return // nothing to misuse
			}
			me := get(t, e.fake.URL+"/fotoweb/me?access_token="+url.QueryEscape(tok), "")
			patch := patchTitle(t, e.fake.URL+fotowebtest.LandscapeAsset+"?access_token="+url.QueryEscape(tok))
			if tt.canChange {
				if me != http.StatusOK || patch != http.StatusOK {
					t.Errorf("access token: descriptor %d, edit %d; the editor's token should work (the hazard)", me, patch)
				}
				return
			}
			if me != http.StatusUnauthorized || patch != http.StatusUnauthorized {
				t.Errorf("visitor's token on the API: descriptor %d, edit %d, want 401 and 401", me, patch)
			}
			if h := get(t, e.fake.URL+"/fotoweb/me", "Bearer "+tok); h != http.StatusUnauthorized {
				t.Errorf("visitor's token as a bearer header: %d, want 401", h)
			}
		})
	}
}

// get GETs u (with an Authorization header when auth is set) and
// returns the status.
func get(t *testing.T, u, auth string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// patchTitle tries to change an asset's title through u.
func patchTitle(t *testing.T, u string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPatch, u, strings.NewReader(`{"metadata":{"5":{"value":"defaced"}}}`))
	req.Header.Set("Content-Type", "application/vnd.fotoware.assetupdate+json")
	req.Header.Set("Accept", "application/vnd.fotoware.asset+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestCheckReadOnly: the fake's editor may change metadata in Photos and
// is refused; its read-only user is accepted; the administrator (a
// client-credentials token) is refused for its site rights.
func TestCheckReadOnly(t *testing.T) {
	tests := []struct {
		name  string
		tok   func(*fotowebtest.Server) string
		want  []string // substrings of the listed rights; nil: read-only
		nUser string
	}{
		{"editor", editor, []string{"archive Photos", "EditText"}, fotowebtest.User},
		{"viewer", viewer, nil, ""},
		{"administrator", admin, []string{"site: manage settings", "Delete"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fotowebtest.PreviewAuthAny, tt.tok)
			err := urltoken.CheckReadOnly(context.Background(), e.client)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("read-only user refused: %v", err)
				}
				return
			}
			var we *urltoken.WritableError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v, want a *WritableError", err)
			}
			all := strings.Join(we.Rights, "; ")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("rights %q lack %q", all, w)
				}
			}
			if tt.nUser != "" && we.User != tt.nUser {
				t.Errorf("user %q, want %q", we.User, tt.nUser)
			}
			if strings.Contains(err.Error(), e.fake.UserToken()) {
				t.Error("the error shows the token")
			}
		})
	}
}

// TestCheckReadOnlyUnreachable: when FotoWeb cannot say, the check fails
// (not a WritableError): unknown rights are not taken as read-only.
func TestCheckReadOnlyUnreachable(t *testing.T) {
	e := newEnv(t, fotowebtest.PreviewAuthAny, viewer)
	e.fake.SetFault("/fotoweb/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	err := urltoken.CheckReadOnly(context.Background(), e.client)
	var we *urltoken.WritableError
	if err == nil || errors.As(err, &we) {
		t.Fatalf("err = %v, want a plain error", err)
	}
}
