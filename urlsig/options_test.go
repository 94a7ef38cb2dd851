package urlsig

import (
	"errors"
	"testing"
	"time"
)

// canonicalOptions pairs option sets with their only accepted spelling.
var canonicalOptions = []struct {
	seg  string
	opts Options
}{
	{"_", Options{}},
	{"w1", Options{Width: 1}},
	{"w800", Options{Width: 800}},
	{"w65535", Options{Width: MaxWidth}},
	{"sq", Options{Square: true}},
	{"rorig", Options{Rendition: "orig"}},
	{"r0", Options{Rendition: "0"}},
	{"r_", Options{Rendition: "_"}},
	{"roriginal_file_2", Options{Rendition: "original_file_2"}},
	{"rabcdefghijklmnopqrstuvwxyz012345", Options{Rendition: "abcdefghijklmnopqrstuvwxyz012345"}},
	{"x1", Options{Expires: time.Unix(1, 0)}},
	{"x1767225600", Options{Expires: time.Unix(1767225600, 0)}},
	{"x253402300799", Options{Expires: time.Unix(MaxExpiry, 0)}},
	{"w800-sq", Options{Width: 800, Square: true}},
	{"w800-rorig", Options{Width: 800, Rendition: "orig"}},
	{"w800-x1767225600", Options{Width: 800, Expires: time.Unix(1767225600, 0)}},
	{"sq-rorig", Options{Square: true, Rendition: "orig"}},
	{"sq-x5", Options{Square: true, Expires: time.Unix(5, 0)}},
	{"rsq", Options{Rendition: "sq"}},
	{"rw800", Options{Rendition: "w800"}},
	{"rorig-x1767225600", Options{Rendition: "orig", Expires: time.Unix(1767225600, 0)}},
	{"w800-sq-rorig-x1767225600", Options{Width: 800, Square: true, Rendition: "orig", Expires: time.Unix(1767225600, 0)}},
}

func TestOptionsEncode(t *testing.T) {
	for _, c := range canonicalOptions {
		if err := c.opts.Validate(); err != nil {
			t.Errorf("%+v: Validate: %v", c.opts, err)
		}
		if got := c.opts.Encode(); got != c.seg {
			t.Errorf("%+v: Encode = %q, want %q", c.opts, got, c.seg)
		}
	}
}

func TestOptionsEncodeTruncatesSubSecond(t *testing.T) {
	o := Options{Expires: time.Unix(1767225600, 999999999)}
	if got, want := o.Encode(), "x1767225600"; got != want {
		t.Errorf("Encode = %q, want %q", got, want)
	}
}

func TestDecodeOptionsCanonical(t *testing.T) {
	for _, c := range canonicalOptions {
		got, err := DecodeOptions(c.seg)
		if err != nil {
			t.Errorf("DecodeOptions(%q): %v", c.seg, err)
			continue
		}
		if !equalOptions(got, c.opts) {
			t.Errorf("DecodeOptions(%q) = %+v, want %+v", c.seg, got, c.opts)
		}
		if !got.Expires.IsZero() && got.Expires.Location() != time.UTC {
			t.Errorf("DecodeOptions(%q): expiry location %v, want UTC", c.seg, got.Expires.Location())
		}
	}
}

func TestDecodeOptionsRejectsNonCanonical(t *testing.T) {
	for _, seg := range []string{
		// empty forms
		"", "-", "--", "__", "_-", "-_", "_-w800", "w800-_",
		// separators
		"w800-", "-w800", "w800--sq", "w800_sq", "w800.sq", "w800,sq", "w800/sq", "w800 sq", "w800+sq",
		// width
		"w", "w0", "w00", "w0800", "w-800", "w+800", "w800x", "w8.0", "w65536", "w99999999999999999999",
		"w1e3", "w0x10", "W800", "w８００",
		// square
		"s", "sQ", "SQ", "sqq", "sq1", "square", "sq-sq",
		// rendition
		"r", "rOrig", "R", "Rorig", "r-orig", "rorig-", "r.orig", "rorig!", "r orig", "rorig%20",
		"rabcdefghijklmnopqrstuvwxyz0123456", // 33 characters
		// expiry
		"x", "x0", "x00", "x01767225600", "x-1", "x+1767225600", "X1767225600", "x253402300800",
		"x9223372036854775807", "x99999999999999999999", "x1767225600.5",
		// order and duplicates
		"sq-w800", "rorig-w800", "x1-w800", "rorig-sq", "x1-sq", "x1-rorig",
		"w800-w800", "w800-w801", "rorig-rorig", "x1-x2", "w800-sq-sq", "w800-sq-rorig-x1-x1",
		// unknown keys
		"h600", "q80", "fwebp", "_w800", "a", "0", "800", "w800-h600", "w800-sq-rorig-x1-z",
	} {
		o, err := DecodeOptions(seg)
		if err == nil {
			t.Errorf("DecodeOptions(%q) = %+v, want error", seg, o)
			continue
		}
		if !errors.Is(err, ErrBadOptions) {
			t.Errorf("DecodeOptions(%q) error %v does not match ErrBadOptions", seg, err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{
		{Width: -1},
		{Width: MaxWidth + 1},
		{Rendition: "Orig"},
		{Rendition: "a-b"},
		{Rendition: "abcdefghijklmnopqrstuvwxyz0123456"},
		{Rendition: "ø"},
		{Expires: time.Unix(0, 0)},
		{Expires: time.Unix(-5, 0)},
		{Expires: time.Unix(MaxExpiry+1, 0)},
		{Expires: time.Unix(0, 500)}, // truncates to 0
	} {
		err := o.Validate()
		if !errors.Is(err, ErrBadOptions) {
			t.Errorf("%+v: Validate = %v, want ErrBadOptions", o, err)
		}
	}
}
