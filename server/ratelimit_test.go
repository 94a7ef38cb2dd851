package server

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// missingAsset is the href of an asset the fake does not have.
func missingAsset(i int) string {
	return fmt.Sprintf("/fotoweb/archives/5001-Photos/missing-%d.jpg.info", i)
}

// fromClient is the header making the trusted loopback proxy speak for ip.
func fromClient(ip string) []string { return []string{"X-Forwarded-For", ip} }

// limitedEnv is an env whose loopback peer is a trusted proxy, so that
// X-Forwarded-For names the client, with the rate limits set by limits.
func limitedEnv(t *testing.T, limits func(*Config)) *env {
	return newEnv(t, envOptions{configure: func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		limits(c)
	}})
}

// want429 checks a 429 with Retry-After secs and the error handler's body.
func want429(t *testing.T, r response, secs string, json bool) {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	if got := r.Header.Get("Retry-After"); got != secs {
		t.Errorf("Retry-After %q, want %q", got, secs)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	body := strings.TrimSpace(string(r.body))
	if want := `{"message":"` + msgRateLimited + `"}`; json && body != want {
		t.Errorf("body %s, want %s", body, want)
	} else if !json && body != msgRateLimited {
		t.Errorf("body %q, want %q", body, msgRateLimited)
	}
}

// rateLimited is fotoembed_rate_limited_total of route as /metrics says.
func rateLimited(e *env, route string) string {
	e.t.Helper()
	prefix := `fotoembed_rate_limited_total{route="` + route + `"} `
	for _, l := range strings.Split(string(e.get("/metrics").body), "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return "absent"
}

func TestRateLimitPublic(t *testing.T) {
	e := limitedEnv(t, func(c *Config) { c.RateLimitPublic, c.RateLimitPublicBurst = 0.5, 3 })
	page := func(i int, client string) response {
		return e.get("/p/"+urlsig.EncodeAsset(missingAsset(i)), fromClient(client)...)
	}
	a, b := "198.51.100.7", "203.0.113.9"
	for i := range 3 {
		wantStatus(t, page(i, a), http.StatusNotFound)
	}
	before := e.upstreamCount()
	want429(t, page(3, a), "2", false)
	oembed := e.get("/oembed?"+url.Values{"url": {e.srv.pageURL(missingAsset(4))}}.Encode(), fromClient(a)...)
	want429(t, oembed, "2", true) // one budget for /p/ and /oembed; JSON like the route's other errors
	if n := e.upstreamCount(); n != before {
		t.Errorf("a limited client caused %d FotoWeb requests", n-before)
	}

	// Another client is unaffected; an IPv6 client is its /64.
	wantStatus(t, page(5, b), http.StatusNotFound)
	for i := range 3 {
		wantStatus(t, page(6+i, fmt.Sprintf("2001:db8:1:2::%d", i+1)), http.StatusNotFound)
	}
	wantStatus(t, page(9, "2001:db8:1:2::ff"), http.StatusTooManyRequests)
	wantStatus(t, page(9, "2001:db8:1:3::1"), http.StatusNotFound)

	e.clock.Advance(2 * time.Second) // one token back
	wantStatus(t, page(10, a), http.StatusNotFound)
	wantStatus(t, page(11, a), http.StatusTooManyRequests)

	if got := rateLimited(e, routePage); got != "3" {
		t.Errorf("rate limited on %s: %s, want 3", routePage, got)
	}
	if got := rateLimited(e, routeOEmbed); got != "1" {
		t.Errorf("rate limited on %s: %s, want 1", routeOEmbed, got)
	}
}

func TestRateLimitExempt(t *testing.T) {
	e := limitedEnv(t, func(c *Config) {
		c.RateLimitPublic, c.RateLimitPublicBurst = 0.001, 1
		c.RateLimitImages, c.RateLimitImagesBurst = 0.001, 1
		c.RateLimitImageFetches, c.RateLimitImageFetchesBurst = 0.001, 1
		c.RateLimitExempt = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	})
	for i, client := range []string{"10.1.2.3", "10.200.0.1", "::ffff:10.9.9.9", "2001:db8::1"} {
		for j := range 5 {
			wantStatus(t, e.get("/p/"+urlsig.EncodeAsset(missingAsset(10*i+j)), fromClient(client)...), http.StatusNotFound)
			wantStatus(t, e.get(e.sign(signedWidth(400), missingAsset(10*i+j), ".jpg"), fromClient(client)...), http.StatusNotFound)
		}
	}
	wantStatus(t, e.get("/p/"+urlsig.EncodeAsset(missingAsset(99)), fromClient("11.0.0.1")...), http.StatusNotFound)
	wantStatus(t, e.get("/p/"+urlsig.EncodeAsset(missingAsset(99)), fromClient("11.0.0.1")...), http.StatusTooManyRequests)
}

func TestRateLimitImageFetches(t *testing.T) {
	e := limitedEnv(t, func(c *Config) { c.RateLimitImageFetches, c.RateLimitImageFetchesBurst = 1, 2 })
	warm, _ := e.signedURL(fotowebtest.LandscapeAsset, 400) // resolved: cached
	a, b := "198.51.100.7", "203.0.113.9"
	for range 20 {
		wantStatus(t, e.get(warm, fromClient(a)...), http.StatusFound)
	}
	cold := func(i int) string { return e.sign(signedWidth(400), missingAsset(i), ".jpg") }
	wantStatus(t, e.get(cold(1), fromClient(a)...), http.StatusNotFound)
	wantStatus(t, e.get(cold(2), fromClient(a)...), http.StatusNotFound)
	before := e.upstreamCount()
	want429(t, e.get(cold(3), fromClient(a)...), "1", false)
	if n := e.upstreamCount(); n != before {
		t.Errorf("a limited client caused %d FotoWeb requests", n-before)
	}
	// Cached answers ("not found" included) and bad signatures cost
	// FotoWeb nothing: still served to the limited client.
	wantStatus(t, e.get(warm, fromClient(a)...), http.StatusFound)
	wantStatus(t, e.get(cold(1), fromClient(a)...), http.StatusNotFound)
	wantStatus(t, e.get("/i/AAAA/w400/"+urlsig.EncodeAsset(missingAsset(7))+".jpg", fromClient(a)...), http.StatusForbidden)
	wantStatus(t, e.get(cold(4), fromClient(b)...), http.StatusNotFound) // another client
	e.clock.Advance(time.Second)
	wantStatus(t, e.get(cold(5), fromClient(a)...), http.StatusNotFound)
	if got := rateLimited(e, "/i/*"); got != "1" {
		t.Errorf("rate limited on /i/*: %s, want 1", got)
	}
}

func TestRateLimitImages(t *testing.T) {
	e := limitedEnv(t, func(c *Config) { c.RateLimitImages, c.RateLimitImagesBurst = 1, 2 })
	warm, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
	wantStatus(t, e.get(warm, fromClient("198.51.100.7")...), http.StatusFound)
	wantStatus(t, e.get(warm, fromClient("198.51.100.7")...), http.StatusFound)
	want429(t, e.get(warm, fromClient("198.51.100.7")...), "1", false)
	wantStatus(t, e.get(warm, fromClient("198.51.100.8")...), http.StatusFound)
}

func TestRateLimitProxyCountsEveryImage(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Delivery = DeliveryProxy
		c.RateLimitImageFetches, c.RateLimitImageFetchesBurst = 1, 2
	}})
	warm, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
	wantStatus(t, e.get(warm), http.StatusOK)
	wantStatus(t, e.get(warm), http.StatusOK)
	before := e.upstreamCount()
	want429(t, e.get(warm), "1", false) // each proxied file is opened on FotoWeb
	if n := e.upstreamCount(); n != before {
		t.Errorf("a limited client caused %d FotoWeb requests", n-before)
	}
}

func TestClientTableBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tab := newClientTable(1, 1, maxRateLimitClients)
	first := netip.MustParseAddr("10.0.0.0")
	if ok, _ := tab.allow(first, now); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := tab.allow(first, now); ok || wait != time.Second {
		t.Fatalf("second request: %v, wait %v", ok, wait)
	}
	a := first
	for i := range 100_000 {
		a = a.Next()
		tab.allow(a, now)
		if i%1000 == 0 && tab.len() > maxRateLimitClients {
			t.Fatalf("%d clients in the table after %d", tab.len(), i+1)
		}
	}
	if n := tab.len(); n > maxRateLimitClients || n < maxRateLimitClients*3/4 {
		t.Errorf("%d clients in a table of %d", n, maxRateLimitClients)
	}
	// The oldest client was forgotten (a full bucket again); the newest
	// was not.
	if ok, _ := tab.allow(first, now); !ok {
		t.Error("the evicted client is still limited")
	}
	if ok, _ := tab.allow(a, now); ok {
		t.Error("the newest client was forgotten")
	}
	// Idle clients (bucket full again) go as new ones arrive.
	later := now.Add(time.Hour)
	for i := range 2 * tableShards * 8 {
		a = a.Next()
		tab.allow(a, later.Add(time.Duration(i)))
	}
	if n := tab.len(); n > 2*tableShards*8+1 {
		t.Errorf("%d clients left after the others went idle", n)
	}
}

func TestClientTableWait(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tab := newClientTable(0.25, 0, 16) // burst: the rate rounded up, 1
	a := netip.MustParseAddr("192.0.2.1")
	tab.allow(a, now)
	if ok, wait := tab.allow(a, now.Add(time.Second)); ok || wait != 3*time.Second {
		t.Errorf("allowed %v, wait %v; want a refusal for 3s", ok, wait)
	}
	if ok, _ := tab.allow(a, now.Add(4*time.Second)); !ok {
		t.Error("refused after the wait")
	}
}

func TestClientAddr(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":             "192.0.2.1",
		"::ffff:192.0.2.1":      "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::",
		"fe80::1%eth0":          "fe80::",
		"2001:db8:1:2::ff:ffff": "2001:db8:1:2::",
	} {
		if got := clientAddr(netip.MustParseAddr(in)); got.String() != want {
			t.Errorf("clientAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestRateLimitConfig(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, bad := range []func(*Config){
		func(c *Config) { c.RateLimitPublic = -1 },
		func(c *Config) { c.RateLimitImagesBurst = -1 },
		func(c *Config) { c.RateLimitImageFetches = math.Inf(1) },
		func(c *Config) { c.RateLimitExempt = []netip.Prefix{{}} },
	} {
		cfg := e.srv.cfg
		bad(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "RateLimit") {
			t.Errorf("Validate: %v", err)
		}
	}
}
