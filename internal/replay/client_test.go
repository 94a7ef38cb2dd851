package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/replay"
)

// TestRecordings parses every recorded body as its media type, and
// fails for a recording no rule places (a new one: say what it answers
// in replay.Rules).
func TestRecordings(t *testing.T) {
	set := load(t)
	for _, r := range set.List {
		t.Run(r.Name, func(t *testing.T) {
			mt := r.MediaType()
			if mt == "" {
				mt = replay.Rules[r.Name].ContentType
			}
			if mt == "" && json.Valid(r.Body) {
				mt = "application/json" // a webhook body or its headers
			}
			if r.Body == nil {
				if r.Meta == nil || (r.Meta.Status == 0 && r.Meta.Method == "") {
					t.Errorf("neither a body nor a recorded status or method")
				}
				return
			}
			v, err := replay.Parse(mt, r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := v.([]byte); ok {
				t.Errorf("media type %q: not JSON, nothing parsed", mt)
			}
		})
	}
	for _, err := range replay.Check(set) {
		t.Error(err)
	}
}

func TestToken(t *testing.T) {
	e := newEnv(t)
	tok, err := e.tokens.Token()
	must(t, err)
	body := object(t, e.set.Get("enonic/token").Body)
	if tok.AccessToken != body["access_token"] || tok.AccessToken != e.fw.Token() {
		t.Errorf("access token %q, recorded %q", tok.AccessToken, body["access_token"])
	}
	// "expires_in": 28800.000000, as recorded.
	if d := time.Until(tok.Expiry); d < 8*time.Hour-time.Minute || d > 8*time.Hour {
		t.Errorf("token expires in %v, want 8h", d)
	}
}

func TestDescriptor(t *testing.T) {
	e := newEnv(t)
	d, err := e.client.Descriptor(context.Background())
	must(t, err)
	raw := object(t, e.set.Get("enonic/fullApiDescriptor").Body)
	for _, c := range []struct{ got, want any }{
		{d.Href, raw["href"]}, {d.Archives, raw["archives"]}, {d.SearchURL, raw["searchURL"]},
		{d.BackgroundTasks, raw["background_tasks"]},
		{d.Services.RenditionRequest, at(raw, "services", "rendition_request")},
		{d.Services.Search, at(raw, "services", "search")},
		{d.User.UserName, at(raw, "user", "userName")}, {d.User.IsGuest, at(raw, "user", "isGuest")},
		{d.User.UserID, int(at(raw, "user", "userId").(float64))},
		{d.Permissions.CanManageExports, at(raw, "permissions", "canManageExports")},
	} {
		if c.got != c.want {
			t.Errorf("descriptor: got %v, recorded %v", c.got, c.want)
		}
	}
}

// TestSearchAll runs each recorded multi-archive search through the
// client: the collection list, then each archive's hits at the entry's
// data URL, in order, and nothing else (paging "" or null ends a list).
func TestSearchAll(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"enonic/collectionList", "enonic/collectionListWithPaging"} {
		rule := replay.Rules[name]
		before := len(e.fw.Requests())
		assets, err := e.client.SearchAll(context.Background(), rule.Query, 0)
		must(t, err)
		var want []string // every entry's data URL, in order
		var list replay.CollectionList
		must(t, json.Unmarshal(e.set.Get(name).Body, &list))
		for _, c := range list.Data {
			want = append(want, c.Data)
		}
		var got []string
		for _, r := range e.fw.Requests()[before:] {
			if r.Path == "/fotoweb/me" || r.Path == "/fotoweb/oauth2/token" {
				continue // the descriptor and the token, once
			}
			got = append(got, (&url.URL{Path: r.Path, RawQuery: url.Values{"q": {r.Query}}.Encode()}).String())
		}
		if len(got) != len(want)+1 || got[0] != (&url.URL{Path: "/fotoweb/archives/", RawQuery: "q=" + url.QueryEscape(rule.Query)}).String() {
			t.Fatalf("%s: requests %q, want the search, then %d archives", name, got, len(want))
		}
		for i, w := range want {
			u, _ := url.Parse(w)
			if g, _ := url.Parse(got[i+1]); g.Path != u.Path || g.Query().Get("q") != u.Query().Get("q") {
				t.Errorf("%s: request %d is %s, want the entry's data %s", name, i+1, got[i+1], w)
			}
		}
		var hrefs []string
		for _, a := range assets {
			hrefs = append(hrefs, a.Href)
		}
		wantHrefs := map[string][]string{"enonic/collectionList": {webpList}}[name]
		if !slices.Equal(hrefs, wantHrefs) {
			t.Errorf("%s: assets %q, want %q", name, hrefs, wantHrefs)
		}
	}
}

