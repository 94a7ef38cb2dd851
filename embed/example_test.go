package embed_test

import (
	"context"
	"fmt"
	"html/template"
	"log"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/urlsig"
)

// signer signs with a fixed example key.
var signer = func() *urlsig.Signer {
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("example-key-do-not-use-0123456789")}})
	if err != nil {
		log.Fatal(err)
	}
	return s
}()

// newEmbedder wires an Embedder to a fake FotoWeb the way the service
// does: token source -> FotoWeb client -> resolver -> embedder. The
// signing key is fixed, so the signed URLs below are stable.
func newEmbedder() (*embed.Embedder, func()) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL:      fake.URL,
		ClientID:     fotowebtest.ServiceClientID,
		ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})
	if err != nil {
		log.Fatal(err)
	}
	client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: ts})
	if err != nil {
		log.Fatal(err)
	}
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client})
	if err != nil {
		log.Fatal(err)
	}
	emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: "https://img.example.com",
		Origin: fake.URL, Tokens: ts})
	if err != nil {
		log.Fatal(err)
	}
	return emb, fake.Close
}

// run executes a template with the embedder's helpers, writing to stdout.
func run(emb *embed.Embedder, text string) {
	tpl := template.Must(template.New("page").Funcs(emb.FuncMap()).Parse(text))
	if err := tpl.Execute(os.Stdout, fotowebtest.SmallAsset); err != nil {
		log.Fatal(err)
	}
}

// fotowebImg renders an <img> with srcset, sizes, dimensions and alt text.
// The 640×480 original bounds the srcset: the widest candidate is the
// smallest preview at least as wide as the original (800×600: FotoWeb
// upscales the previews of small originals).
func ExampleEmbedder_FuncMap() {
	emb, done := newEmbedder()
	defer done()
	run(emb, `{{fotowebImg . "width=320" "class=thumb" "data-id=7"}}`)
	// Output:
	// <img src="https://img.example.com/i/8LufkoVFBaV0jju7Cu14GUs3y41LJd-QHOAJfh9ex9c/w400/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg" srcset="https://img.example.com/i/3c-XlrPZTkqxNk1kCJ9WxxM-83rhiJLG3Qee3Lm9wtM/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 200w, https://img.example.com/i/4lIlZ0gUVyTuj93ZEfQyY0gRlFUHOYucTimhdZhTw_U/w300/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 300w, https://img.example.com/i/8LufkoVFBaV0jju7Cu14GUs3y41LJd-QHOAJfh9ex9c/w400/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 400w, https://img.example.com/i/0INr7MyuJDO7KSWHKPcpqmh4Zh0ygH-9Q3HI_W0z8R8/w600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 600w, https://img.example.com/i/9PTrkwkHkqH5b_xnUg5KNO8XYcxh8fpZg-x3-OHBaLY/w800/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 800w" sizes="(max-width: 320px) 100vw, 320px" width="320" height="240" alt="An old 640×480 camera phone picture of a cabin" loading="lazy" decoding="async" class="thumb" data-id="7">
}

// fotowebFigure adds a <figcaption> with the caption and the credit line.
// The caption is the description, the bare <img>'s alt text, so the
// figure's <img> takes the title as its alt text instead (see
// [embed.Text.FigureAlt]).
func ExampleEmbedder_FuncMap_figure() {
	emb, done := newEmbedder()
	defer done()
	run(emb, `{{fotowebFigure . "width=200" "dpr=1" "priority"}}`)
	// Output:
	// <figure><img src="https://img.example.com/i/3c-XlrPZTkqxNk1kCJ9WxxM-83rhiJLG3Qee3Lm9wtM/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg" srcset="https://img.example.com/i/3c-XlrPZTkqxNk1kCJ9WxxM-83rhiJLG3Qee3Lm9wtM/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 200w" sizes="(max-width: 200px) 100vw, 200px" width="200" height="150" alt="Small snapshot" loading="eager" fetchpriority="high"><figcaption>An old 640×480 camera phone picture of a cabin <small class="credit">Photo: Ola Nordmann / Fotoembed Test Agency</small></figcaption></figure>
}

// fotowebURL gives the URL of the image chosen for a width, for use in
// your own markup or CSS.
func ExampleEmbedder_FuncMap_url() {
	emb, done := newEmbedder()
	defer done()
	run(emb, `<a href="{{fotowebURL . "width=640"}}">full size</a>`)
	// Output:
	// <a href="https://img.example.com/i/9PTrkwkHkqH5b_xnUg5KNO8XYcxh8fpZg-x3-OHBaLY/w800/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg">full size</a>
}

// fotowebSrcset gives the srcset value alone.
func ExampleEmbedder_FuncMap_srcset() {
	emb, done := newEmbedder()
	defer done()
	run(emb, `<img src="/fallback.jpg" srcset="{{fotowebSrcset . "width=150" "dpr=1,2"}}" sizes="150px" width="150" height="113" alt="Cabin">`)
	// Output:
	// <img src="/fallback.jpg" srcset="https://img.example.com/i/3c-XlrPZTkqxNk1kCJ9WxxM-83rhiJLG3Qee3Lm9wtM/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 200w, https://img.example.com/i/4lIlZ0gUVyTuj93ZEfQyY0gRlFUHOYucTimhdZhTw_U/w300/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy9zbWFsbC02NDB4NDgwLmpwZy5pbmZv.jpg 300w" sizes="150px" width="150" height="113" alt="Cabin">
}

// The signed-URL handler verifies the path, then (in redirect mode) asks
// for the FotoWeb URL of the preview the options mean, with the access
// token current at this moment and that token's expiry.
func ExampleEmbedder_Redirect() {
	emb, done := newEmbedder()
	defer done()
	ctx := context.Background()
	signed, err := emb.URL(ctx, fotowebtest.SmallAsset, embed.Options{Width: 300})
	if err != nil {
		log.Fatal(err)
	}
	parsed, err := signer.Verify(strings.TrimPrefix(signed, "https://img.example.com"), time.Now())
	if err != nil {
		log.Fatal(err)
	}
	target, err := emb.Redirect(ctx, parsed, false)
	if err != nil {
		log.Fatal(err)
	}
	expiry := target.Expires
	u, _ := url.Parse(target.URL)
	fmt.Println("options:", parsed.Options.Encode())
	fmt.Println("has token:", u.Query().Get("access_token") != "")
	fmt.Println("token expires:", !expiry.IsZero())
	// Output:
	// options: w300
	// has token: true
	// token expires: true
}

// Template options are strings: "key=value" or a bare flag.
func ExampleParseOptions() {
	o, err := embed.ParseOptions("width=600", "dpr=1,2,3", "class=hero", "data-id=42", "priority")
	fmt.Printf("%d %v %q %v %v %v\n", o.Width, o.PixelRatios, o.Class, o.Data, o.Priority, err)
	_, err = embed.ParseOptions("width=wide")
	fmt.Println(err)
	// Output:
	// 600 [1 2 3] "hero" [{data-id 42}] true <nil>
	// embed: bad option "width=wide": width must be a whole number 1..16384
}
