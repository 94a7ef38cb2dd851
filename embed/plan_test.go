package embed

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestLayoutIsRendered checks that Info.Layout is what the render
// methods write: the same attributes, and previews whose URLs and widths
// are the markup's src and srcset.
func TestLayoutIsRendered(t *testing.T) {
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e, in := c.e, info(c.a)
			l, err := in.Layout(c.o)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.Render(in, c.o, c.figure)
			if err != nil {
				t.Fatal(err)
			}
			if c.figure {
				l.Alt = in.Text.FigureAlt(l.Alt) // a figure's alt never repeats its caption
			}
			if l.Width != r.Width || l.Height != r.Height || l.Alt != r.Alt || l.Sizes != r.Sizes {
				t.Errorf("layout %d×%d alt %q sizes %q; rendered %d×%d alt %q sizes %q",
					l.Width, l.Height, l.Alt, l.Sizes, r.Width, r.Height, r.Alt, r.Sizes)
			}
			var widths []string
			for _, i := range l.Srcset {
				widths = append(widths, strconv.Itoa(in.Previews[i].Width)+"w")
			}
			var got []string
			for _, cand := range strings.Split(r.Srcset, ", ") {
				f := strings.Fields(cand)
				got = append(got, f[len(f)-1])
			}
			if strings.Join(widths, " ") != strings.Join(got, " ") {
				t.Errorf("layout srcset widths %q, rendered %q", widths, got)
			}
			if e.links(&c.o) != LinkSigned || c.o.ExpiresIn != 0 {
				return // the URLs themselves: signed ones only
			}
			src, err := e.SignedURL(in, l.Src, c.o.ExpiresAt)
			if err != nil || src != r.Src {
				t.Errorf("layout src %q (%v), rendered %q", src, err, r.Src)
			}
			var set []string
			for k, i := range l.Srcset {
				u, err := e.SignedURL(in, i, c.o.ExpiresAt)
				if err != nil {
					t.Fatal(err)
				}
				set = append(set, u+" "+widths[k])
			}
			if s := strings.Join(set, ", "); s != r.Srcset {
				t.Errorf("layout srcset %q, rendered %q", s, r.Srcset)
			}
		})
	}
}

func TestLayoutErrors(t *testing.T) {
	noAlt := info(asset("bare.jpg", 1600, 900, 0, meta(80, "Kari Nordmann")))
	for _, tc := range []struct {
		name string
		in   *Info
		o    Options
		want error
	}{
		{"no alt", noAlt, Options{Width: 300}, ErrNoAlt},
		{"bad width", info(landscape()), Options{Width: MaxCSSWidth + 1}, ErrBadOption},
		{"alt and decorative", info(landscape()), Options{Alt: "x", Decorative: true}, ErrBadOption},
		{"no previews", &Info{Href: "/fotoweb/archives/1-A/x.jpg.info", Width: 10, Height: 10}, Options{}, ErrNoImage},
	} {
		if l, err := tc.in.Layout(tc.o); !errors.Is(err, tc.want) || l.Srcset != nil {
			t.Errorf("%s: %+v, %v; want %v", tc.name, l, err, tc.want)
		}
	}
	if l, err := noAlt.Layout(Options{Width: 300, Decorative: true}); err != nil || l.Alt != "" || l.Sizes != "(max-width: 300px) 100vw, 300px" {
		t.Errorf("decorative: %+v, %v", l, err)
	}
}