// TestSearchArchive searches the one archive whose hits are recorded,
// through its searchURL as the collection list gives it.
func TestSearchArchive(t *testing.T) {
	e := newEnv(t)
	var list replay.CollectionList
	must(t, json.Unmarshal(e.set.Get("enonic/collectionList").Body, &list))
	if len(list.Data) == 0 || list.Data[0].SearchURL != "/fotoweb/archives/5000-All-files/{?q}" || list.Data[0].AssetCount != 1 {
		t.Fatalf("collection list entry %+v", list.Data[0])
	}
	assets, err := e.client.Search(context.Background(), list.Data[0].SearchURL, replay.EnonicQuery, 0)
	must(t, err)
	if len(assets) != 1 || assets[0].Href != webpList || assets[0].Filename != "Thuringia_Schmalkalden_asv2020-07_img18_Schloss_Wilhelmsburg.jpg.webp" {
		t.Errorf("assets %+v", assets)
	}
}

// TestAssets gets every recorded asset representation through the
// client and compares it with the recording, read without fotoweb's
// types.
func TestAssets(t *testing.T) {
	e := newEnv(t)
	all := e.set.Assets()
	if len(all) < len(wantAssets) {
		t.Errorf("%d assets found in the recordings, want at least %d", len(all), len(wantAssets))
	}
	for _, ra := range all {
		t.Run(ra.From+"/"+ra.Where, func(t *testing.T) {
			a, err := e.client.Asset(context.Background(), ra.Href)
			must(t, err)
			raw := object(t, ra.Raw)
			previews, _ := raw["previews"].([]any)
			renditions, _ := raw["renditions"].([]any)
			md, _ := raw["metadata"].(map[string]any)
			if a.Href != raw["href"] || a.Filename != raw["filename"] || len(a.Previews) != len(previews) ||
				len(a.Renditions) != len(renditions) || len(a.Metadata) != len(md) {
				t.Errorf("parsed %s %q: %d previews, %d renditions, %d fields; recorded %d, %d, %d",
					a.Href, a.Filename, len(a.Previews), len(a.Renditions), len(a.Metadata), len(previews), len(renditions), len(md))
			}
			for k, v := range md {
				want := at(map[string]any{"v": v}, "v", "value")
				var got string
				switch w := want.(type) {
				case string:
					got, want = a.Metadata[k].String(), w
				case []any:
					var ss []string
					for _, s := range w {
						ss = append(ss, s.(string))
					}
					got, want = a.Metadata[k].String(), strings.Join(ss, "; ")
				}
				if got != want {
					t.Errorf("metadata %s: %q, recorded %v", k, got, want)
				}
			}
			w, ok := wantAssets[ra.Href]
			if !ok {
				t.Logf("no expectations written for %s (from %s)", ra.Href, ra.From)
				return
			}
			pw, ph, known := a.PixelSize()
			if pw != w.w || ph != w.h || known != (w.w > 0) {
				t.Errorf("pixel size %dx%d (known %v), want %dx%d", pw, ph, known, w.w, w.h)
			}
			if len(a.Previews) != w.previews || len(a.Renditions) != w.renditions {
				t.Errorf("%d previews, %d renditions; want %d, %d", len(a.Previews), len(a.Renditions), w.previews, w.renditions)
			}
			if a.PreviewSizesKnown() == w.unknownPreviewHeights {
				t.Errorf("PreviewSizesKnown %v", a.PreviewSizesKnown())
			}
		})
	}
}

// TestRendition runs the rendition flow as recorded: the request (202
// with the task's href and an absolute Location), a poll that is not
// ready (202), then the file.
func TestRendition(t *testing.T) {
	e := newEnv(t)
	a, err := e.client.Asset(context.Background(), webpList)
	must(t, err)
	var orig string
	for _, r := range a.Renditions {
		if r.Original {
			orig = r.Href
		}
	}
	b, err := e.client.Rendition(context.Background(), orig)
	must(t, err)
	data, err := io.ReadAll(b)
	b.Close()
	must(t, err)
	rule := replay.Rules["enonic/octetStream"]
	if !bytes.Equal(data, replay.Placeholder(rule.Placeholder)) {
		t.Errorf("rendition: %d bytes, not the placeholder", len(data))
	}
	var flow []string
	for _, r := range e.fw.Requests() {
		switch {
		case r.Path == "/fotoweb/services/renditions":
			var body struct{ Href string }
			must(t, json.Unmarshal(r.Body, &body))
			if body.Href != orig {
				t.Errorf("rendition request for %q, want %q", body.Href, orig)
			}
			flow = append(flow, "POST "+r.From)
		case strings.HasPrefix(r.Path, "/fotoweb/me/background-tasks/"):
			flow = append(flow, "GET "+r.From+" "+strconv.Itoa(r.Status))
		}
	}
	want := []string{"POST enonic/rendition", "GET enonic/octetStream 202", "GET enonic/octetStream 200"}
	if !slices.Equal(flow, want) {
		t.Errorf("flow %q, want %q", flow, want)
	}
}
