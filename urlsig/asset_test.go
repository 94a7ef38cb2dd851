package urlsig

import (
	"errors"
	"strings"
	"testing"
)

func TestAssetRoundTrip(t *testing.T) {
	for _, c := range []struct{ href, seg string }{
		{"/", "Lw"},
		{"/a", "L2E"},
		{"/ab", "L2Fi"},
		{"??>", "Pz8-"}, // exercises '-'
		{"???", "Pz8_"}, // exercises '_'
		{harbour, "L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw"},
		{"\x00\xff", "AP8"},
		{strings.Repeat("x", MaxAssetLen), strings.Repeat("eHh4", MaxAssetLen/3) + "eHg"},
	} {
		if got := EncodeAsset(c.href); got != c.seg {
			t.Errorf("EncodeAsset(%.20q) = %.40q, want %.40q", c.href, got, c.seg)
		}
		got, err := DecodeAsset(c.seg)
		if err != nil || got != c.href {
			t.Errorf("DecodeAsset(%.40q) = %.20q, %v; want %.20q", c.seg, got, err, c.href)
		}
	}
}

func TestDecodeAssetRejects(t *testing.T) {
	for _, seg := range []string{
		"",
		"Lw==",  // padding
		"Lw=",   // partial padding
		"L2E=",  // padding
		"Lx",    // non-zero trailing bits ("Lw" is canonical)
		"L2F",   // non-zero trailing bits ("L2E" is canonical)
		"L",     // impossible length
		"L2Fi/", // '/'
		"Pz8+",  // standard alphabet '+'
		"Pz8/",  // standard alphabet '/'
		"L2E.",  // '.'
		"L2 E",  // space
		"L2E\n", // newline, which the decoder would skip
		"L2\rE",
		"L2E%3D",
		strings.Repeat("eHh4", MaxAssetLen/3) + "eHh4", // MaxAssetLen+1 bytes
	} {
		got, err := DecodeAsset(seg)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeAsset(%.40q) = %q, %v; want ErrMalformed", seg, got, err)
		}
	}
}

func TestValidExt(t *testing.T) {
	for _, ext := range []string{"", ".jpg", ".webp", ".png", ".j", ".mp4", ".12345678"} {
		if err := ValidExt(ext); err != nil {
			t.Errorf("ValidExt(%q) = %v, want nil", ext, err)
		}
	}
	for _, ext := range []string{
		".", "jpg", ".JPG", ".Jpg", ".jp-g", ".jp_g", ".jpg.", "..jpg", ".jpg.webp", ".123456789",
		"/.jpg", ". jpg", ".jpg/", ".ø",
	} {
		if err := ValidExt(ext); !errors.Is(err, ErrMalformed) {
			t.Errorf("ValidExt(%q) = %v, want ErrMalformed", ext, err)
		}
	}
}
