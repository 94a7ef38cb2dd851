package urlsig

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzSigner returns the signer the fuzz targets verify with: two keys,
// the default MAC length and prefix.
func fuzzSigner(t testing.TB) *Signer {
	return mustNew(t, Config{Keys: [][]byte{keyNew, keyOld}})
}

// FuzzVerify checks that Verify never panics, returns exactly one
// sentinel error or a result, and that anything it accepts is what Sign
// would produce for the result.
func FuzzVerify(f *testing.F) {
	s := fuzzSigner(f)
	for _, v := range testVectors {
		f.Add(v.want)
	}
	f.Add(s.Sign(Options{Width: 800, Square: true, Rendition: "orig", Expires: t0}, harbour, ".jpg"))
	f.Add(s.Sign(Options{}, "/", ""))
	for _, p := range []string{"", "/", "/i", "/i/", "/i///", "/i/a/b/c", "/i/a/b/c.d", "/i/\n/_/Lw", "/i/" + strings.Repeat("A", 43) + "/_/Lw"} {
		f.Add(p)
	}
	sentinels := []error{ErrMalformed, ErrBadSignature, ErrExpired, ErrBadOptions}
	f.Fuzz(func(t *testing.T, path string) {
		p, err := s.Verify(path, t0)
		if err != nil {
			n := 0
			for _, e := range sentinels {
				if errors.Is(err, e) {
					n++
				}
			}
			if n != 1 || p != (Parsed{}) {
				t.Fatalf("Verify(%q) = %+v, %v: want zero result and one sentinel", path, p, err)
			}
			return
		}
		if again := s.Sign(p.Options, p.Asset, p.Ext); again != path {
			t.Fatalf("Verify(%q) accepted a path Sign spells %q", path, again)
		}
	})
}

// FuzzSignVerify checks that every valid input signs to a path that
// verifies to the same input, that invalid input is refused with an
// error and no path, and that any single-byte change to a signed path
// fails verification.
func FuzzSignVerify(f *testing.F) {
	s := fuzzSigner(f)
	f.Add(800, true, "orig", int64(1767225600), harbour, ".jpg", uint16(0), byte(1))
	f.Add(0, false, "", int64(0), "/", "", uint16(3), byte('A'))
	f.Add(MaxWidth, true, "abcdefghijklmnopqrstuvwxyz012345", int64(MaxExpiry), "\x00\xff/?#", ".12345678", uint16(100), byte('/'))
	f.Add(-1, false, "Orig", int64(-5), "", ".JPG", uint16(7), byte('.'))
	f.Fuzz(func(t *testing.T, width int, square bool, rendition string, expiry int64, asset, ext string, pos uint16, b byte) {
		o := Options{Width: width, Square: square, Rendition: rendition}
		if expiry != 0 {
			o.Expires = time.Unix(expiry, 0)
		}
		valid := o.Validate() == nil && asset != "" && len(asset) <= MaxAssetLen && ValidExt(ext) == nil
		path, err := s.SignPath(o, asset, ext)
		if !valid {
			if err == nil || path != "" {
				t.Fatalf("SignPath(%+v, %q, %q) = %q, %v; want error", o, asset, ext, path, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("SignPath(%+v, %q, %q): %v", o, asset, ext, err)
		}
		now := t0
		if !o.Expires.IsZero() {
			now = o.Expires.Add(-time.Second)
			if _, err := s.Verify(path, o.Expires); !errors.Is(err, ErrExpired) {
				t.Fatalf("Verify(%q) at expiry: %v, want ErrExpired", path, err)
			}
		}
		got, err := s.Verify(path, now)
		if err != nil {
			t.Fatalf("Verify(%q): %v", path, err)
		}
		if !equalParsed(got, Parsed{Options: o, Asset: asset, Ext: ext}) {
			t.Fatalf("Verify(%q) = %+v, want %+v, %q, %q", path, got, o, asset, ext)
		}

		i := int(pos) % len(path)
		if path[i] == b {
			return
		}
		mutated := path[:i] + string(b) + path[i+1:]
		if _, err := s.Verify(mutated, now); err == nil {
			t.Fatalf("Verify accepted %q, a one-byte change of %q", mutated, path)
		}
	})
}

// FuzzDecodeOptions checks that DecodeOptions accepts only canonical
// spellings of valid option sets.
func FuzzDecodeOptions(f *testing.F) {
	for _, c := range canonicalOptions {
		f.Add(c.seg)
	}
	for _, seg := range []string{"", "-", "w0800", "sq-w800", "w800-w800", "x0", "rA", "w800-", "W800"} {
		f.Add(seg)
	}
	f.Fuzz(func(t *testing.T, seg string) {
		o, err := DecodeOptions(seg)
		if err != nil {
			if !errors.Is(err, ErrBadOptions) || o != (Options{}) {
				t.Fatalf("DecodeOptions(%q) = %+v, %v", seg, o, err)
			}
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("DecodeOptions(%q) = %+v, which does not validate: %v", seg, o, err)
		}
		if enc := o.Encode(); enc != seg {
			t.Fatalf("DecodeOptions(%q) = %+v, which encodes as %q", seg, o, enc)
		}
	})
}

// FuzzAsset checks that assets round-trip, that EncodeAsset agrees with
// the standard library, and that DecodeAsset accepts only canonical
// encodings.
func FuzzAsset(f *testing.F) {
	f.Add("Lw")
	f.Add("Lx")
	f.Add("Lw==")
	f.Add(EncodeAsset(harbour))
	f.Fuzz(func(t *testing.T, s string) {
		if enc := EncodeAsset(s); enc != base64.RawURLEncoding.EncodeToString([]byte(s)) {
			t.Fatalf("EncodeAsset(%q) = %q disagrees with encoding/base64", s, enc)
		}
		if s != "" && len(s) <= MaxAssetLen {
			if got, err := DecodeAsset(EncodeAsset(s)); err != nil || got != s {
				t.Fatalf("DecodeAsset(EncodeAsset(%q)) = %q, %v", s, got, err)
			}
		}
		href, err := DecodeAsset(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodeAsset(%q): %v", s, err)
			}
			return
		}
		if enc := EncodeAsset(href); enc != s {
			t.Fatalf("DecodeAsset(%q) = %q, which encodes as %q", s, href, enc)
		}
	})
}
