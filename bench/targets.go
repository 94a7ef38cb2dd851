package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// WarmAssets are the assets of the warm set: the seed images the
// least-privilege user sees, in every shape the fake has (landscape,
// portrait, square, panorama, tiny, rotated, non-ASCII names and texts).
var WarmAssets = []string{
	fotowebtest.LandscapeAsset, fotowebtest.PortraitAsset, fotowebtest.SquareAsset,
	fotowebtest.SpaceNameAsset, fotowebtest.CJKAsset, fotowebtest.EmojiAsset,
	fotowebtest.ScriptAsset, fotowebtest.PanoramaAsset, fotowebtest.SmallAsset,
	fotowebtest.TinyAsset, fotowebtest.RotatedAsset, fotowebtest.NoCaptionAsset,
	fotowebtest.NorwegianAsset,
}

// ProxyFileSize is the size of the file the proxy benchmark streams: the
// preview closest to it is chosen.
const ProxyFileSize = 100 << 10

// BatchSize is the number of items in the /v1/resolve benchmark's body.
const BatchSize = 50

// Targets are the requests of the load tests, as paths (with query) on
// the service or the fake.
type Targets struct {
	// Redirect are the signed paths of every preview of WarmAssets.
	Redirect []string
	// Proxy is the signed path of the preview closest to ProxyFileSize.
	Proxy string
	// ProxyBytes is that preview's size.
	ProxyBytes int
	// Preview is that preview's path on the fake, for the reverse proxy.
	Preview string
	// Embed are /v1/embed paths, one per warm asset.
	Embed []string
	// ResolveBody is a POST /v1/resolve body of BatchSize items.
	ResolveBody []byte
	// APIKey is the service's API key.
	APIKey string
}

// BuildTargets resolves WarmAssets through s (warming its cache) and
// returns the load-test requests; the proxy ones are left empty until
// [Targets.ChooseProxyFile].
func BuildTargets(ctx context.Context, s *Service) (*Targets, error) {
	t := &Targets{APIKey: s.Config.APIKey}
	type item struct {
		Ref   string `json:"ref"`
		Width int    `json:"width"`
	}
	var items []item
	var refs []string // assets with alt text: HTML for them needs no caller alt
	widths := []int{300, 600, 800, 1200}
	for i, href := range WarmAssets {
		in, err := s.Resolver.Resolve(ctx, href)
		if err != nil {
			return nil, fmt.Errorf("bench: resolving %s: %w", href, err)
		}
		for j := range in.Previews {
			u, err := s.Embedder.SignedURL(in, j, time.Time{})
			if err != nil {
				return nil, err
			}
			t.Redirect = append(t.Redirect, strings.TrimPrefix(u, s.URL))
		}
		if in.Text.Alt == "" && in.Text.Title == "" {
			continue
		}
		refs = append(refs, href)
		t.Embed = append(t.Embed, "/v1/embed?ref="+url.QueryEscape(href)+fmt.Sprintf("&width=%d", widths[i%len(widths)]))
	}
	for i := 0; i < BatchSize; i++ {
		items = append(items, item{Ref: refs[i%len(refs)], Width: widths[(i/len(refs))%len(widths)]})
	}
	var err error
	if t.ResolveBody, err = json.Marshal(map[string][]item{"items": items}); err != nil {
		return nil, err
	}
	return t, nil
}

// ChooseProxyFile sets the proxy targets: among the largest (2400 pixel)
// non-square previews of the warm assets, the one closest in size to
// ProxyFileSize.
// It fetches those previews once (the fake generates them on first use).
func (t *Targets) ChooseProxyFile(ctx context.Context, s *Service) error {
	var best *embed.Info
	bestI, bestDiff := -1, 0
	for _, href := range WarmAssets {
		in, err := s.Resolver.Resolve(ctx, href)
		if err != nil {
			return err
		}
		for i, p := range in.Previews {
			if p.Square || p.Size < 2400 {
				continue
			}
			n, err := previewSize(ctx, s, p)
			if err != nil {
				return err
			}
			if d := abs(n - ProxyFileSize); best == nil || d < bestDiff {
				best, bestI, bestDiff, t.ProxyBytes = in, i, d, n
			}
		}
	}
	if best == nil {
		return fmt.Errorf("bench: no warm asset has a preview of 2400 pixels")
	}
	u, err := s.Embedder.SignedURL(best, bestI, time.Time{})
	if err != nil {
		return err
	}
	t.Proxy = strings.TrimPrefix(u, s.URL)
	t.Preview = best.Previews[bestI].Href
	if pu, err := url.Parse(t.Preview); err == nil && pu.IsAbs() {
		t.Preview = pu.RequestURI()
	}
	return nil
}

// previewSize fetches a preview and returns its length.
func previewSize(ctx context.Context, s *Service, p embed.Preview) (int, error) {
	b, err := s.Client.Open(ctx, p.Href, "", nil)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	n, err := io.Copy(io.Discard, b)
	return int(n), err
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// noFollow is an HTTP client that does not follow redirects.
var noFollow = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Check sends every target once to the service at base (and the preview
// to the reverse proxy at proxyBase, when not "") and reports the first
// answer that is not what the delivery promises: 302 to the FotoWeb
// origin in redirect delivery, 200 with the file's bytes in proxy
// delivery, 200 for /v1/embed, 200 without item errors for /v1/resolve.
// It also warms every path the load test sends.
func (t *Targets) Check(ctx context.Context, base, origin, proxyBase string, proxy bool) error {
	if proxy {
		if err := expect(ctx, base+t.Proxy, "", nil, http.StatusOK, t.ProxyBytes, ""); err != nil {
			return err
		}
	} else {
		for _, p := range t.Redirect {
			if err := expect(ctx, base+p, "", nil, http.StatusFound, -1, origin); err != nil {
				return err
			}
		}
	}
	if proxyBase != "" {
		if err := expect(ctx, proxyBase+t.Preview, "", nil, http.StatusOK, t.ProxyBytes, ""); err != nil {
			return err
		}
	}
	for _, p := range t.Embed {
		if err := expect(ctx, base+p, t.APIKey, nil, http.StatusOK, -1, ""); err != nil {
			return err
		}
	}
	return expect(ctx, base+"/v1/resolve", t.APIKey, t.ResolveBody, http.StatusOK, -1, "")
}

// expect sends one request (POST when body is not nil) and checks the
// status, the body length (unless -1), a redirect's Location prefix
// (unless ""), and for /v1/resolve that no item failed.
func expect(ctx context.Context, u, apiKey string, body []byte, status, size int, locPrefix string) error {
	method := http.MethodGet
	var r io.Reader
	if body != nil {
		method, r = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if apiKey != "" {
		req.Header.Set("X-API-Key", apiKey)
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("bench: %s %s: reading: %w", method, redactQuery(u), err)
	}
	switch {
	case res.StatusCode != status:
		return fmt.Errorf("bench: %s %s: status %d, want %d (%.200s)", method, redactQuery(u), res.StatusCode, status, b)
	case size >= 0 && len(b) != size:
		return fmt.Errorf("bench: %s %s: %d bytes, want %d", method, redactQuery(u), len(b), size)
	case locPrefix != "" && !strings.HasPrefix(res.Header.Get("Location"), locPrefix+"/"):
		return fmt.Errorf("bench: %s %s: redirect off the FotoWeb origin", method, redactQuery(u))
	case body != nil && bytes.Contains(b, []byte(`"error"`)):
		return fmt.Errorf("bench: %s %s: an item failed: %.300s", method, redactQuery(u), b)
	}
	return nil
}

// redactQuery drops a URL's query (it may hold a token or a reference).
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}
