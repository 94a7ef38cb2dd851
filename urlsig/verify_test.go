package urlsig

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestVerifyMalformed(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	good := s.Sign(Options{Width: 800}, harbour, ".jpg") // /i/{sig}/w800/{asset}.jpg
	seg := strings.Split(good, "/")
	sig, opts, last := seg[2], seg[3], seg[4]
	for _, c := range []struct{ name, path string }{
		{"empty", ""},
		{"root", "/"},
		{"prefix only", "/i"},
		{"prefix and slash", "/i/"},
		{"no leading slash", "i/" + sig + "/" + opts + "/" + last},
		{"other prefix", "/x/" + sig + "/" + opts + "/" + last},
		{"longer prefix", "/img/" + sig + "/" + opts + "/" + last},
		{"upper-case prefix", "/I/" + sig + "/" + opts + "/" + last},
		{"double slash before prefix", "//i/" + sig + "/" + opts + "/" + last},
		{"one segment", "/i/" + sig},
		{"two segments", "/i/" + sig + "/" + opts},
		{"missing options", "/i/" + sig + "/" + last},
		{"four segments", "/i/" + sig + "/" + opts + "/" + last + "/x"},
		{"extra middle segment", "/i/" + sig + "/" + opts + "/x/" + last},
		{"trailing slash", good + "/"},
		{"empty signature", "/i//" + opts + "/" + last},
		{"empty options", "/i/" + sig + "//" + last},
		{"empty last", "/i/" + sig + "/" + opts + "/"},
		{"double slash after prefix", "/i//" + sig + "/" + opts + "/" + last},
		{"too long", "/i/" + sig + "/" + opts + "/" + strings.Repeat("A", MaxPathLen)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.Verify(c.path, t0)
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify(%.80q) = %+v, %v; want ErrMalformed", c.path, p, err)
			}
		})
	}
}

