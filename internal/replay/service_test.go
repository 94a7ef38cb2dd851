package replay_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/replay"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

const (
	apiKey     = "replay-api-key-0123456789abcdef"
	hookSecret = "replay-hook-secret-0123456789"
)

// service is the fotoembed service with the replay server as its
// FotoWeb.
type service struct {
	*env
	url    string
	signer *urlsig.Signer
}

// newService wires the service as cmd does, in the given delivery.
func newService(t *testing.T, delivery server.Delivery) *service {
	t.Helper()
	s := &service{env: newEnv(t)}
	ts := httptest.NewUnstartedServer(nil)
	s.url = "http://" + ts.Listener.Addr().String()
	var err error
	s.signer, err = urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("fotoembed-replay-test-key-0001")}})
	must(t, err)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: s.client})
	must(t, err)
	emb, err := embed.New(embed.Config{Resolver: res, Signer: s.signer, BaseURL: s.url, Origin: s.fw.URL, Tokens: s.tokens})
	must(t, err)
	srv, err := server.New(server.Config{FotoWeb: s.client, Embedder: emb, Signer: s.signer, Tokens: s.tokens,
		Origin: s.fw.URL, BaseURL: s.url, Delivery: delivery, AllowAdminTokenInURL: true,
		APIKeys: []string{apiKey}, HookSecret: hookSecret, PublicArchives: []string{"5000"}})
	must(t, err)
	t.Cleanup(srv.Close)
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return s
}

