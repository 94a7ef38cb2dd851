package rewrite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/rewrite"
)

// TestNegativeSettingsRefused: a negative count or time limit is an
// error naming the field (it used to mean the default); zero is the
// default.
func TestNegativeSettingsRefused(t *testing.T) {
	svc := func(mod func(*rewrite.ServiceConfig)) error {
		cfg := rewrite.ServiceConfig{URL: "http://127.0.0.1:1", APIKey: testAPIKey}
		mod(&cfg)
		_, err := rewrite.NewService(cfg)
		return err
	}
	src, err := rewrite.NewService(rewrite.ServiceConfig{URL: "http://127.0.0.1:1", APIKey: testAPIKey})
	must(t, err)
	root := t.TempDir()
	runCfg := func(mod func(*rewrite.Config)) error {
		cfg := rewrite.Config{Root: root, Source: src, DryRun: true}
		mod(&cfg)
		_, err := rewrite.Run(context.Background(), cfg)
		return err
	}
	audit := func(n int) error {
		_, err := rewrite.Audit(context.Background(), rewrite.AuditConfig{Root: root, Source: src, Concurrency: n})
		return err
	}
	for _, tt := range []struct {
		name string
		err  error
		want string // "" for no error
	}{
		{"service zero", svc(func(c *rewrite.ServiceConfig) { c.BatchSize, c.Timeout = 0, 0 }), ""},
		{"service batch size", svc(func(c *rewrite.ServiceConfig) { c.BatchSize = -1 }), "rewrite: ServiceConfig.BatchSize is negative (-1)"},
		{"service timeout", svc(func(c *rewrite.ServiceConfig) { c.Timeout = -1 }), "rewrite: ServiceConfig.Timeout is negative (-1ns)"},
		{"run zero", runCfg(func(c *rewrite.Config) { c.Concurrency = 0 }), ""},
		{"run negative max age", runCfg(func(c *rewrite.Config) { c.MaxAge = -1 }), ""},
		{"run concurrency", runCfg(func(c *rewrite.Config) { c.Concurrency = -2 }), "rewrite: Config.Concurrency is negative (-2)"},
		{"audit zero", audit(0), ""},
		{"audit concurrency", audit(-1), "rewrite: AuditConfig.Concurrency is negative (-1)"},
	} {
		switch {
		case tt.want == "" && tt.err != nil:
			t.Errorf("%s: %v", tt.name, tt.err)
		case tt.want != "" && (tt.err == nil || !strings.Contains(tt.err.Error(), tt.want)):
			t.Errorf("%s: %v; want an error with %q", tt.name, tt.err, tt.want)
		}
	}
}
