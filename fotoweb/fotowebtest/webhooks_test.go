package fotowebtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// receiver records webhook requests.
type receiver struct {
	*httptest.Server
	reqs chan received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, status int) *receiver {
	rc := &receiver{reqs: make(chan received, 10)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.reqs <- received{r.Header.Clone(), b}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func TestWebhookPayloads(t *testing.T) {
	s := newServer(t, Options{})
	rc := newReceiver(t, http.StatusNoContent)
	s.SetMetadata(LandscapeAsset, 25, "harbour", "boats", "Taggy")
	s.SetMetadata(LandscapeAsset, 80, "Kari Nordmann", "Another author")
	s.DeleteAsset(TinyAsset)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		kind  WebhookKind
		href  string
		op    string
		check func(t *testing.T, m map[string]any)
	}{
		{AssetIngested, LandscapeAsset, "upload", func(t *testing.T, m map[string]any) {
			data := m["data"].(map[string]any)
			if data["filename"] != "harbour.jpg" || data["href"] != LandscapeAsset {
				t.Errorf("data %v %v", data["filename"], data["href"])
			}
		}},
		{AssetModified, LandscapeAsset, "updateMetadata", func(t *testing.T, m map[string]any) {
			data := m["data"].(map[string]any)
			if data["asset"].(map[string]any)["filename"] != "harbour.jpg" || data["assetBefore"] == nil {
				t.Errorf("data %v", data)
			}
			changed := list(t, data["metadataDiff"].(map[string]any), "changedFields")
			if len(changed) != 1 {
				t.Fatalf("changedFields %v", changed)
			}
			b, _ := json.Marshal(changed[0])
			want := `{"diff":{"added":{"values":[{"s":"Another author"}]},"new":{"values":[{"s":"Kari Nordmann"},{"s":"Another author"}]},"old":{"values":[{"s":"Kari Nordmann"}]}},"field":{"id":80,"label":"Author"}}`
			if string(b) != want {
				t.Errorf("diff %s\nwant %s", b, want)
			}
			if m["tags"] != "harbour; boats; Taggy" || m["byline"] != "Kari Nordmann; Another author" {
				t.Errorf("tags %q byline %q", m["tags"], m["byline"])
			}
		}},
		{AssetDeleted, TinyAsset, "delete", func(t *testing.T, m map[string]any) {
			if m["data"].(map[string]any)["filename"] != "tiny-150x100.png" {
				t.Errorf("data %v", m["data"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			status, err := s.EmitWebhook(context.Background(), rc.URL+"/hooks?secret=x", tt.kind, tt.href)
			if err != nil || status != http.StatusNoContent {
				t.Fatalf("EmitWebhook: %d %v", status, err)
			}
			req := <-rc.reqs
			if req.header.Get("User-Agent") != "FotoWeb/8.1" || req.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", req.header)
			}
			for k := range req.header {
				if strings.Contains(strings.ToLower(k), "signature") {
					t.Errorf("unexpected header %s", k)
				}
			}
			var m map[string]any
			if err := json.Unmarshal(req.body, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] != "asset" || m["operation-name"] != tt.op || !uuid.MatchString(m["id"].(string)) {
				t.Errorf("type %v op %v id %v", m["type"], m["operation-name"], m["id"])
			}
			if m["href"] != s.URL+tt.href {
				t.Errorf("href %v", m["href"])
			}
			for _, k := range []string{"file-size", "pixel-width", "pixel-height", "title", "description", "tags", "byline", "preview-href", "thumbnail-href", "created"} {
				if _, ok := m[k].(string); !ok {
					t.Errorf("%s is %T, want a string", k, m[k])
				}
			}
			if !strings.HasPrefix(m["preview-href"].(string), s.URL+"/fotoweb/cache/v2/") {
				t.Errorf("preview-href %v", m["preview-href"])
			}
			// FotoWeb's webhook emitter writes floats for these.
			if !strings.Contains(string(req.body), `"resolution":300.0`) || !strings.Contains(string(req.body), `"rotation":0.0`) {
				t.Error("resolution/rotation not written as floats")
			}
			tt.check(t, m)
		})
	}
	m := map[string]any{}
	if _, err := s.EmitWebhook(context.Background(), rc.URL, AssetIngested, "/fotoweb/archives/5001-Photos/nope.jpg.info"); err == nil {
		t.Error("unknown asset: no error")
	}
	status, err := s.EmitWebhook(context.Background(), rc.URL, AssetIngested, s.URL+DocumentAsset)
	if err != nil || status != 204 {
		t.Fatal(status, err)
	}
	json.Unmarshal((<-rc.reqs).body, &m)
	if m["pixel-width"] != "" || m["preview-href"] != "" || m["file-size"] != "245760" {
		t.Errorf("document: %v %v %v", m["pixel-width"], m["preview-href"], m["file-size"])
	}
}