func TestVerifyBadSignature(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	good := s.Sign(Options{Width: 800}, harbour, ".jpg")
	seg := strings.Split(good, "/")
	sig, rest := seg[2], strings.Join(seg[3:], "/")
	// The last of 43 characters carries 4 MAC bits and 2 zero bits;
	// setting a zero bit gives a non-canonical spelling of the same MAC.
	last := strings.IndexByte(b64Alphabet, sig[42])
	nonCanonical := sig[:42] + string(b64Alphabet[last|1])
	for _, c := range []struct{ name, sig string }{
		{"other key", mustNew(t, Config{Keys: [][]byte{keyOld}}).SignString(rest)},
		{"one char short", sig[:42]},
		{"one char long", sig + "A"},
		{"padded", sig + "="},
		{"standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(sig)[:42] + "+"},
		{"non-base64 char", sig[:10] + "!" + sig[11:]},
		{"newline", sig[:10] + "\n" + sig[11:]},
		{"non-canonical trailing bits", nonCanonical},
		{"all A", strings.Repeat("A", 43)},
		{"lower-cased", strings.ToLower(sig)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.sig == sig {
				t.Fatalf("test case equals the valid signature")
			}
			path := "/i/" + c.sig + "/" + rest
			if _, err := s.Verify(path, t0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify(%q) = %v, want ErrBadSignature", path, err)
			}
			if err := s.CheckSignature(c.sig, rest); !errors.Is(err, ErrBadSignature) {
				t.Errorf("CheckSignature = %v, want ErrBadSignature", err)
			}
		})
	}
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// TestVerifyAfterSignature signs arbitrary strings with SignString to
// reach the parsing that happens only after a valid signature, and checks
// that the same unsigned paths fail on the signature first.
func TestVerifyAfterSignature(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	asset := EncodeAsset(harbour)
	for _, c := range []struct {
		name, rest string
		want       error
	}{
		{"leading zero width", "w0800/" + asset, ErrBadOptions},
		{"out of order", "sq-w800/" + asset, ErrBadOptions},
		{"unknown option", "h600/" + asset, ErrBadOptions},
		{"upper-case option", "W800/" + asset, ErrBadOptions},
		{"padded asset", "w800/Lw==", ErrMalformed},
		{"non-canonical asset bits", "w800/Lx", ErrMalformed},
		{"standard alphabet asset", "w800/Pz8+", ErrMalformed},
		{"empty asset", "w800/.jpg", ErrMalformed},
		{"upper-case ext", "w800/" + asset + ".JPG", ErrMalformed},
		{"empty ext", "w800/" + asset + ".", ErrMalformed},
		{"double ext", "w800/" + asset + ".jpg.png", ErrMalformed},
		{"long ext", "w800/" + asset + ".123456789", ErrMalformed},
		{"asset too long", "w800/" + strings.Repeat("eHh4", MaxAssetLen/3+1), ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			sig := s.SignString(c.rest)
			if err := s.CheckSignature(sig, c.rest); err != nil {
				t.Fatalf("CheckSignature of SignString: %v", err)
			}
			if _, err := s.Verify("/i/"+sig+"/"+c.rest, t0); !errors.Is(err, c.want) {
				t.Errorf("signed: Verify = %v, want %v", err, c.want)
			}
			forged := strings.Repeat("A", len(sig))
			if _, err := s.Verify("/i/"+forged+"/"+c.rest, t0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("unsigned: Verify = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestSignStringMatchesSign(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}, MACLength: 10})
	p := s.Sign(Options{Rendition: "orig"}, harbour, ".png")
	seg := strings.SplitN(p, "/", 4) // "", "i", sig, rest
	if got := s.SignString(seg[3]); got != seg[2] {
		t.Errorf("SignString = %q, want %q", got, seg[2])
	}
}

func TestVerifyTampering(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew}})
	good := s.Sign(Options{Width: 800, Rendition: "orig"}, harbour, ".jpg")
	other := s.Sign(Options{Width: 801, Rendition: "orig"}, harbour, ".jpg")
	sig, opts, asset := strings.Split(good, "/")[2], "w800-rorig", EncodeAsset(harbour)
	for _, c := range []struct {
		name, path string
		want       error
	}{
		{"signature from another URL", "/i/" + strings.Split(other, "/")[2] + "/" + opts + "/" + asset + ".jpg", ErrBadSignature},
		{"flipped signature char", "/i/" + flip(sig, 0) + "/" + opts + "/" + asset + ".jpg", ErrBadSignature},
		{"options changed", "/i/" + sig + "/w801-rorig/" + asset + ".jpg", ErrBadSignature},
		{"options dropped", "/i/" + sig + "/rorig/" + asset + ".jpg", ErrBadSignature},
		{"options added", "/i/" + sig + "/w800-sq-rorig/" + asset + ".jpg", ErrBadSignature},
		{"asset changed", "/i/" + sig + "/" + opts + "/" + EncodeAsset(harbour+"x") + ".jpg", ErrBadSignature},
		{"asset char flipped", "/i/" + sig + "/" + opts + "/" + flip(asset, 5) + ".jpg", ErrBadSignature},
		{"ext changed", "/i/" + sig + "/" + opts + "/" + asset + ".png", ErrBadSignature},
		{"ext dropped", "/i/" + sig + "/" + opts + "/" + asset, ErrBadSignature},
		{"ext added", "/i/" + sig + "/" + opts + "/" + asset + ".jpg.jpg", ErrBadSignature},
		{"prefix changed", "/j/" + sig + "/" + opts + "/" + asset + ".jpg", ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Verify(c.path, t0); !errors.Is(err, c.want) {
				t.Errorf("Verify(%s) = %v, want %v", c.path, err, c.want)
			}
		})
	}
}

// flip replaces the i-th character of a base64url string by another
// base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestVerifyErrorsHaveNoKey(t *testing.T) {
	key := []byte("KEYMATERIAL-KEYMATERIAL")
	s := mustNew(t, Config{Keys: [][]byte{key}})
	for _, p := range []string{"", "/i/a/b/c", "/i/" + strings.Repeat("A", 43) + "/_/Lw", s.Sign(Options{Expires: t0}, "/", "")} {
		_, err := s.Verify(p, t0)
		if err == nil || !strings.HasPrefix(err.Error(), "urlsig: ") || strings.Contains(err.Error(), "KEYMATERIAL") {
			t.Errorf("Verify(%q) error %v: want non-nil, prefixed, without key", p, err)
		}
	}
}

func TestConcurrent(t *testing.T) {
	s := mustNew(t, Config{Keys: [][]byte{keyNew, keyOld}, MACLength: 16})
	old := mustNew(t, Config{Keys: [][]byte{keyOld}, MACLength: 16})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				o := Options{Width: g*1000 + i + 1}
				signer := s
				if i%2 == 1 {
					signer = old
				}
				p := signer.Sign(o, harbour, ".jpg")
				got, err := s.Verify(p, t0)
				if err != nil || got.Options.Width != o.Width || got.Asset != harbour {
					t.Errorf("Verify(%s) = %+v, %v", p, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	s := mustNew(t, Config{Keys: [][]byte{keyNew, keyOld}})
	good := s.Sign(Options{Width: 800, Square: true, Rendition: "orig", Expires: t0}, harbour, ".jpg")
	bad := strings.Replace(good, "w800", "w801", 1)
	if _, err := s.Verify(good, t0.Add(-1)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func()
		max  float64
	}{
		{"Verify ok", func() { _, _ = s.Verify(good, t0.Add(-1)) }, 1},                     // the asset string
		{"Verify bad signature", func() { _, _ = s.Verify(bad, t0) }, 0},                   // junk traffic
		{"Verify malformed", func() { _, _ = s.Verify("/i/x/y", t0) }, 0},                  // junk traffic
		{"Sign", func() { _ = s.Sign(Options{Width: 800}, harbour, ".jpg") }, 1},           // the result
		{"DecodeOptions", func() { _, _ = DecodeOptions("w800-sq-rorig-x1767225600") }, 0}, // no copies
	} {
		if got := testing.AllocsPerRun(100, c.f); got > c.max {
			t.Errorf("%s: %v allocs, want at most %v", c.name, got, c.max)
		}
	}
}
