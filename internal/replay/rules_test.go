package replay_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/internal/replay"
	"github.com/fotoembed/fotoembed/internal/testenv"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestNewRecordingIsNoticed adds a recording to a copy of the folder: it
// fails the rules check until a rule places it, and its asset is served
// and parsed with no code.
func TestNewRecordingIsNoticed(t *testing.T) {
	src := testenv.Recorded(t)
	dir := testutil.CopyTree(t, src)
	drupal, err := os.ReadFile(filepath.Join(src, "drupal", "asset.json"))
	must(t, err)
	const href = "/fotoweb/archives/5000-All-files/new%20asset.jpg.info"
	body := bytes.ReplaceAll(drupal, []byte("/fotoweb/archives/testarchive/myimage.jpg.info"), []byte(href))
	must(t, os.MkdirAll(filepath.Join(dir, "new"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "new", "assetGet.json"), body, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "new", "assetGet.meta.json"),
		[]byte(`{"status": 200, "contentType": "application/vnd.fotoware.asset+json; charset=utf-8"}`), 0o644))
	must(t, os.Remove(filepath.Join(dir, "enonic", "metadataEditor.json")))
	must(t, os.Remove(filepath.Join(dir, "enonic", "metadataEditor.meta.json")))

	set, err := replay.Load(dir)
	must(t, err)
	var msgs []string
	for _, err := range replay.Check(set) {
		msgs = append(msgs, err.Error())
	}
	all := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(all, "new/assetGet (application/vnd.fotoware.asset+json) has no rule") ||
		!strings.Contains(all, "rule for enonic/metadataEditor, but no such recording") {
		t.Errorf("check:\n%s", all)
	}
	if _, err := replay.Parse(set.Get("new/assetGet").MediaType(), set.Get("new/assetGet").Body); err != nil {
		t.Error(err)
	}

	srv, err := replay.NewServer(set)
	must(t, err)
	t.Cleanup(srv.Close)
	c, err := fotoweb.New(fotoweb.Config{BaseURL: srv.URL, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.Token()})})
	must(t, err)
	a, err := c.Asset(context.Background(), href)
	if err != nil || a.Href != href || a.Width() != 5472 {
		t.Errorf("the new recording's asset: %+v, %v", a, err)
	}
}

// TestServedAsRecorded checks the replay server itself: every answer is
// the recorded body, verbatim, with the recorded status and headers (the
// recorded origin replaced by the server's; Date and Content-Length its
// own).
func TestServedAsRecorded(t *testing.T) {
	set := load(t)
	srv, err := replay.NewServer(set)
	must(t, err)
	t.Cleanup(srv.Close)
	for _, r := range set.List {
		rule := replay.Rules[r.Name]
		if rule.Method == "" {
			continue
		}
		t.Run(r.Name, func(t *testing.T) {
			u := srv.URL + rule.Path
			if rule.Query != "" {
				u += "?" + url.Values{"q": {rule.Query}}.Encode()
			}
			var res *http.Response
			var body []byte
			for i := 0; i <= rule.Pending; i++ {
				req, err := http.NewRequest(rule.Method, u, nil)
				must(t, err)
				req.Header.Set("Authorization", "Bearer "+srv.Token())
				res, err = http.DefaultClient.Do(req)
				must(t, err)
				body, err = io.ReadAll(res.Body)
				res.Body.Close()
				must(t, err)
				if i < rule.Pending && res.StatusCode != http.StatusAccepted {
					t.Fatalf("poll %d: %d, want 202", i+1, res.StatusCode)
				}
			}
			want := r.Body
			if rule.Placeholder > 0 {
				want = replay.Placeholder(rule.Placeholder)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body differs from the recording (%d bytes, recorded %d)", len(body), len(want))
			}
			if res.Header.Get("Content-Length") != strconv.Itoa(len(want)) || res.Header.Get("Date") == "" {
				t.Errorf("Content-Length %q, Date %q", res.Header.Get("Content-Length"), res.Header.Get("Date"))
			}
			if r.Meta == nil {
				if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != rule.ContentType {
					t.Errorf("%d %q, want 200 %q", res.StatusCode, res.Header.Get("Content-Type"), rule.ContentType)
				}
				return
			}
			if res.StatusCode != r.Meta.Status {
				t.Errorf("status %d, recorded %d", res.StatusCode, r.Meta.Status)
			}
			for k, v := range r.Meta.Headers {
				if v == nil || strings.EqualFold(k, "Date") || strings.EqualFold(k, "Content-Length") {
					continue
				}
				if got, want := res.Header.Get(k), strings.ReplaceAll(*v, replay.RecordedOrigin, srv.URL); got != want {
					t.Errorf("%s: %q, recorded %q", k, got, want)
				}
			}
			if ct := res.Header.Get("Content-Type"); r.Meta.ContentType != "" && ct != r.Meta.ContentType {
				t.Errorf("Content-Type %q, recorded %q", ct, r.Meta.ContentType)
			}
		})
	}

	// Without the recorded token: 401; asking for another media type: 406.
	res, err := http.Get(srv.URL + "/fotoweb/me/")
	must(t, err)
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/fotoweb/me/", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Accept", "application/vnd.fotoware.assetlist+json")
	res2, err := http.DefaultClient.Do(req)
	must(t, err)
	res2.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || res2.StatusCode != http.StatusNotAcceptable {
		t.Errorf("no token: %d, wrong Accept: %d; want 401, 406", res.StatusCode, res2.StatusCode)
	}
}
