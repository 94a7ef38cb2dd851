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
	for i := range noDims.Previews { // no dimensions, no nominal size
		noDims.Previews[i].Width, noDims.Previews[i].Height, noDims.Previews[i].Size = 0, 0, 0
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
	// FotoWeb upscales the previews of a small original (recorded: a
	// 370×136 JPEG with previews up to 2400×882). The smallest preview at
	// least as wide as the original holds all its detail and may be
	// chosen; wider ones are never chosen or listed.
	a := tiny()
	for i := range a.Previews {
		if !a.Previews[i].Square {
			s := a.Previews[i].Size
			a.Previews[i].Width, a.Previews[i].Height = s, s*2/3
		}
	}
	in := info(a)
	for _, want := range []int{1100, 2000} {
		i, err := in.Choose(want, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Previews[i].Width; got != 1200 {
			t.Errorf("Choose(%d) chose width %d, want 1200 (the smallest at least as wide as the 1000 px original)", want, got)
		}
	}
	if got := widths(in, in.Candidates(nil, false, 0)); !slices.Equal(got, []int{200, 300, 400, 600, 800, 1200}) {
		t.Errorf("candidates %v", got)
	}
	// The recorded 370×136 JPEG, shown without a CSS width: the 400×147
	// preview, at the original's size.
	small := asset("test_rename_36.jpeg", 370, 136, 0, meta(120, "Small"))
	for i := range small.Previews {
		if p := &small.Previews[i]; !p.Square {
			p.Width, p.Height = p.Size, (p.Size*136+185)/370
		}
	}
	in = info(small)
	l, err := in.Layout(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Previews[l.Src].Width != 400 || l.Width != 370 || l.Height != 136 {
		t.Errorf("layout: src %+v, %dx%d; want the 400 preview at 370x136", in.Previews[l.Src], l.Width, l.Height)
	}
	if got := widths(in, l.Srcset); !slices.Equal(got, []int{200, 300, 400}) {
		t.Errorf("srcset widths %v, want [200 300 400]", got)
	}
}

func TestChooseUnknownSize(t *testing.T) {
	in := info(unmeasured())
	if in.Width != 0 || in.Height != 0 || in.SizeKnown() {
		t.Fatalf("original %dx%d, want unknown (0x0), not FotoWeb's 1x1", in.Width, in.Height)
	}
	for _, p := range in.Previews {
		switch {
		case p.Square && (p.Width != p.Size || p.Height != p.Size):
			t.Errorf("square preview %+v: want its size as width and height", p)
		case !p.Square && (p.Width != p.Size || p.Height != 0 || p.SizeKnown()):
			t.Errorf("preview %+v: want its nominal size as width and no height", p)
		}
	}
	for _, tt := range []struct{ want, size int }{{800, 800}, {0, DefaultWidth}, {1000, 1200}, {1600, 1600}, {5000, 2400}, {150, 200}} {
		i, err := in.Choose(tt.want, false)
		if err != nil {
			t.Fatal(err)
		}
		if p := in.Previews[i]; p.Size != tt.size || p.Square {
			t.Errorf("Choose(%d) = %+v, want the %d preview (not capped at a 1 px original)", tt.want, p, tt.size)
		}
	}
	if got := widths(in, in.Candidates(nil, false, 0)); !slices.Equal(got, []int{200, 300, 400, 600, 800, 1200, 1600, 2400}) {
		t.Errorf("candidates %v, want every nominal size", got)
	}
	if got := widths(in, in.Candidates(nil, false, 1000)); !slices.Equal(got, []int{200, 300, 400, 600, 800, 1200}) {
		t.Errorf("candidates up to 1000: %v", got)
	}
	for _, i := range in.Candidates(nil, false, 0) {
		if got, err := in.ChooseFor(previewOptions(in.Previews[i], 0)); err != nil || got != i {
			t.Errorf("candidate %+v: ChooseFor chose %d (%v), want %d", in.Previews[i], got, err, i)
		}
	}
	// Previews listed without any dimensions keep their nominal size.
	bare := landscape()
	bare.Attributes.Image = nil
	for i := range bare.Previews {
		bare.Previews[i].Width, bare.Previews[i].Height = 0, 0
	}
	in = info(bare)
	if i, err := in.Choose(700, false); err != nil || in.Previews[i].Size != 800 || in.Previews[i].SizeKnown() {
		t.Errorf("previews without dimensions: Choose(700) = %d, %v; want the nominal 800 preview", i, err)
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
