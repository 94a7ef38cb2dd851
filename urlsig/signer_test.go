package urlsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	keyOld = []byte("old-key-0123456789abcdef")
	keyNew = []byte("new-key-0123456789abcdef")
	t0     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustNew(t testing.TB, cfg Config) *Signer {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestNewErrors(t *testing.T) {
	secret := []byte("SECRET-short") // 12 bytes
	for _, c := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no keys", Config{}, "no keys"},
		{"short key", Config{Keys: [][]byte{secret}}, "key 0 is 12 bytes"},
		{"short second key", Config{Keys: [][]byte{keyNew, secret}}, "key 1 is 12 bytes"},
		{"MAC too short", Config{Keys: [][]byte{keyNew}, MACLength: 7}, "MAC length 7"},
		{"MAC too long", Config{Keys: [][]byte{keyNew}, MACLength: 33}, "MAC length 33"},
		{"MAC negative", Config{Keys: [][]byte{keyNew}, MACLength: -1}, "MAC length -1"},
		{"prefix without slash", Config{Keys: [][]byte{keyNew}, Prefix: "i"}, "prefix"},
		{"prefix trailing slash", Config{Keys: [][]byte{keyNew}, Prefix: "/i/"}, "prefix"},
		{"prefix root", Config{Keys: [][]byte{keyNew}, Prefix: "/"}, "prefix"},
		{"prefix double slash", Config{Keys: [][]byte{keyNew}, Prefix: "/a//b"}, "prefix"},
		{"prefix dot", Config{Keys: [][]byte{keyNew}, Prefix: "/a/../b"}, "prefix"},
		{"prefix query", Config{Keys: [][]byte{keyNew}, Prefix: "/i?x"}, "prefix"},
		{"prefix too long", Config{Keys: [][]byte{keyNew}, Prefix: "/" + strings.Repeat("a", MaxPrefixLen)}, "prefix"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.cfg)
			if err == nil {
				t.Fatalf("New = %v, want error", s)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "urlsig: ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want prefix \"urlsig: \" and %q", msg, c.want)
			}
			if strings.Contains(msg, "SECRET") {
				t.Errorf("error %q leaks key material", msg)
			}
		})
	}
}

func TestNewCopiesKeys(t *testing.T) {
	key := bytes.Clone(keyNew)
	s := mustNew(t, Config{Keys: [][]byte{key}})
	p := s.Sign(Options{}, harbour, "")
	key[0] ^= 0xff
	if _, err := s.Verify(p, t0); err != nil {
		t.Errorf("Verify after caller mutated key: %v", err)
	}
	if got := s.Sign(Options{}, harbour, ""); got != p {
		t.Errorf("Sign after caller mutated key changed: %s, was %s", got, p)
	}
}

func TestDefaults(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	if s.Prefix() != "/i" || s.MACLength() != 32 {
		t.Errorf("Prefix, MACLength = %q, %d; want /i, 32", s.Prefix(), s.MACLength())
	}
	p := s.Sign(Options{}, harbour, "")
	if sig := strings.Split(p, "/")[2]; len(sig) != 43 {
		t.Errorf("signature %q has %d characters, want 43", sig, len(sig))
	}
}

func TestRoundTrip(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}, Prefix: "/img/v-1"})
	for _, want := range []Parsed{
		{Asset: "/"},
		{Options: Options{Width: 640}, Asset: harbour, Ext: ".jpg"},
		{Options: Options{Square: true, Rendition: "thumb"}, Asset: harbour, Ext: ".webp"},
		{Options: Options{Width: MaxWidth, Square: true, Rendition: "abcdefghijklmnopqrstuvwxyz012345", Expires: time.Unix(MaxExpiry, 0)},
			Asset: strings.Repeat("/ø?#%", MaxAssetLen/6), Ext: ".12345678"},
		{Options: Options{Expires: t0.Add(time.Hour)}, Asset: "\x00\xff/../x", Ext: ".png"},
	} {
		p := s.Sign(want.Options, want.Asset, want.Ext)
		if !strings.HasPrefix(p, "/img/v-1/") {
			t.Errorf("Sign = %s, want prefix /img/v-1/", p)
		}
		got, err := s.Verify(p, t0)
		if err != nil {
			t.Errorf("Verify(%s): %v", p, err)
			continue
		}
		if !equalParsed(got, want) {
			t.Errorf("Verify(%s) = %+v, want %+v", p, got, want)
		}
	}
}

