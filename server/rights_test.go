package server

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Rights fields of these tests (free field ids in the fake's seed data).
const (
	expiryField    = 230
	withdrawnField = 10
)

// rightsEnv is the service reading the rights fields, on the test clock.
func rightsEnv(t *testing.T, delivery Delivery, placeholder bool) *env {
	t.Helper()
	return newEnv(t, envOptions{
		embed: func(e *env, rc *embed.ResolverConfig, _ *embed.Config) {
			rc.Fields = embed.Fields{RightsExpiry: expiryField, Withdrawn: withdrawnField}
			rc.TTL, rc.Now = time.Hour, e.clock.Now
		},
		configure: func(c *Config) { c.Delivery, c.UnpublishedPlaceholder = delivery, placeholder },
	})
}

// TestRightsExpireWithoutWebhook: an asset whose licence ends during the
// test is served until that moment, never cached beyond it, and answered
// 410 from then on, with no webhook.
func TestRightsExpireWithoutWebhook(t *testing.T) {
	for _, d := range []Delivery{DeliveryRedirect, DeliveryProxy} {
		t.Run(d.String(), func(t *testing.T) {
			e := rightsEnv(t, d, false)
			e.fake.SetMetadata(fotowebtest.LandscapeAsset, expiryField, e.clock.Now().Add(90*time.Second).UTC().Format(time.RFC3339))
			path, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
			r := e.get(path)
			if r.StatusCode != http.StatusFound && r.StatusCode != http.StatusOK {
				t.Fatalf("before the end: %d %s", r.StatusCode, r.body)
			}
			want := "private, max-age=90"
			if d == DeliveryProxy {
				want = "public, max-age=90"
			}
			if cc := r.Header.Get("Cache-Control"); cc != want {
				t.Errorf("Cache-Control %q, want %q (capped at the licence end)", cc, want)
			}
			e.clock.Advance(60 * time.Second)
			if cc := e.get(path).Header.Get("Cache-Control"); !strings.HasSuffix(cc, "max-age=30") {
				t.Errorf("30 s before the end: Cache-Control %q", cc)
			}
			e.clock.Advance(30 * time.Second)
			r = e.get(path)
			wantStatus(t, r, http.StatusGone)
			if !strings.Contains(string(r.body), "licence expired") || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("after the end: %q, Cache-Control %q", r.body, r.Header.Get("Cache-Control"))
			}
		})
	}
}

// TestWithdrawn: a withdrawn asset answers 410 on every route that would
// show it, says why per /v1/resolve item, and with the placeholder option
// a signed URL answers a grey PNG of the same size.
func TestWithdrawn(t *testing.T) {
	e := rightsEnv(t, DeliveryRedirect, false)
	e.fake.SetMetadata(fotowebtest.LandscapeAsset, withdrawnField, "Withdrawn")
	path, _ := e.signedURL(fotowebtest.PortraitAsset, 400) // a published one, for comparison
	wantStatus(t, e.get(path), http.StatusFound)

	lpath := e.sign(urlsig.Options{Width: 400}, fotowebtest.LandscapeAsset, ".jpg")
	wantStatus(t, e.get(lpath), http.StatusGone)
	page := "/p/" + strings.TrimPrefix(e.srv.pageURL(fotowebtest.LandscapeAsset), e.ts.URL+"/p/")
	wantStatus(t, e.get(page), http.StatusGone)
	wantStatus(t, e.get("/oembed?url="+url.QueryEscape(e.srv.pageURL(fotowebtest.LandscapeAsset))), http.StatusGone)
	q := url.Values{"ref": {fotowebtest.LandscapeAsset}, "width": {"400"}}
	wantStatus(t, e.do(http.MethodGet, "/v1/embed?"+q.Encode(), nil, "X-API-Key", testAPIKey), http.StatusGone)

	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "width": 400}, {"ref": fotowebtest.PortraitAsset, "width": 400}}})
	wantStatus(t, r, http.StatusOK)
	var out struct{ Results []itemResult }
	decode(t, r, &out)
	if !strings.Contains(out.Results[0].Error, "withdrawn (Withdrawn)") || out.Results[0].HTML != "" {
		t.Errorf("withdrawn item: %+v", out.Results[0])
	}
	if out.Results[1].Error != "" || out.Results[1].HTML == "" {
		t.Errorf("published item: %+v", out.Results[1])
	}

	ph := rightsEnv(t, DeliveryRedirect, true)
	ph.fake.SetMetadata(fotowebtest.LandscapeAsset, withdrawnField, "withdrawn")
	lpath = ph.sign(urlsig.Options{Width: 400}, fotowebtest.LandscapeAsset, ".jpg")
	r = ph.get(lpath)
	wantStatus(t, r, http.StatusOK)
	img, err := png.Decode(bytes.NewReader(r.body))
	must(t, err)
	in := ph.info(fotowebtest.LandscapeAsset)
	i, err := in.ChooseFor(urlsig.Options{Width: 400})
	must(t, err)
	if b := img.Bounds(); b.Dx() != in.Previews[i].Width || b.Dy() != in.Previews[i].Height {
		t.Errorf("placeholder %v, want the preview's %dx%d", b, in.Previews[i].Width, in.Previews[i].Height)
	}
	if r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Surrogate-Key") == "" {
		t.Errorf("placeholder headers %v", r.Header)
	}
}