// do sends a request to the service and reads the answer; redirects are
// not followed.
func (s *service) do(t *testing.T, method, path string, body []byte, h http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	must(t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	if req.Header.Get("X-API-Key") == "" && strings.HasPrefix(path, "/v1/") {
		req.Header.Set("X-API-Key", apiKey)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	must(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return res, b
}

// TestServiceAssets is the picker's search: /v1/assets for the recorded
// searches lists the recorded assets with their sizes (unknown ones left
// out) and thumbnails that lead to the recorded 200 preview.
func TestServiceAssets(t *testing.T) {
	s := newService(t, server.DeliveryRedirect)
	for _, c := range []struct {
		q    string
		want []string
	}{{replay.EnonicQuery, []string{webpList}}, {replay.EnonicPagedQuery, nil}} {
		res, body := s.do(t, http.MethodGet, "/v1/assets?"+url.Values{"q": {c.q}}.Encode(), nil, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/v1/assets: %d %s", res.StatusCode, body)
		}
		var got struct{ Assets []map[string]any }
		must(t, json.Unmarshal(body, &got))
		if len(got.Assets) != len(c.want) {
			t.Fatalf("q=%s: %d assets, want %d: %s", c.q, len(got.Assets), len(c.want), body)
		}
		for i, a := range got.Assets {
			w := wantAssets[c.want[i]]
			_, hasW := a["width"]
			_, hasH := a["height"]
			if a["ref"] != c.want[i] || a["title"] != nilIfEmpty(w.title) || a["filename"] == "" {
				t.Errorf("entry %v", a)
			}
			if (w.w == 0) == (hasW || hasH) || (w.w > 0 && (a["width"] != float64(w.w) || a["height"] != float64(w.h))) {
				t.Errorf("entry %v: size, want %dx%d (0: left out)", a, w.w, w.h)
			}
			thumb, _ := a["thumbnail"].(string)
			res, _ := s.do(t, http.MethodGet, strings.TrimPrefix(thumb, s.url), nil, nil)
			loc, _ := url.Parse(res.Header.Get("Location"))
			if res.StatusCode != http.StatusFound || loc == nil || !strings.Contains(loc.Path, ".") {
				t.Fatalf("thumbnail %s: %d %v", thumb, res.StatusCode, loc)
			}
			in := previewByPath(t, s.env, c.want[i], loc.Path)
			if in.Width != w.thumbnail || in.Square {
				t.Errorf("thumbnail is preview %+v, want the %d one", in, w.thumbnail)
			}
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// previewByPath finds the recorded preview of asset href whose path is p.
func previewByPath(t *testing.T, e *env, href, p string) embed.Preview {
	t.Helper()
	for _, a := range e.set.Assets() {
		if a.Href != href {
			continue
		}
		var doc struct{ Previews []embed.Preview }
		must(t, json.Unmarshal(a.Raw, &doc))
		for _, pv := range doc.Previews {
			if u, _ := url.Parse(pv.Href); u != nil && u.Path == p {
				return pv
			}
		}
	}
	t.Fatalf("%s is no recorded preview of %s", p, href)
	return embed.Preview{}
}

// TestServiceEmbed asks /v1/resolve and /v1/embed for every recorded
// asset with an expectation.
func TestServiceEmbed(t *testing.T) {
	s := newService(t, server.DeliveryRedirect)
	for href, w := range wantAssets {
		item := map[string]any{"ref": href, "width": 600, "figure": true}
		if w.alt == "" {
			// No alt text in the recording: the service says so.
			body, _ := json.Marshal(map[string]any{"items": []any{item}})
			_, b := s.do(t, http.MethodPost, "/v1/resolve", body, http.Header{"Content-Type": {"application/json"}})
			if !strings.Contains(string(b), "alt") || !strings.Contains(string(b), `"error"`) {
				t.Errorf("%s without alt text: %s", href, b)
			}
			item["alt"] = "Replayed image"
		}
		body, _ := json.Marshal(map[string]any{"items": []any{item}})
		res, b := s.do(t, http.MethodPost, "/v1/resolve", body, http.Header{"Content-Type": {"application/json"}})
		var got struct{ Results []map[string]any }
		must(t, json.Unmarshal(b, &got))
		if res.StatusCode != http.StatusOK || len(got.Results) != 1 || got.Results[0]["error"] != nil {
			t.Fatalf("%s: %d %s", href, res.StatusCode, b)
		}
		r := got.Results[0]
		_, hasH := r["height"]
		if r["width"] != float64(w.attrW) || hasH != (w.attrH > 0) || (hasH && r["height"] != float64(w.attrH)) {
			t.Errorf("%s: width %v height %v, want %d, %d (0: left out)", href, r["width"], r["height"], w.attrW, w.attrH)
		}
		if r["caption"] != nilIfEmpty(w.caption) || r["credit"] != nilIfEmpty(w.credit) {
			t.Errorf("%s: caption %v credit %v", href, r["caption"], r["credit"])
		}
		q := url.Values{"ref": {href}, "width": {"600"}, "figure": {"1"}}
		if w.alt == "" {
			q.Set("alt", "Replayed image")
		}
		res, b = s.do(t, http.MethodGet, "/v1/embed?"+q.Encode(), nil, nil)
		if res.StatusCode != http.StatusOK || string(b) != r["html"] {
			t.Errorf("%s: /v1/embed %d %s\nwant the /v1/resolve html %v", href, res.StatusCode, b, r["html"])
		}
	}
}

// TestServiceWebhooks posts each recorded webhook, with its recorded
// headers, to the service: the asset's cached entry is dropped, so the
// next request asks FotoWeb again.
func TestServiceWebhooks(t *testing.T) {
	s := newService(t, server.DeliveryRedirect)
	for _, r := range s.set.List {
		if !replay.Rules[r.Name].Webhook {
			continue
		}
		t.Run(r.Name, func(t *testing.T) {
			body, h, err := s.fw.Webhook(r.Name)
			must(t, err)
			if h.Get("User-Agent") == "" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("recorded headers %v", h)
			}
			var hook struct {
				Href string `json:"href"`
			}
			must(t, json.Unmarshal(body, &hook))
			u, err := url.Parse(hook.Href)
			must(t, err)
			if got := u.Scheme + "://" + u.Host; got != s.fw.URL {
				t.Fatalf("webhook href %s is not on the replay server", hook.Href)
			}
			href := u.EscapedPath()
			embedOnce := func() {
				q := url.Values{"ref": {href}, "width": {"300"}, "alt": {"x"}}
				if res, b := s.do(t, http.MethodGet, "/v1/embed?"+q.Encode(), nil, nil); res.StatusCode != http.StatusOK {
					t.Fatalf("/v1/embed %s: %d %s", href, res.StatusCode, b)
				}
			}
			embedOnce()
			embedOnce()
			if n := s.fw.Count(href); n != 1 {
				t.Fatalf("%d asset requests before the webhook, want 1 (cached)", n)
			}
			res, b := s.do(t, http.MethodPost, "/hooks/fotoweb/"+hookSecret, body, h)
			if res.StatusCode != http.StatusNoContent {
				t.Fatalf("webhook: %d %s", res.StatusCode, b)
			}
			embedOnce()
			if n := s.fw.Count(href); n != 2 {
				t.Errorf("%d asset requests after the webhook, want 2 (invalidated, asked again)", n)
			}
		})
	}
}

// TestServiceRendition fetches the original of the recorded WebP through
// a signed URL in proxy delivery: rendition request, a pending poll, the
// file.
func TestServiceRendition(t *testing.T) {
	s := newService(t, server.DeliveryProxy)
	p, err := s.signer.SignPath(urlsig.Options{Rendition: "original"}, webpList, "")
	must(t, err)
	res, b := s.do(t, http.MethodGet, p, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("rendition: %d %s", res.StatusCode, b)
	}
	if want := replay.Placeholder(replay.Rules["enonic/octetStream"].Placeholder); !bytes.Equal(b, want) {
		t.Errorf("rendition: %d bytes, not the placeholder", len(b))
	}
	if n := s.fw.Count(replay.Rules["enonic/octetStream"].Path); n != 2 {
		t.Errorf("%d polls, want 2 (202, then the file)", n)
	}
}
