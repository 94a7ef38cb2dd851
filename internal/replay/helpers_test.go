package replay_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/replay"
	"github.com/fotoembed/fotoembed/internal/testenv"
)

// env is fotoembed's FotoWeb client, with a client-credentials token
// source, against the replay server.
type env struct {
	set    *replay.Set
	fw     *replay.Server
	tokens *tokens.Source
	client *fotoweb.Client
}

// load reads the recordings (skipping, or failing under
// FOTOEMBED_REQUIRE_INTEGRATION=1, when the folder is absent).
func load(t *testing.T) *replay.Set {
	t.Helper()
	set, err := replay.Load(testenv.Recorded(t))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// newEnv starts the replay server and the client. At the end of the test
// every request fotoembed made must have been answered from the
// recordings: none unknown (404), unauthorised (401) or of a media type
// it should not have asked for (406).
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{set: load(t)}
	var err error
	e.fw, err = replay.NewServer(e.set)
	must(t, err)
	t.Cleanup(e.fw.Close)
	t.Cleanup(func() {
		for _, r := range e.fw.Requests() {
			if r.From == "" || r.Status == 401 || r.Status == 406 {
				t.Errorf("fotoembed asked %s %s (q=%q, Accept %q): %d, not answered by a recording", r.Method, r.Path, r.Query, r.Accept, r.Status)
			}
		}
	})
	e.tokens, err = tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: e.fw.URL, ClientID: "fotoembed-replay", ClientSecret: "replay-secret",
	}, tokens.Options{})
	must(t, err)
	e.client, err = fotoweb.New(fotoweb.Config{BaseURL: e.fw.URL, Tokens: e.tokens, MaxAttempts: 1,
		RenditionPollInterval: time.Millisecond, RenditionPollCap: time.Millisecond})
	must(t, err)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// object decodes raw JSON into a generic object, independently of
// fotoweb's types.
func object(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	must(t, json.Unmarshal(raw, &m))
	return m
}

// at follows keys through nested objects ("" when absent).
func at(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// Hrefs of the recorded assets.
const (
	// webpList is the WebP FotoWeb could not measure, in assetList.json.
	webpList = "/fotoweb/archives/5000-All-files/Folder%2019/Thuringia_Schmalkalden_asv2020-07_img18_Schloss_Wilhelmsburg.jpg.webp.info"
	// webpIngested is the same file uploaded to My Uploads, in the
	// ingested webhook.
	webpIngested = "/fotoweb/archives/5001-My-Uploads/Folder%2019/Thuringia_Schmalkalden_asv2020-07_img18_Schloss_Wilhelmsburg.jpg.webp.info"
	// smallJPEG is the 370×136 JPEG of the modified webhook.
	smallJPEG = "/fotoweb/archives/5000-All-files/Folder%2019/Folder%2019/test_rename_36.jpeg.info"
	// drupalJPEG is the on-premises 8.0 asset fixture.
	drupalJPEG = "/fotoweb/archives/testarchive/myimage.jpg.info"
)

// wantAsset is what the recording says of an asset, read by hand: the
// original's size (0 when FotoWeb did not know it), its texts, and how it
// is embedded 600 CSS pixels wide at 1x and 2x.
type wantAsset struct {
	w, h                  int
	title, alt, caption   string // alt "" means none: ErrNoAlt unless given
	credit                string
	src                   int   // the src preview's width (nominal when the size is unknown)
	srcset                []int // the srcset's w descriptors
	attrW, attrH          int   // width and height attributes; 0 for none
	thumbnail             int   // the /v1/assets thumbnail's preview width
	previews, nonSquare   int
	renditions            int
	hasOriginalRendition  bool
	unknownPreviewHeights bool
}

// wantAssets are the recorded assets' expectations. An asset found in a
// new recording without an entry here is still checked by every rule
// that needs no expectation.
var wantAssets = map[string]wantAsset{
	webpList: {title: "Title", alt: "Description", caption: "Description", credit: "Photo: Author, Author2 / Credit",
		src: 600, srcset: []int{200, 300, 400, 600, 800, 1200}, attrW: 600, thumbnail: 200,
		previews: 12, nonSquare: 8, renditions: 2, hasOriginalRendition: true, unknownPreviewHeights: true},
	webpIngested: {src: 600, srcset: []int{200, 300, 400, 600, 800, 1200}, attrW: 600, thumbnail: 200,
		previews: 12, nonSquare: 8, renditions: 7, hasOriginalRendition: true, unknownPreviewHeights: true},
	smallJPEG: {w: 370, h: 136, credit: "Photo: Add author, Another author / Add credit",
		src: 400, srcset: []int{200, 300, 400}, attrW: 600, attrH: 221, thumbnail: 200,
		previews: 12, nonSquare: 8, renditions: 2, hasOriginalRendition: true},
	drupalJPEG: {w: 5472, h: 3648, alt: "Image caption", caption: "Image caption", credit: "Photo: Kari Nordmann",
		src: 600, srcset: []int{200, 300, 400, 600, 800, 1200}, attrW: 600, attrH: 401, thumbnail: 200,
		previews: 12, nonSquare: 8, renditions: 1, hasOriginalRendition: true},
}
