package embed

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// Field ids the rights tests use (free in the fake's seed data).
const (
	expiryField    = 230
	withdrawnField = 10
)

func TestParseExpiry(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-31", utc(2027, 1, 1, 0, 0)}, // through that day
		{"20261231", utc(2027, 1, 1, 0, 0)},
		{" 2026-12-31T10:30:00Z ", utc(2026, 12, 31, 10, 30)},
		{"2026-12-31T10:30:00+01:00", utc(2026, 12, 31, 9, 30)},
		{"2026-12-31T10:30:00.250000Z", utc(2026, 12, 31, 10, 30).Add(250 * time.Millisecond)},
		{"2026-12-31T10:30:00", utc(2026, 12, 31, 10, 30)},
		{"2026-12-31T10:30", utc(2026, 12, 31, 10, 30)},
		{"2026-12-31 10:30:00", utc(2026, 12, 31, 10, 30)},
		{"20261231T103000Z", utc(2026, 12, 31, 10, 30)},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"31.12.2026", "next year", "2026-13-01", ""} {
		if _, err := ParseExpiry(bad); err == nil {
			t.Errorf("ParseExpiry(%q) accepted", bad)
		}
	}
}

func TestNewRights(t *testing.T) {
	f := Fields{RightsExpiry: expiryField, Withdrawn: withdrawnField}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		md        []any
		published bool
		reason    string
	}{
		{"no rights fields", nil, true, ""},
		{"licence running", []any{expiryField, "2026-12-31"}, true, ""},
		{"licence ended", []any{expiryField, "2026-05-31"}, false, "licence expired at 2026-06-01T00:00:00Z"},
		{"withdrawn, any case", []any{withdrawnField, " Consent Withdrawn "}, false, "withdrawn (Consent Withdrawn)"},
		{"other status", []any{withdrawnField, "approved"}, true, ""},
		{"unreadable date fails closed", []any{expiryField, "soon"}, false, `unreadable expiry date "soon"`},
	}
	for _, tt := range tests {
		in := NewInfo("", asset("a.jpg", 100, 100, 0, meta(tt.md...)), f)
		err := in.Check(now)
		if (err == nil) != tt.published {
			t.Errorf("%s: Check = %v", tt.name, err)
			continue
		}
		var ue *UnpublishedError
		if err != nil && (!errors.As(err, &ue) || !errors.Is(err, ErrUnpublished) || !strings.Contains(ue.Reason(), tt.reason)) {
			t.Errorf("%s: %v, want a reason with %q", tt.name, err, tt.reason)
		}
	}
	in := NewInfo("", asset("a.jpg", 100, 100, 0, meta(withdrawnField, "pending")), Fields{Withdrawn: withdrawnField, WithdrawnValues: []string{"pending"}})
	if in.Check(now) == nil {
		t.Error("configured withdrawn value not honoured")
	}
	if NewInfo("", asset("a.jpg", 100, 100, 0, meta(expiryField, "2020-01-01")), Fields{}).Check(now) != nil {
		t.Error("rights read although no field is configured")
	}
}

// TestRightsEndAtExpiry: an asset is shown until its licence ends, not a
// moment longer, with no webhook: the entry goes stale at the expiry and
// rendering is refused from then on.
func TestRightsEndAtExpiry(t *testing.T) {
	v := newEnv(t, ResolverConfig{TTL: time.Hour, Fields: Fields{RightsExpiry: expiryField}})
	emb, err := New(Config{Resolver: v.res, Signer: testSigner(t), BaseURL: "https://img.example.com", Now: v.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	end := v.clock.Now().Add(90 * time.Second)
	v.fake.SetMetadata(fotowebtest.LandscapeAsset, expiryField, end.Format(time.RFC3339))
	ctx := context.Background()
	if _, err := emb.Img(ctx, fotowebtest.LandscapeAsset, Options{Width: 300}); err != nil {
		t.Fatalf("before the end: %v", err)
	}
	fetches := v.res.Stats().Fetches
	v.clock.Advance(89 * time.Second)
	if _, err := emb.Img(ctx, fotowebtest.LandscapeAsset, Options{Width: 300}); err != nil {
		t.Fatalf("a second before the end: %v", err)
	}
	if v.res.Stats().Fetches != fetches {
		t.Fatal("refetched before the end")
	}
	v.clock.Advance(time.Second)
	_, err = emb.Img(ctx, fotowebtest.LandscapeAsset, Options{Width: 300})
	if !errors.Is(err, ErrUnpublished) {
		t.Fatalf("at the end: %v, want ErrUnpublished", err)
	}
	if got := v.res.Stats().Fetches - fetches; got != 1 {
		t.Errorf("%d fetches at the end, want 1 (asking FotoWeb whether the licence was extended)", got)
	}
}

// TestUnpublishedPlaceholder: with the placeholder option the HTML keeps
// its layout and shows nothing of the asset.
func TestUnpublishedPlaceholder(t *testing.T) {
	v := newEnv(t, ResolverConfig{Fields: Fields{Withdrawn: withdrawnField}})
	v.fake.SetMetadata(fotowebtest.LandscapeAsset, withdrawnField, "withdrawn")
	emb, err := New(Config{Resolver: v.res, Signer: testSigner(t), BaseURL: "https://img.example.com", Unpublished: UnpublishedPlaceholder})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fig, err := emb.Figure(ctx, fotowebtest.LandscapeAsset, Options{Width: 600, Class: "hero"})
	if err != nil {
		t.Fatal(err)
	}
	h := string(fig)
	for _, want := range []string{`<figure>`, `src="data:image/svg+xml,`, `width="600"`, `height="400"`, `alt=""`, `class="hero"`, `</figure>`} {
		if !strings.Contains(h, want) {
			t.Errorf("placeholder lacks %s: %s", want, h)
		}
	}
	for _, leak := range []string{"harbour", "img.example.com", "figcaption", "Kari"} {
		if strings.Contains(strings.ToLower(h), strings.ToLower(leak)) {
			t.Errorf("placeholder shows %q of the asset: %s", leak, h)
		}
	}
	src, err := emb.URL(ctx, fotowebtest.LandscapeAsset, Options{Width: 600})
	if err != nil || !strings.HasPrefix(src, "data:image/svg+xml,") {
		t.Errorf("URL: %q %v", src, err)
	}
	strict, _ := New(Config{Resolver: v.res, Signer: testSigner(t), BaseURL: "https://img.example.com"})
	if _, err := strict.Img(ctx, fotowebtest.LandscapeAsset, Options{Width: 600}); !errors.Is(err, ErrUnpublished) {
		t.Errorf("default: %v, want ErrUnpublished", err)
	}
}
