package embed

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseOptions(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		args []string
		want Options
	}{
		{nil, Options{}},
		{[]string{"width=600", "class=hero big", "priority"}, Options{Width: 600, Class: "hero big", Priority: true}},
		{[]string{"dpr=1, 1.5,3", "square", "decorative=true"}, Options{PixelRatios: []float64{1, 1.5, 3}, Square: true, Decorative: true}},
		{[]string{"alt=A = B", "sizes=(min-width: 800px) 50vw, 100vw"}, Options{Alt: "A = B", Sizes: "(min-width: 800px) 50vw, 100vw"}},
		{[]string{"id=x", "style=color:red", "figure-class=wide", "priority=false"}, Options{ID: "x", Style: "color:red", FigureClass: "wide"}},
		{[]string{"square=on", "priority=YES", "decorative=off"}, Options{Square: true, Priority: true}},
		{[]string{"square= 1 ", "priority=No"}, Options{Square: true}},
		{[]string{"data-a=1", "data-b.c_d-e="}, Options{Data: []Attr{{"data-a", "1"}, {"data-b.c_d-e", ""}}}},
		{[]string{"expires=90m", "delivery=direct"}, Options{ExpiresIn: 90 * time.Minute, Links: LinkDirect}},
		{[]string{"expires=2030-01-01T00:00:00Z", "delivery=signed"}, Options{ExpiresAt: at, Links: LinkSigned}},
	}
	for _, tt := range tests {
		got, err := ParseOptions(tt.args...)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.args, d)
		}
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string // part of the error message
	}{
		{[]string{"width=abc"}, `"width=abc": width must be`},
		{[]string{"width=0"}, "width must be"},
		{[]string{"width=99999"}, "width must be"},
		{[]string{"width"}, "unknown flag"},
		{[]string{"height=3"}, `unknown option "height"`},
		{[]string{"onload=alert(1)"}, `unknown option "onload"`},
		{[]string{"data-=x"}, "attribute name"},
		{[]string{"data-X=x"}, "attribute name"},
		{[]string{"data-a b=x"}, "attribute name"},
		{[]string{`data-a"=x`}, "attribute name"},
		{[]string{"dpr=0"}, "pixel ratios"},
		{[]string{"dpr=NaN"}, "pixel ratios"},
		{[]string{"dpr=1,2,3,4,1,2,3,4,1"}, "at most"},
		{[]string{"priority=maybe"}, `"maybe" is not a boolean`},
		{[]string{"square=t"}, `"t" is not a boolean`},
		{[]string{"square="}, `"" is not a boolean`},
		{[]string{"expires=-1h"}, "positive"},
		{[]string{"expires=tomorrow"}, "duration"},
		{[]string{"delivery=proxy"}, "signed, direct or export"},
		{[]string{"width=1", "width=2"}, "given twice"},
		{[]string{"id=a b"}, "white space"},
		{[]string{"alt=x", "decorative"}, "decorative"},
	}
	for _, tt := range tests {
		_, err := ParseOptions(tt.args...)
		if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%q: err = %v, want ErrBadOption mentioning %q", tt.args, err, tt.msg)
		}
	}
}

// FuzzParseOptions feeds arbitrary option lists (NUL-separated): parsing
// never panics, and whatever it accepts renders valid-looking markup.
func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{"width=600\x00class=hero", "priority\x00decorative", "dpr=1,2\x00square",
		"data-x=<\">\x00id=a", "expires=1h\x00delivery=direct", "width=1e3", "dpr=,", "=", "data-a=1\x00data-a=2"} {
		f.Add(s)
	}
	e := testEmbedder(f)
	in := info(landscape())
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOptions(strings.Split(s, "\x00")...)
		if err != nil {
			if !errors.Is(err, ErrBadOption) {
				t.Fatalf("error %v does not wrap ErrBadOption", err)
			}
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("accepted options fail Validate: %v", err)
		}
		h, err := e.RenderImg(in, o)
		if err != nil {
			if errors.Is(err, ErrNoAlt) || errors.Is(err, ErrBadOption) {
				return
			}
			t.Fatalf("render: %v", err)
		}
		assertOneImg(t, string(h))
	})
}
