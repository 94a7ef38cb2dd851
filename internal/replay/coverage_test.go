package replay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/internal/replay"
	"github.com/fotoembed/fotoembed/server"
)

// TestEveryRecordingReplayed drives fotoembed through every recording in
// one session: the token, the descriptor, each recorded search, each
// asset, the rendition flow, any other recorded answer (fetched through
// the client and parsed as its media type: a new recording needs only its
// rule), and each webhook posted to the service. Every rule's recording
// must have been served or posted, with no error.
func TestEveryRecordingReplayed(t *testing.T) {
	s := newService(t, server.DeliveryRedirect)
	ctx := context.Background()
	_, err := s.tokens.Token()
	must(t, err)
	_, err = s.client.Descriptor(ctx)
	must(t, err)
	for _, r := range s.set.List {
		if rule := replay.Rules[r.Name]; rule.Method == http.MethodGet && rule.Query != "" &&
			r.MediaType() == "application/vnd.fotoware.collectionlist+json" {
			_, err := s.client.SearchAll(ctx, rule.Query, 0)
			must(t, err)
		}
	}
	for _, a := range s.set.Assets() {
		_, err := s.client.Asset(ctx, a.Href)
		must(t, err)
	}
	for _, r := range s.set.List { // a rendition task: the original of the asset it is named after
		rule := replay.Rules[r.Name]
		if rule.Pending == 0 {
			continue
		}
		var orig string
		for _, a := range s.set.Assets() {
			var doc struct {
				Filename   string
				Renditions []struct {
					Href     string
					Original bool
				}
			}
			must(t, json.Unmarshal(a.Raw, &doc))
			for _, rd := range doc.Renditions {
				if rd.Original && doc.Filename == path.Base(rule.Path) && orig == "" {
					orig = rd.Href
				}
			}
		}
		if orig == "" {
			t.Fatalf("%s: no recorded asset is named %s", r.Name, path.Base(rule.Path))
		}
		b, err := s.client.Rendition(ctx, orig)
		must(t, err)
		_, err = io.Copy(io.Discard, b)
		b.Close()
		must(t, err)
	}
	served := func(name string) bool {
		for _, q := range s.fw.Requests() {
			if q.From == name && q.Status < 400 {
				return true
			}
		}
		return false
	}
	for _, r := range s.set.List {
		rule := replay.Rules[r.Name]
		switch {
		case rule.Method == http.MethodGet && !served(r.Name):
			u := (&url.URL{Path: rule.Path}).EscapedPath()
			if rule.Query != "" {
				u += "?" + url.Values{"q": {rule.Query}}.Encode()
			}
			b, err := s.client.Open(ctx, u, "", nil)
			must(t, err)
			data, err := io.ReadAll(b)
			b.Close()
			must(t, err)
			mt, _, _ := strings.Cut(b.ContentType, ";")
			if _, err := replay.Parse(strings.TrimSpace(mt), data); err != nil {
				t.Errorf("%s at %s: %v", r.Name, u, err)
			}
		case rule.Webhook:
			body, h, err := s.fw.Webhook(r.Name)
			must(t, err)
			res, b := s.do(t, http.MethodPost, "/hooks/fotoweb/"+hookSecret, body, h)
			if res.StatusCode != http.StatusNoContent {
				t.Errorf("%s: the service answered %d %s", r.Name, res.StatusCode, b)
			}
		}
	}
	for _, r := range s.set.List {
		if rule := replay.Rules[r.Name]; rule.Method != "" && !served(r.Name) {
			t.Errorf("%s (%s %s) was never served", r.Name, rule.Method, rule.Path)
		}
	}
}
