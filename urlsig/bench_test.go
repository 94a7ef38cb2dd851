package urlsig

import (
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	s := mustNew(b, Config{Keys: [][]byte{keyNew, keyOld}})
	o := Options{Width: 800, Square: true, Rendition: "orig", Expires: t0}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign(o, harbour, ".jpg")
	}
}

func BenchmarkVerify(b *testing.B) {
	s := mustNew(b, Config{Keys: [][]byte{keyNew, keyOld}})
	p := s.Sign(Options{Width: 800, Square: true, Rendition: "orig", Expires: t0}, harbour, ".jpg")
	now := t0.Add(-time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(p, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyOldKey measures the rotation worst case: the signature
// matches only the last configured key.
func BenchmarkVerifyOldKey(b *testing.B) {
	s := mustNew(b, Config{Keys: [][]byte{keyNew, keyOld}})
	p := mustNew(b, Config{Keys: [][]byte{keyOld}}).Sign(Options{Width: 800}, harbour, ".jpg")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(p, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBadSignature measures rejecting a forged path.
func BenchmarkVerifyBadSignature(b *testing.B) {
	s := mustNew(b, Config{Keys: [][]byte{keyNew, keyOld}})
	p := "/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/w800/" + EncodeAsset(harbour) + ".jpg"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(p, t0); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkDecodeOptions(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeOptions("w800-sq-rorig-x1767225600"); err != nil {
			b.Fatal(err)
		}
	}
}
