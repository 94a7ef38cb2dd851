package embed

import (
	"errors"
	"slices"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

func TestChoose(t *testing.T) {
	icon := asset("icon.png", 150, 100, 0, meta(120, "icon"))
	tests := []struct {
		name      string
		a         *fotoweb.Asset
		css       int
		dpr       float64
		square    bool
		wantW     int // true width of the chosen preview
		wantSize  int
		wantHeigt int
	}{
		{"landscape 600 1x", landscape(), 600, 1, false, 600, 600, 400},
		{"landscape 600 2x", landscape(), 600, 2, false, 1200, 1200, 800},
		{"landscape 600 3x", landscape(), 600, 3, false, 2400, 2400, 1600},
		{"landscape 500 1x rounds up", landscape(), 500, 1, false, 600, 600, 400},
		{"landscape 601 1x", landscape(), 601, 1, false, 800, 800, 533},
		{"landscape 1.5x", landscape(), 533, 1.5, false, 800, 800, 533},
		{"landscape wider than all", landscape(), 3000, 1, false, 2400, 2400, 1600},
		{"landscape no width", landscape(), 0, 1, false, DefaultWidth, 800, 533},
		{"portrait by width not size", portrait(), 400, 1, false, 400, 600, 600},
		{"portrait 2x", portrait(), 400, 2, false, 800, 1200, 1200},
		{"portrait capped", portrait(), 1000, 2, false, 1600, 2400, 2400},
		{"square original", square(), 300, 1, false, 300, 300, 300},
		{"panorama", panorama(), 1000, 1, false, 1200, 1200, 300},
		{"panorama 3x", panorama(), 1000, 3, false, 2400, 2400, 600},
		{"tiny original 2x", tiny(), 800, 2, false, 1000, 1200, 667},
		{"tiny original 1x", tiny(), 900, 1, false, 1000, 1200, 667},
		{"tiny original exact", tiny(), 800, 1, false, 800, 800, 534},
		{"icon smaller than every preview", icon, 300, 2, false, 150, 200, 100},
		{"squares 1x", landscape(), 150, 1, true, 200, 200, 200},
		{"squares 2x", landscape(), 150, 2, true, 400, 400, 400},
		{"squares capped", landscape(), 300, 3, true, 400, 400, 400},
		{"squares of icon", icon, 100, 2, true, 100, 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := info(tt.a)
			want := 0
			if tt.css > 0 {
				want = pixels(tt.css, tt.dpr)
			}
			i, err := in.Choose(want, tt.square)
			if err != nil {
				t.Fatal(err)
			}
			p := in.Previews[i]
			if p.Width != tt.wantW || p.Size != tt.wantSize || p.Height != tt.wantHeigt || p.Square != tt.square {
				t.Errorf("chose %+v, want width %d size %d height %d square %v", p, tt.wantW, tt.wantSize, tt.wantHeigt, tt.square)
			}
		})
	}
}

func TestChooseNoImage(t *testing.T) {
	pdf := landscape()
	pdf.Doctype = "document"
	video := landscape()
	video.Doctype, video.Previews = "movie", nil
	noSquares := landscape()
	noSquares.Previews = noSquares.Previews[:8]
	noDims := landscape()
	noDims.Attributes.Image = nil
	for i := range noDims.Previews {
		noDims.Previews[i].Width, noDims.Previews[i].Height = 0, 0
		noDims.Previews[i].Square = false
	}
	tests := []struct {
		name   string
		a      *fotoweb.Asset
		square bool
	}{
		{"pdf", pdf, false},
		{"video without previews", video, false},
		{"square asked, none there", noSquares, true},
		{"audio", &fotoweb.Asset{Href: "/a.info", Doctype: "audio"}, false},
		{"previews of unknown size", noDims, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := info(tt.a)
			if _, err := in.Choose(600, tt.square); !errors.Is(err, ErrNoImage) {
				t.Fatalf("err = %v, want ErrNoImage", err)
			}
			e := testEmbedder(t)
			if _, err := e.RenderImg(in, Options{Width: 600, Square: tt.square}); !errors.Is(err, ErrNoImage) {
				t.Fatalf("RenderImg err = %v, want ErrNoImage", err)
			}
		})
	}
}

func TestChooseNeverUpscales(t *testing.T) {
	// A server that lists previews wider than the original (it should
	// not): they are never chosen.
	a := tiny()
	for i := range a.Previews {
		if !a.Previews[i].Square {
			s := a.Previews[i].Size
			a.Previews[i].Width, a.Previews[i].Height = s, s*2/3
		}
	}
	in := info(a)
	i, err := in.Choose(2000, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Previews[i].Width; got != 800 {
		t.Errorf("chose width %d, want 800 (the largest not wider than the 1000 px original)", got)
	}
	if got := widths(in, in.Candidates(nil, false, 0)); !slices.Equal(got, []int{200, 300, 400, 600, 800}) {
		t.Errorf("candidates %v", got)
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name   string
		a      *fotoweb.Asset
		square bool
		limit  int
		want   []int
	}{
		{"landscape all", landscape(), false, 0, []int{200, 300, 400, 600, 800, 1200, 1600, 2400}},
		{"landscape up to 1200", landscape(), false, 1200, []int{200, 300, 400, 600, 800, 1200}},
		{"landscape up to 1000", landscape(), false, 1000, []int{200, 300, 400, 600, 800, 1200}},
		{"portrait true widths", portrait(), false, 0, []int{133, 200, 267, 400, 533, 800, 1067, 1600}},
		{"tiny without duplicates", tiny(), false, 0, []int{200, 300, 400, 600, 800, 1000}},
		{"squares without duplicates", landscape(), true, 0, []int{100, 200, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := info(tt.a)
			if got := widths(in, in.Candidates(nil, tt.square, tt.limit)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestChooseForCandidates checks the handler's side: the signed options of
// each srcset candidate choose exactly that candidate.
func TestChooseForCandidates(t *testing.T) {
	for _, a := range []*fotoweb.Asset{landscape(), portrait(), square(), panorama(), tiny()} {
		in := info(a)
		for _, sq := range []bool{false, true} {
			for _, i := range in.Candidates(nil, sq, 0) {
				got, err := in.ChooseFor(previewOptions(in.Previews[i], 0))
				if err != nil || got != i {
					t.Errorf("%s: candidate %+v: ChooseFor chose %d (%v), want %d", a.Filename, in.Previews[i], got, err, i)
				}
			}
		}
	}
	in := info(landscape())
	if _, err := in.ChooseFor(urlsig.Options{Rendition: "orig"}); !errors.Is(err, ErrRenditionOption) {
		t.Errorf("rendition: err = %v", err)
	}
	if p, err := in.PreviewFor(urlsig.Options{Width: 1600}); err != nil || p.Width != 1600 || p.Size != 1600 {
		t.Errorf("PreviewFor w1600: %+v %v", p, err)
	}
	if p, err := in.PreviewFor(urlsig.Options{}); err != nil || p.Width != DefaultWidth {
		t.Errorf("PreviewFor without width: %+v %v, want the %d preview", p, err, DefaultWidth)
	}
}

func widths(in *Info, idx []int) []int {
	var ws []int
	for _, i := range idx {
		ws = append(ws, in.Previews[i].Width)
	}
	return ws
}
