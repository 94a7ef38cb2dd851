package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"268435456", 256 << 20}, {"256MiB", 256 << 20}, {" 256 mib ", 256 << 20}, {"1GiB", 1 << 30},
		{"64KiB", 64 << 10}, {"2TiB", 2 << 40}, {"512MB", 512e6}, {"1gb", 1e9}, {"3kb", 3000}, {"7B", 7},
	} {
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5GiB", "12 parsecs", "256M", "99999999999999999999", "9000000000TiB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
	for n, want := range map[int64]string{0: "0", 256 << 20: "256MiB", 1 << 30: "1GiB", 3072: "3KiB", 1536: "1536", 1000: "1000"} {
		if got := fmtSize(n); got != want {
			t.Errorf("fmtSize(%d) = %q, want %q", n, got, want)
		}
		if n != 0 {
			if back, err := parseSize(fmtSize(n)); err != nil || back != n {
				t.Errorf("parseSize(fmtSize(%d)) = %d, %v", n, back, err)
			}
		}
	}
}

// TestCacheFlags: the cache limits and the miss budget come from flags
// and the environment, 0 meaning no limit (or no budget), and reach the
// store and the resolver.
func TestCacheFlags(t *testing.T) {
	c, err := parseServe(validEnv())
	if err != nil {
		t.Fatal(err)
	}
	r := c.Resolver
	if r.CacheMaxEntries != embed.DefaultMaxEntries || r.CacheMaxBytes != embed.DefaultMaxBytes ||
		r.CacheMaxNotFound != embed.DefaultMaxNotFound || r.MissTimeout != embed.DefaultMissTimeout {
		t.Errorf("defaults: %+v", r)
	}
	if l := resolverStoreLimits(t, &r); l.MaxEntries != embed.DefaultMaxEntries || l.MaxBytes != embed.DefaultMaxBytes || l.MaxNotFound != embed.DefaultMaxNotFound {
		t.Errorf("default store limits %+v", l)
	}

	c, err = parseServe(with(validEnv(), "FOTOEMBED_CACHE_MAX_BYTES", "1GiB", "FOTOEMBED_MISS_TIMEOUT", "2s"),
		"--cache-max-entries", "5000", "--cache-max-not-found=0")
	if err != nil {
		t.Fatal(err)
	}
	r = c.Resolver
	if r.CacheMaxEntries != 5000 || r.CacheMaxBytes != 1<<30 || r.CacheMaxNotFound != 0 || r.MissTimeout != 2*time.Second {
		t.Errorf("set: %+v", r)
	}
	if l := resolverStoreLimits(t, &r); l.MaxEntries != 5000 || l.MaxBytes != 1<<30 || l.MaxNotFound != 0 {
		t.Errorf("store limits %+v, want 5000, 1GiB and no limit on not-found", l)
	}

	_, err = parseServe(with(validEnv(), "FOTOEMBED_CACHE_MAX_BYTES", "256"), "--miss-timeout", "10ms", "--cache-max-entries", "-5", "--cache-max-not-found", "x")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"--cache-max-bytes 256 is less than 1MiB",
		"--miss-timeout 10ms is too short",
		`--cache-max-entries "-5": must be a whole number from 0 to`,
		`--cache-max-not-found "x": must be a whole number`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q; got:\n%v", want, err)
		}
	}
	if _, err := parseServe(validEnv(), "--cache-max-bytes", "lots"); err == nil || !strings.Contains(err.Error(), `--cache-max-bytes "lots": must be a size`) {
		t.Errorf("bad size: %v", err)
	}
}
