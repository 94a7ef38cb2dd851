package embed

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fotoembed/fotoembed/fotoweb"
)

func TestNewInfo(t *testing.T) {
	in := info(portrait())
	if in.Width != 3648 || in.Height != 5472 {
		t.Errorf("dimensions %dx%d, want 3648x5472 (rotation applied)", in.Width, in.Height)
	}
	if want := time.Date(2023, 6, 19, 12, 47, 59, 0, time.UTC); !in.Modified.Equal(want) {
		t.Errorf("modified %v", in.Modified)
	}
	for i := 1; i < len(in.Previews); i++ {
		a, b := in.Previews[i-1], in.Previews[i]
		if a.Square && !b.Square || a.Square == b.Square && a.Width > b.Width {
			t.Fatalf("previews out of order at %d: %+v then %+v", i, a, b)
		}
	}
	r, ok := in.Rendition("original")
	if !ok || !strings.HasSuffix(r.Href, "/__renditions/ORIGINAL") {
		t.Errorf("original rendition: %+v %v", r, ok)
	}
	if _, ok := in.Rendition("nope"); ok {
		t.Error("unknown rendition found")
	}
}

func TestNewInfoFields(t *testing.T) {
	a := landscape()
	a.Metadata = meta(5, "Title", 120, "Caption", 200, "Custom alt", 80, []string{"A", "B"}, 110, "Credit", 116, "Copy")
	got := NewInfo("", a, Fields{Alt: 200, Copyright: -1}).Text
	want := Text{Title: "Title", Alt: "Custom alt", Caption: "Caption", Byline: "A, B", Credit: "Credit"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestNewInfoFillsPreviewDimensions(t *testing.T) {
	a := landscape()
	for i := range a.Previews {
		a.Previews[i].Width, a.Previews[i].Height = 0, 0
	}
	a.Previews = append(a.Previews, fotoweb.Preview{Size: 800}) // no href: dropped
	in := info(a)
	if len(in.Previews) != 12 {
		t.Fatalf("%d previews, want 12", len(in.Previews))
	}
	if p := in.Previews[4]; p.Width != 800 || p.Height != 533 {
		t.Errorf("size 800 preview is %dx%d, want 800x533", p.Width, p.Height)
	}
	if p := in.Previews[11]; !p.Square || p.Width != 400 || p.Height != 400 {
		t.Errorf("last preview %+v, want the 400 square", p)
	}
}

// TestEntryJSON checks that an Entry survives JSON (as a Redis store
// would keep it) and that no token is in it.
func TestEntryJSON(t *testing.T) {
	in := info(landscape())
	if _, err := testEmbedder(t).RenderImg(in, Options{Width: 300}); err != nil { // fills the memo
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := &Entry{Info: in, Fetched: now, FreshUntil: now.Add(time.Minute), StaleUntil: now.Add(time.Hour)}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"previewToken", "secret-preview-token", "access_token", "eyJ"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("entry JSON contains %q: %s", secret, b)
		}
	}
	var back Entry
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e, &back, cmpopts.IgnoreUnexported(Info{})); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	e1, _ := testEmbedder(t).RenderImg(in, Options{Width: 300})
	e2, _ := testEmbedder(t).RenderImg(back.Info, Options{Width: 300})
	if e1 != e2 {
		t.Errorf("rendering differs after the JSON round trip")
	}
}
