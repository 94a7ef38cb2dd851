package embed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// configSource is an AssetSource that is never asked: NewResolver only
// checks that one is given.
type configSource struct{}

func (configSource) Asset(context.Context, string) (*fotoweb.Asset, error) {
	return nil, fotoweb.ErrNotFound
}
func (configSource) ParseRef(ref string) (string, error) { return ref, nil }

// TestNewResolverConfig: the zero value of every duration is its
// default, a negative lifetime, margin or miss budget turns it off, and
// a negative FetchTimeout (which used to fail every fetch at once) is an
// error naming the field.
func TestNewResolverConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  ResolverConfig
		want []string // substrings of the error; none: no error
	}{
		{"zero", ResolverConfig{Source: configSource{}}, nil},
		{"negative lifetimes, margin and budget", ResolverConfig{Source: configSource{}, TTL: -1, StaleIfError: -1,
			NotFoundTTL: -1, ErrorBackoff: -1, MissTimeout: -1, PreviewTokenMargin: -1}, nil},
		{"negative fetch timeout", ResolverConfig{Source: configSource{}, FetchTimeout: -time.Second},
			[]string{"embed: ResolverConfig.FetchTimeout is negative (-1s)"}},
		{"every problem at once", ResolverConfig{FetchTimeout: -1},
			[]string{"ResolverConfig.Source is required", "ResolverConfig.FetchTimeout is negative"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewResolver(tt.cfg)
			if len(tt.want) == 0 {
				if err != nil || r == nil {
					t.Fatalf("NewResolver: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("NewResolver: no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	r, err := NewResolver(ResolverConfig{Source: configSource{}, TTL: -1, MissTimeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.cfg; c.TTL != 0 || c.MissTimeout != 0 || c.FetchTimeout != DefaultFetchTimeout || c.StaleIfError != DefaultStaleIfError {
		t.Errorf("TTL %v, MissTimeout %v, FetchTimeout %v, StaleIfError %v; want off, off, the default, the default",
			c.TTL, c.MissTimeout, c.FetchTimeout, c.StaleIfError)
	}
}
