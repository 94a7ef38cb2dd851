package usage_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/usage"
)

// TestRebuilderConfigNegatives: a negative duration or count is an error
// naming the field (a negative count used to mean the default).
func TestRebuilderConfigNegatives(t *testing.T) {
	for _, tt := range []struct {
		field string
		set   func(*usage.RebuilderConfig)
	}{
		{"Debounce", func(c *usage.RebuilderConfig) { c.Debounce = -1 }},
		{"Backoff", func(c *usage.RebuilderConfig) { c.Backoff = -1 }},
		{"MaxBackoff", func(c *usage.RebuilderConfig) { c.MaxBackoff = -1 }},
		{"Timeout", func(c *usage.RebuilderConfig) { c.Timeout = -1 }},
		{"MaxQueue", func(c *usage.RebuilderConfig) { c.MaxQueue = -1 }},
		{"MaxPages", func(c *usage.RebuilderConfig) { c.MaxPages = -1 }},
		{"MaxAttempts", func(c *usage.RebuilderConfig) { c.MaxAttempts = -1 }},
	} {
		c := usage.RebuilderConfig{URL: "https://ci.example.com/hook"}
		tt.set(&c)
		want := "usage: RebuilderConfig." + tt.field + " is negative"
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s negative: %v; want an error with %q", tt.field, err, want)
		}
	}
	if err := (usage.RebuilderConfig{URL: "https://ci.example.com/hook"}).Validate(); err != nil {
		t.Errorf("zero fields: %v", err)
	}
}

// TestOptionsNegativeLimits: a zero limit is the default, a negative one
// no limit (it used to mean the default).
func TestOptionsNegativeLimits(t *testing.T) {
	for _, tt := range []struct {
		in, want usage.Options
	}{
		{usage.Options{}, usage.Options{MaxPagesPerAsset: usage.DefaultMaxPagesPerAsset, MaxAssets: usage.DefaultMaxAssets}},
		{usage.Options{MaxPagesPerAsset: -1, MaxAssets: -1}, usage.Options{MaxPagesPerAsset: math.MaxInt32, MaxAssets: math.MaxInt32}},
		{usage.Options{MaxPagesPerAsset: 7, MaxAssets: 9}, usage.Options{MaxPagesPerAsset: 7, MaxAssets: 9}},
	} {
		got := tt.in.WithDefaults()
		if got.MaxPagesPerAsset != tt.want.MaxPagesPerAsset || got.MaxAssets != tt.want.MaxAssets {
			t.Errorf("%+v: MaxPagesPerAsset %d, MaxAssets %d; want %d, %d", tt.in, got.MaxPagesPerAsset, got.MaxAssets,
				tt.want.MaxPagesPerAsset, tt.want.MaxAssets)
		}
	}

	// One page more than the default bound: all are kept.
	s := usage.NewMemoryWith(usage.Options{MaxPagesPerAsset: -1, MinInterval: -1})
	ctx := context.Background()
	n := usage.DefaultMaxPagesPerAsset + 1
	for i := range n {
		if err := s.Record(ctx, "/a.info", fmt.Sprintf("/page/%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if pages, err := s.Pages(ctx, "/a.info"); err != nil || len(pages) != n {
		t.Errorf("MaxPagesPerAsset -1: %d pages kept of %d, %v; want all", len(pages), n, err)
	}
}
