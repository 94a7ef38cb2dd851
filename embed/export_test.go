package embed_test

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testenv"
)

// exportEnv is a fake FotoWeb with an embedder whose default delivery is
// export, through the real exporter and an in-memory ledger.
type exportEnv struct {
	fake *fotowebtest.Server
	emb  *embed.Embedder
}

func newExportEnv(t *testing.T, fl fotowebtest.Flavour) *exportEnv {
	t.Helper()
	fake := fotowebtest.NewServer(fotowebtest.Options{Flavour: fl})
	t.Cleanup(fake.Close)
	client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: tokens.Static(fake.ReadOnlyUserToken()), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client})
	if err != nil {
		t.Fatal(err)
	}
	x, err := exports.New(exports.Config{Client: client, Ledger: exports.NewMemory(), Publication: "https://www.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embed.New(embed.Config{Resolver: res, Links: embed.LinkExport, Exporter: x})
	if err != nil {
		t.Fatal(err)
	}
	return &exportEnv{fake: fake, emb: emb}
}

var urlAttr = regexp.MustCompile(`(?:src|srcset)="([^"]*)"`)

// TestExportDelivery: the HTML holds only public export URLs (no service
// URL, no token), every one of them loads without credentials, the HTML
// is valid, and rendering again exports nothing more.
func TestExportDelivery(t *testing.T) {
	e := newExportEnv(t, fotowebtest.FlavourSaaS2024)
	ctx := context.Background()
	img, err := e.emb.Img(ctx, fotowebtest.LandscapeAsset, embed.Options{Width: 600, Publication: "https://www.example.org/news/1"})
	if err != nil {
		t.Fatal(err)
	}
	fig, err := e.emb.Figure(ctx, fotowebtest.PortraitAsset, embed.Options{Width: 300})
	if err != nil {
		t.Fatal(err)
	}
	made := e.fake.ExportRequests()
	if made == 0 {
		t.Fatal("no export was made")
	}
	var urls []string
	for _, m := range urlAttr.FindAllStringSubmatch(string(img)+string(fig), -1) {
		for _, cand := range strings.Split(m[1], ", ") {
			urls = append(urls, strings.Fields(cand)[0])
		}
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, e.fake.URL+"/fotoweb/embed/") || strings.Contains(u, "access_token") || strings.Contains(u, "/i/") {
			t.Errorf("URL %q is not a public export URL", u)
			continue
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
			t.Errorf("GET %s without credentials: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	testenv.ValidateHTML(t, map[string]string{"export-img": string(img), "export-figure": string(fig)})

	if _, err := e.emb.Img(ctx, fotowebtest.LandscapeAsset, embed.Options{Width: 600}); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.ExportRequests(); got != made {
		t.Errorf("rendering again made %d more exports", got-made)
	}
	var pub bool
	for _, x := range e.fake.Exports() {
		pub = pub || x.Publication == "https://www.example.org/news/1" && x.Asset == fotowebtest.LandscapeAsset
	}
	if !pub {
		t.Error("no export of the landscape records the page as its publication")
	}
}

// TestExportDeliveryErrors: square images cannot be exported, and an
// Embedder without an Exporter refuses export delivery.
func TestExportDeliveryErrors(t *testing.T) {
	e := newExportEnv(t, fotowebtest.FlavourSaaS2024)
	ctx := context.Background()
	if _, err := e.emb.Img(ctx, fotowebtest.LandscapeAsset, embed.Options{Width: 200, Square: true}); !errors.Is(err, embed.ErrBadOption) {
		t.Errorf("square export: %v, want ErrBadOption", err)
	}
	if _, err := embed.New(embed.Config{Links: embed.LinkExport}); !errors.Is(err, embed.ErrNoExporter) {
		t.Errorf("New without Exporter: %v, want ErrNoExporter", err)
	}
}

// TestFuncMapExport: the template helpers take delivery=export and a
// publication like any other option, with every flavour of FotoWeb.
func TestFuncMapExport(t *testing.T) {
	for _, fl := range fotowebtest.Flavours {
		t.Run(fl.String(), func(t *testing.T) { testFuncMapExport(t, fl) })
	}
}

func testFuncMapExport(t *testing.T, fl fotowebtest.Flavour) {
	e := newExportEnv(t, fl)
	fm := e.emb.FuncMap()
	img, err := fm["fotowebImg"].(func(string, ...string) (template.HTML, error))(fotowebtest.SmallAsset,
		"width=300", "delivery=export", "publication=https://www.example.org/about")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(img), e.fake.URL+"/fotoweb/embed/") || strings.Contains(string(img), "access_token") {
		t.Errorf("fotowebImg with delivery=export: %s", img)
	}
	src, err := fm["fotowebURL"].(func(string, ...string) (template.URL, error))(fotowebtest.SmallAsset, "width=300", "delivery=export")
	if err != nil || !strings.HasPrefix(string(src), e.fake.URL+"/fotoweb/embed/") {
		t.Errorf("fotowebURL with delivery=export: %q %v", src, err)
	}
}
