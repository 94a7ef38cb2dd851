package replay_test

import (
	"context"
	"errors"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/testenv"
	"github.com/fotoembed/fotoembed/urlsig"
)

// embedEnv adds a resolver and embedders (signed and direct delivery) to
// the client.
type embedEnv struct {
	*env
	res            *embed.Resolver
	signed, direct *embed.Embedder
}

func newEmbedEnv(t *testing.T) *embedEnv {
	t.Helper()
	e := &embedEnv{env: newEnv(t)}
	var err error
	e.res, err = embed.NewResolver(embed.ResolverConfig{Source: e.client})
	must(t, err)
	signer, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("fotoembed-replay-test-key-0001")}})
	must(t, err)
	for _, d := range []struct {
		dst *(*embed.Embedder)
		del embed.LinkMode
	}{{&e.signed, embed.LinkSigned}, {&e.direct, embed.LinkDirect}} {
		*d.dst, err = embed.New(embed.Config{Resolver: e.res, Signer: signer, BaseURL: "https://img.example.com",
			Origin: e.fw.URL, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}), Links: d.del})
		must(t, err)
	}
	return e
}

// TestMetadataEditor checks fotoembed's default text fields against the
// recorded SaaS metadata editor: title is field 5, description (the
// default alt text and caption) is field 120.
func TestMetadataEditor(t *testing.T) {
	set := load(t)
	ed := object(t, set.Get("enonic/metadataEditor").Body)
	for _, c := range []struct {
		builtin string
		want    int
	}{{"title", embed.FieldTitle}, {"description", embed.FieldCaption}} {
		if id, _ := at(ed, "builtinFields", c.builtin, "field", "id").(float64); int(id) != c.want {
			t.Errorf("builtin %s is field %v, fotoembed's default %d", c.builtin, id, c.want)
		}
	}
}

// srcsetRe matches one srcset candidate: URL and width.
var srcsetRe = regexp.MustCompile(`(\S+) (\d+)w`)

// TestEmbedRecordedAssets resolves every recorded asset and renders it 600
// CSS pixels wide: the original's size (unknown stays unknown), the
// preview of the src and those of the srcset (each a recorded preview,
// with its true width, or its nominal size when FotoWeb did not know its
// shape), the width and height attributes (none claimed that is not
// known), alt text, caption and credit.
func TestEmbedRecordedAssets(t *testing.T) {
	e := newEmbedEnv(t)
	ctx := context.Background()
	valid := map[string]string{}
	for _, ra := range e.set.Assets() {
		t.Run(ra.From+"/"+ra.Where, func(t *testing.T) {
			in, err := e.res.Resolve(ctx, ra.Href)
			must(t, err)
			raw := object(t, ra.Raw)
			recorded := map[string]map[string]any{} // the recorded previews by href
			for _, p := range raw["previews"].([]any) {
				p := p.(map[string]any)
				recorded[p["href"].(string)] = p
			}
			o := embed.Options{Width: 600}
			w, hasWant := wantAssets[ra.Href]
			if !hasWant {
				t.Logf("no expectations written for %s (from %s): generic checks only", ra.Href, ra.From)
			}
			_, err = e.signed.RenderImg(in, o)
			if (hasWant && w.alt == "") || (!hasWant && errors.Is(err, embed.ErrNoAlt)) {
				if !errors.Is(err, embed.ErrNoAlt) {
					t.Fatalf("no alt text in the recording, rendered anyway: %v", err)
				}
				o.Alt = "Replayed image"
			}
			fig, err := e.signed.Render(in, o, true)
			must(t, err)
			valid[strings.NewReplacer("/", "-", "[", "", "]", "").Replace(ra.From+"-"+ra.Where)+".html"] = string(fig.HTML)
			direct, err := e.direct.Render(in, o, false)
			must(t, err)

			// Every srcset candidate is a recorded preview, described by
			// its true width, or by its size when its shape is unknown.
			var widths []int
			for _, m := range srcsetRe.FindAllStringSubmatch(direct.Srcset, -1) {
				i := fig2src(t, in, m[1], recorded)
				href := in.Previews[i].Href
				p, ok := recorded[href]
				if !ok {
					t.Errorf("srcset candidate %s is not a recorded preview", href)
					continue
				}
				n, _ := strconv.Atoi(m[2])
				widths = append(widths, n)
				want := int(p["width"].(float64))
				if !in.Previews[i].SizeKnown() {
					want = int(p["size"].(float64))
				}
				if n != want || p["square"] == true {
					t.Errorf("candidate %s described as %dw; recorded %v", href, n, p)
				}
			}
			if strings.Contains(string(fig.HTML), `="1"`) {
				t.Errorf("a 1-pixel dimension: %s", fig.HTML)
			}
			if (fig.Height == 0) != !in.Previews[fig2src(t, in, direct.Src, recorded)].SizeKnown() {
				t.Errorf("height attribute %d with original %dx%d", fig.Height, in.Width, in.Height)
			}
			if !hasWant {
				return
			}
			if in.Width != w.w || in.Height != w.h {
				t.Errorf("original %dx%d, want %dx%d", in.Width, in.Height, w.w, w.h)
			}
			if got := in.Previews[fig2src(t, in, direct.Src, recorded)].Width; got != w.src {
				t.Errorf("src is the %d preview, want %d", got, w.src)
			}
			if !slices.Equal(widths, w.srcset) {
				t.Errorf("srcset widths %v, want %v", widths, w.srcset)
			}
			if fig.Width != w.attrW || fig.Height != w.attrH {
				t.Errorf("attributes %dx%d, want %dx%d", fig.Width, fig.Height, w.attrW, w.attrH)
			}
			wantAlt := w.alt
			if wantAlt == "" {
				wantAlt = o.Alt
			}
			wantAlt = in.Text.FigureAlt(wantAlt) // in a figure, never the caption's words twice
			if fig.Alt != wantAlt || fig.Caption != w.caption || fig.Credit != w.credit || in.Text.Title != w.title {
				t.Errorf("alt %q, caption %q, credit %q, title %q; want %q, %q, %q, %q",
					fig.Alt, fig.Caption, fig.Credit, in.Text.Title, wantAlt, w.caption, w.credit, w.title)
			}
			if w.caption != "" && !strings.Contains(string(fig.HTML), "<figcaption>"+template.HTMLEscapeString(w.caption)) {
				t.Errorf("figure: %s", fig.HTML)
			}
			if _, ok := in.Rendition("original"); ok != w.hasOriginalRendition {
				t.Errorf("original rendition: %v", ok)
			}
		})
	}
	t.Run("html-validate", func(t *testing.T) {
		if len(valid) == 0 {
			t.Skip("nothing rendered")
		}
		testenv.ValidateHTML(t, valid)
	})
}

// fig2src returns the index of the preview a direct src URL points at.
func fig2src(t *testing.T, in *embed.Info, src string, recorded map[string]map[string]any) int {
	t.Helper()
	u, err := url.Parse(src)
	must(t, err)
	for i, p := range in.Previews {
		if p.Href == u.EscapedPath() && !p.Square {
			return i
		}
	}
	t.Fatalf("src %s is no preview of %s (%d recorded)", src, in.Href, len(recorded))
	return -1
}
