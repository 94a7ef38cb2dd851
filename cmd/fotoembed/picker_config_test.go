package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPickerFlags: --picker-origins and --picker-token-ttl, from the
// environment or flags, checked.
func TestPickerFlags(t *testing.T) {
	c, err := parseServe(validEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Server.PickerOrigins) != 0 || c.Server.PickerTokenTTL != 10*time.Minute {
		t.Errorf("defaults: %v %v", c.Server.PickerOrigins, c.Server.PickerTokenTTL)
	}
	c, err = parseServe(with(validEnv(), "FOTOEMBED_PICKER_ORIGINS", "https://cms.example.com, http://localhost:3000/", "FOTOEMBED_PICKER_TOKEN_TTL", "3m"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"https://cms.example.com", "http://localhost:3000/"}, c.Server.PickerOrigins); diff != "" || c.Server.PickerTokenTTL != 3*time.Minute {
		t.Errorf("environment: %s %v", diff, c.Server.PickerTokenTTL)
	}
	c, err = parseServe(validEnv(), "--picker-origins", "https://a.example", "--picker-token-ttl", "90s")
	if err != nil || c.Server.PickerOrigins[0] != "https://a.example" || c.Server.PickerTokenTTL != 90*time.Second {
		t.Errorf("flags: %v %+v", err, c.Server)
	}
	for _, tt := range []struct{ env, value, want string }{
		{"FOTOEMBED_PICKER_ORIGINS", "cms.example.com", "--picker-origins"},
		{"FOTOEMBED_PICKER_ORIGINS", "https://cms.example.com/editor", "--picker-origins"},
		{"FOTOEMBED_PICKER_ORIGINS", "*", "--picker-origins"},
		{"FOTOEMBED_PICKER_TOKEN_TTL", "30s", "--picker-token-ttl"},
		{"FOTOEMBED_PICKER_TOKEN_TTL", "48h", "--picker-token-ttl"},
	} {
		_, err := parseServe(with(validEnv(), tt.env, tt.value))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: %v", tt.env, tt.value, err)
		}
	}
}
