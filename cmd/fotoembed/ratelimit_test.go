package main

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/server"
)

func TestRateLimitFlags(t *testing.T) {
	c, err := parseServe(validEnv())
	if err != nil {
		t.Fatal(err)
	}
	var sc server.Config
	c.Server.rateLimits(&sc)
	if sc.RateLimitPublic != server.DefaultRateLimitPublic || sc.RateLimitPublicBurst != server.DefaultRateLimitPublicBurst ||
		sc.RateLimitImageFetches != server.DefaultRateLimitImageFetches || sc.RateLimitImageFetchesBurst != server.DefaultRateLimitImageFetchesBurst ||
		sc.RateLimitImages != server.DefaultRateLimitImages || sc.RateLimitImagesBurst != server.DefaultRateLimitImagesBurst ||
		len(sc.RateLimitExempt) != 0 {
		t.Errorf("defaults: %+v", sc)
	}

	c, err = parseServe(with(validEnv(), "FOTOEMBED_RATE_LIMIT_PUBLIC", "0", "FOTOEMBED_RATE_LIMIT_EXEMPT", "10.0.0.0/8, 2001:db8::1"),
		"--rate-limit-burst", "7", "--rate-limit-images", "2.5", "--rate-limit-image-fetches", "3", "--rate-limit-image-fetches-burst", "9",
		"--rate-limit", "4")
	if err != nil {
		t.Fatal(err)
	}
	sc = server.Config{}
	c.Server.rateLimits(&sc)
	if sc.RateLimitPublic != 0 || sc.RateLimitPublicBurst != 7 || sc.RateLimitImages != 2.5 || sc.RateLimitImagesBurst != 25 ||
		sc.RateLimitImageFetches != 3 || sc.RateLimitImageFetchesBurst != 9 || c.FotoWeb.RateLimit != 4 {
		t.Errorf("overrides: %+v", sc)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::1/128")}
	if diff := cmp.Diff(want, sc.RateLimitExempt, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Error(diff)
	}

	_, err = parseServe(validEnv(), "--rate-limit-exempt", "10.0.0.0/8,nonsense", "--rate-limit-public=-1", "--rate-limit-burst", "0")
	for _, w := range []string{`--rate-limit-exempt: "nonsense" not a network`, `--rate-limit-public "-1": must be a number`,
		`--rate-limit-burst "0": must be a whole number from 1`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q; got:\n%v", w, err)
		}
	}
}