// purgeLog records the purges asked for (the CDN side is tested with the
// purge package's backends).
type purgeLog struct {
	mu   sync.Mutex
	asks []string
}

func (p *purgeLog) Purge(asset, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asks = append(p.asks, reason+" "+asset)
}

func (p *purgeLog) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asks...)
}

// TestLicenceEndPurges: when the licence of an image the service handed
// out ends, the CDN is asked to drop it at that moment, with no webhook;
// a licence extended before its end is not purged.
func TestLicenceEndPurges(t *testing.T) {
	log := &purgeLog{}
	e := newEnv(t, envOptions{
		embed: func(e *env, rc *embed.ResolverConfig, _ *embed.Config) {
			rc.Fields = embed.Fields{RightsExpiry: expiryField}
			rc.TTL, rc.Now = time.Hour, e.clock.Now
		},
		configure: func(c *Config) { c.Purger = log },
	})
	// Extended before it ends: the timer finds the new end and watches it.
	end := e.clock.Now().Add(20 * time.Millisecond)
	e.fake.SetMetadata(fotowebtest.PortraitAsset, expiryField, end.UTC().Format(time.RFC3339Nano))
	ppath, _ := e.signedURL(fotowebtest.PortraitAsset, 400)
	wantStatus(t, e.get(ppath), http.StatusFound)
	later := end.Add(time.Hour)
	e.fake.SetMetadata(fotowebtest.PortraitAsset, expiryField, later.UTC().Format(time.RFC3339Nano))
	must(t, e.res.Invalidate(context.Background(), fotowebtest.PortraitAsset))
	testutil.WaitFor(t, 10*time.Second, "the timer to move to the new end", func() bool {
		e.srv.expiry.mu.Lock()
		defer e.srv.expiry.mu.Unlock()
		return e.srv.expiry.timers[fotowebtest.PortraitAsset].at.Equal(later)
	})

	e.fake.SetMetadata(fotowebtest.LandscapeAsset, expiryField, end.UTC().Format(time.RFC3339Nano))
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
	wantStatus(t, e.get(path), http.StatusFound)
	e.clock.Advance(time.Second) // the licence has ended when the timer fires
	testutil.WaitFor(t, 10*time.Second, "the purge at the licence end", func() bool { return len(log.list()) > 0 })
	if got := log.list(); len(got) != 1 || got[0] != "unpublished "+fotowebtest.LandscapeAsset {
		t.Errorf("purges %q", got)
	}
}
