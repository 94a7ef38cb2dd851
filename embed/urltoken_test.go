package embed

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// jwt is an unsigned token with the given claims (the signature part is
// not checked here).
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

func TestPreviewTokenExpiry(t *testing.T) {
	fetched := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, tok string
		want      time.Time
	}{
		{"life from iat to exp, on this clock", jwt(`{"iat":1000,"exp":4600}`), fetched.Add(time.Hour)},
		{"decimal claims", jwt(`{"iat":1000.0,"exp":2800.0}`), fetched.Add(30 * time.Minute)},
		{"exp only", jwt(`{"exp":1772370000}`), time.Unix(1772370000, 0)},
		{"no exp: one hour", jwt(`{"iat":5}`), fetched.Add(PreviewTokenLife)},
		{"not a JWT", "opaque", fetched.Add(PreviewTokenLife)},
		{"bad base64", "a.!!!.c", fetched.Add(PreviewTokenLife)},
	}
	for _, tt := range tests {
		if got := previewTokenExpiry(tt.tok, fetched); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestResolverRefreshesBeforePreviewToken: with PreviewTokens, an entry
// goes stale its margin before its previewToken expires, so a token
// handed out always has the margin left; without, the token is dropped.
func TestResolverRefreshesBeforePreviewToken(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: 2 * time.Hour, PreviewTokens: true})
	ctx := context.Background()
	in, err := v.res.Resolve(ctx, fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatal(err)
	}
	if in.PreviewToken == "" || !in.PreviewTokenExpires.Equal(v.clock.Now().Add(time.Hour)) {
		t.Fatalf("previewToken present %v, expiring %v, want one expiring in an hour", in.PreviewToken != "", in.PreviewTokenExpires)
	}
	fetches := v.res.Stats().Fetches
	v.clock.Advance(49 * time.Minute)
	if _, err := v.res.Resolve(ctx, fotowebtest.LandscapeAsset); err != nil {
		t.Fatal(err)
	}
	if got := v.res.Stats().Fetches - fetches; got != 0 {
		t.Fatalf("%d fetches 11 minutes before the token's end, want 0", got)
	}
	v.clock.Advance(2 * time.Minute) // 9 minutes left: inside the 10-minute margin
	again, err := v.res.Resolve(ctx, fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.res.Stats().Fetches - fetches; got != 1 {
		t.Fatalf("%d fetches inside the margin, want 1", got)
	}
	if left := again.PreviewTokenExpires.Sub(v.clock.Now()); left < 50*time.Minute {
		t.Errorf("the refreshed token has %v left", left)
	}

	plain := newEnv(t, ResolverConfig{})
	in, err = plain.res.Resolve(ctx, fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatal(err)
	}
	if in.PreviewToken != "" {
		t.Error("the previewToken is kept without PreviewTokens")
	}
}

// TestDirectURLToken: direct HTML carries what the policy says, and
// nothing when no policy is in force.
func TestDirectURLToken(t *testing.T) {
	v := newEnv(t, ResolverConfig{PreviewTokens: true})
	ctx := context.Background()
	in, err := v.res.Resolve(ctx, fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatal(err)
	}
	access, err := v.tokens.Token()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		policy URLToken
		want   string // the access_token every URL carries
		err    error
	}{
		{URLTokenNone, "", nil},
		{URLTokenPreview, in.PreviewToken, nil},
		{URLTokenAccess, access.AccessToken, nil},
		{URLTokenUnknown, "", ErrNoPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			emb, err := New(Config{Resolver: v.res, Signer: testSigner(t), Origin: v.fake.URL, Tokens: v.tokens, URLTokens: tt.policy, Now: v.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			src, err := emb.URL(ctx, fotowebtest.LandscapeAsset, Options{Width: 400, Links: LinkDirect})
			tg, rerr := emb.RedirectURL(context.Background(), in, urlsig.Options{Width: 400})
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !errors.Is(rerr, tt.err) {
					t.Fatalf("errors %v / %v, want %v", err, rerr, tt.err)
				}
				return
			}
			if err != nil || rerr != nil {
				t.Fatal(err, rerr)
			}
			for _, s := range []string{src, tg.URL} {
				u, err := url.Parse(s)
				if err != nil || !strings.HasPrefix(s, v.fake.URL+"/fotoweb/cache/") {
					t.Fatalf("URL %q", s)
				}
				if got := u.Query().Get("access_token"); got != tt.want {
					t.Errorf("%s: access_token %q, want the %s token", s, got, tt.policy)
				}
				if tt.want == "" && strings.Contains(s, "?") {
					t.Errorf("%s: the preview href was changed", s)
				}
			}
			if tt.policy == URLTokenPreview && !tg.Expires.Equal(in.PreviewTokenExpires) {
				t.Errorf("target expires %v, want the previewToken's %v", tg.Expires, in.PreviewTokenExpires)
			}
		})
	}
}

// TestPreviewPolicyWithoutToken: the preview policy refuses an Info
// without a live previewToken rather than handing out a dead URL.
func TestPreviewPolicyWithoutToken(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	in, err := v.res.Resolve(context.Background(), fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := New(Config{Signer: testSigner(t), Origin: v.fake.URL, Tokens: v.tokens, URLTokens: URLTokenPreview})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emb.RedirectURL(context.Background(), in, urlsig.Options{}); !errors.Is(err, ErrToken) {
		t.Errorf("no previewToken: %v, want ErrToken", err)
	}
}

func TestParseURLToken(t *testing.T) {
	for _, s := range []string{"none", "preview", "access"} {
		p, err := ParseURLToken(s)
		if err != nil || p.String() != s {
			t.Errorf("%s: %v %v", s, p, err)
		}
		b, _ := p.MarshalText()
		var back URLToken
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Errorf("%s: text round trip gave %v %v", s, back, err)
		}
	}
	if _, err := ParseURLToken("auto"); err == nil {
		t.Error("auto parsed as a fixed policy")
	}
}
