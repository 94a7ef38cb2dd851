package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fotoembed/fotoembed/internal/service"
)

// TestServiceResolverConfig: the harness's resolver settings are
// `fotoembed serve`'s defaults (service.DefaultResolverConfig, which
// serve's flags default to), but for the durations a ServiceConfig sets.
func TestServiceResolverConfig(t *testing.T) {
	if diff := cmp.Diff(service.DefaultResolverConfig(), ServiceConfig{}.resolverConfig(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("default harness settings differ from serve's (-serve +harness):\n%s", diff)
	}
	want := service.DefaultResolverConfig()
	want.TTL, want.ErrorBackoff = time.Second, -1
	if diff := cmp.Diff(want, ServiceConfig{CacheTTL: time.Second, ErrorBackoff: -1}.resolverConfig(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("settings with CacheTTL and ErrorBackoff (-want +got):\n%s", diff)
	}
}
