package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// TestTimeoutFlagsRefuseZero: a time limit, wait or interval given as 0
// is refused with the flag's name and what to give, from a flag or from
// its environment variable; 0 of a lifetime or max-age is accepted (it
// turns the feature off).
func TestTimeoutFlagsRefuseZero(t *testing.T) {
	doctor := func(args ...string) error {
		var c doctorConfig
		return newApp(nil, io.Discard, io.Discard).parse(doctorFlags(envLookup(nil), &c), args, nil)
	}
	login := func(args ...string) error {
		var c loginConfig
		return newApp(nil, io.Discard, io.Discard).parse(loginFlags(envLookup(nil), &c), args, nil)
	}
	serve := func(args ...string) error {
		_, err := parseServe(validEnv(), args...)
		return err
	}
	for _, tt := range []struct {
		parse func(args ...string) error
		flag  string
		want  string
	}{
		{serve, "fotoweb-timeout", "must be more than 0, such as 30s (the default)"},
		{serve, "request-timeout", "must be more than 0, such as 30s"},
		{serve, "body-timeout", "must be more than 0"},
		{serve, "shutdown-timeout", "must be more than 0, such as 15s"},
		{serve, "store-timeout", "must be more than 0, such as 200ms"},
		{serve, "rebuild-debounce", "must be more than 0, such as 10s"},
		{doctor, "timeout", "must be more than 0, such as 2m (the default)"},
		{doctor, "fotoweb-timeout", "must be more than 0"},
		{login, "timeout", "must be more than 0, such as 5m"},
	} {
		err := tt.parse("--"+tt.flag, "0")
		if want := "--" + tt.flag + ` "0": ` + tt.want; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--%s 0: %v; want an error with %q", tt.flag, err, want)
		}
		if err := tt.parse("--"+tt.flag, "1s"); err != nil {
			t.Errorf("--%s 1s: %v", tt.flag, err)
		}
	}
	_, err := parseServe(with(validEnv(), "FOTOEMBED_FOTOWEB_TIMEOUT", "0s"))
	if want := `FOTOEMBED_FOTOWEB_TIMEOUT="0s" (default for --fotoweb-timeout): must be more than 0`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("FOTOEMBED_FOTOWEB_TIMEOUT=0s: %v; want %q", err, want)
	}
	for _, flag := range []string{"cache-ttl", "stale-window", "not-found-ttl", "miss-timeout", "store-near-ttl", "redirect-max-age", "proxy-max-age"} {
		if err := serve("--"+flag, "0"); err != nil {
			t.Errorf("--%s 0 (off): %v", flag, err)
		}
	}
}

// switchSource answers every asset until down is set, then fails.
type switchSource struct {
	down    atomic.Bool
	fetches atomic.Int32
}

func (s *switchSource) Asset(_ context.Context, ref string) (*fotoweb.Asset, error) {
	s.fetches.Add(1)
	if s.down.Load() {
		return nil, errors.New("FotoWeb is down")
	}
	return &fotoweb.Asset{Href: ref}, nil
}

func (s *switchSource) ParseRef(ref string) (string, error) { return ref, nil }

// TestCacheTTLZeroTurnsCachingOff: with --cache-ttl 0 every resolve asks
// FotoWeb and nothing is served from the cache, not even within
// --stale-window while FotoWeb fails (which it used to be); with the
// default TTL the second resolve is a cache hit.
func TestCacheTTLZeroTurnsCachingOff(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		args        []string
		wantFetches int32
		wantErr     bool
	}{
		{nil, 1, false},
		{[]string{"--cache-ttl", "0"}, 2, true},
		{[]string{"--cache-ttl", "0", "--stale-window", "1h"}, 2, true},
	} {
		c, err := parseServe(validEnv(), tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		src := &switchSource{}
		res, err := c.Resolver.resolver(src, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := res.Resolve(ctx, "/a.info"); err != nil {
			t.Fatalf("%q: first resolve: %v", tt.args, err)
		}
		src.down.Store(true)
		_, err = res.Resolve(ctx, "/a.info")
		if (err != nil) != tt.wantErr || src.fetches.Load() != tt.wantFetches {
			t.Errorf("%q: second resolve with FotoWeb down: err %v after %d fetches; want an error %v after %d",
				tt.args, err, src.fetches.Load(), tt.wantErr, tt.wantFetches)
		}
	}
}

// TestServeZeroMaxAgeAndTTL runs serve with --proxy-max-age 0 and
// --cache-ttl 0: a proxied image is answered no-store (0 used to mean
// the 1h default), and an asset FotoWeb no longer has is not served from
// the cache.
func TestServeZeroMaxAgeAndTTL(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	r := start(t, fakeEnv(fake), "serve", "--addr", "127.0.0.1:0", "--delivery", "proxy", "--proxy-max-age", "0", "--cache-ttl", "0")
	base := r.waitReady().URL
	embedURL := base + "/v1/embed?width=600&ref=" + url.QueryEscape(fotowebtest.LandscapeAsset)
	resp, html := get(t, noRedirect, embedURL, "X-API-Key", testAPIKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/v1/embed: %d %s", resp.StatusCode, html)
	}
	resp, img := get(t, noRedirect, imgSrc(t, html))
	assertJPEG(t, resp, img)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("--proxy-max-age 0: Cache-Control %q, want no-store", cc)
	}
	fake.SetFault("/fotoweb/archives/", fotowebtest.Fault{Status: http.StatusNotFound, Times: 1})
	if resp, body := get(t, noRedirect, embedURL, "X-API-Key", testAPIKey); resp.StatusCode != http.StatusNotFound {
		t.Errorf("--cache-ttl 0, asset gone from FotoWeb: /v1/embed %d %.200s, want 404 (not the cached answer)", resp.StatusCode, body)
	}
}