func TestSignPathErrors(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	for _, c := range []struct {
		name  string
		opts  Options
		asset string
		ext   string
		want  error
	}{
		{"bad width", Options{Width: -1}, harbour, "", ErrBadOptions},
		{"bad rendition", Options{Rendition: "A"}, harbour, "", ErrBadOptions},
		{"bad expiry", Options{Expires: time.Unix(-1, 0)}, harbour, "", ErrBadOptions},
		{"empty asset", Options{}, "", "", ErrMalformed},
		{"long asset", Options{}, strings.Repeat("a", MaxAssetLen+1), "", ErrMalformed},
		{"upper-case ext", Options{}, harbour, ".JPG", ErrMalformed},
		{"ext without dot", Options{}, harbour, "jpg", ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.SignPath(c.opts, c.asset, c.ext)
			if !errors.Is(err, c.want) || p != "" {
				t.Errorf("SignPath = %q, %v; want \"\", %v", p, err, c.want)
			}
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("Sign did not panic")
				}
			}()
			s.Sign(c.opts, c.asset, c.ext)
		})
	}
}

func TestKeyRotation(t *testing.T) {
	old := mustNew(t, Config{Keys: [][]byte{keyOld}})
	both := mustNew(t, Config{Keys: [][]byte{keyNew, keyOld}})
	onlyNew := mustNew(t, Config{Keys: [][]byte{keyNew}})

	p := old.Sign(Options{Width: 300}, harbour, ".jpg")
	if _, err := both.Verify(p, t0); err != nil {
		t.Errorf("[new, old] rejects URL signed with old: %v", err)
	}
	if _, err := onlyNew.Verify(p, t0); !errors.Is(err, ErrBadSignature) {
		t.Errorf("[new] on URL signed with old: %v, want ErrBadSignature", err)
	}
	// The first key signs.
	if got, want := both.Sign(Options{Width: 300}, harbour, ".jpg"), onlyNew.Sign(Options{Width: 300}, harbour, ".jpg"); got != want {
		t.Errorf("[new, old] signs %s, want %s (signed with new)", got, want)
	}
}

func TestTruncation(t *testing.T) {
	wantChars := map[int]int{8: 11, 12: 16, 16: 22, 31: 42, 32: 43}
	for l, chars := range wantChars {
		s := mustNew(t, Config{Keys: [][]byte{keyNew}, MACLength: l})
		p := s.Sign(Options{Width: 100}, harbour, "")
		sig := strings.Split(p, "/")[2]
		if len(sig) != chars {
			t.Errorf("MACLength %d: signature %q has %d characters, want %d", l, sig, len(sig), chars)
		}
		if _, err := s.Verify(p, t0); err != nil {
			t.Errorf("MACLength %d: Verify: %v", l, err)
		}
		for other := range wantChars {
			if other == l {
				continue
			}
			v := mustNew(t, Config{Keys: [][]byte{keyNew}, MACLength: other})
			if _, err := v.Verify(p, t0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("signed with MACLength %d, verified with %d: %v, want ErrBadSignature", l, other, err)
			}
		}
	}
}

func TestExpiry(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	exp := t0.Add(time.Hour)
	p := s.Sign(Options{Width: 100, Expires: exp}, harbour, ".jpg")
	for _, c := range []struct {
		now  time.Time
		want error
	}{
		{t0, nil},
		{exp.Add(-time.Nanosecond), nil},
		{exp, ErrExpired}, // expiry is the first refused instant
		{exp.Add(time.Second), ErrExpired},
		{exp.Add(24 * 365 * time.Hour), ErrExpired},
	} {
		got, err := s.Verify(p, c.now)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("Verify at %v: %v, want %v", c.now, err, c.want)
		}
		if err != nil && got != (Parsed{}) {
			t.Errorf("Verify at %v returned %+v with error", c.now, got)
		}
	}

	// A bad signature on an expired URL is a bad signature, not expiry.
	other := mustNew(t, Config{Keys: [][]byte{keyOld}})
	if _, err := other.Verify(p, exp.Add(time.Hour)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("expired URL with bad signature: %v, want ErrBadSignature", err)
	}
	// Sub-second expiries are truncated (to the past) when signing.
	p = s.Sign(Options{Expires: exp.Add(900 * time.Millisecond)}, harbour, "")
	if _, err := s.Verify(p, exp); !errors.Is(err, ErrExpired) {
		t.Errorf("truncated expiry at %v: %v, want ErrExpired", exp, err)
	}
}
