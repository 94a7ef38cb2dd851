package server

import (
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
)

// TestNegativeMaxAgeNoStore: a negative RedirectMaxAge or ProxyMaxAge is
// accepted and means the answer is not cached (it used to be refused by
// New); every other negative duration is still an error naming its field.
func TestNegativeMaxAgeNoStore(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.RedirectMaxAge, c.ProxyMaxAge = -1, -1 }})
	now := e.clock.Now()
	for _, tg := range []embed.Target{
		{Token: embed.URLTokenAccess, Expires: now.Add(8 * time.Hour)},
		{Token: embed.URLTokenNone},
		{Token: embed.URLTokenNone, Export: true},
	} {
		if got := e.srv.redirectCacheControl(tg, time.Time{}); got != "private, no-store" {
			t.Errorf("redirect %+v: Cache-Control %q, want private, no-store", tg, got)
		}
	}
	if got := e.srv.proxyCacheControl(time.Time{}, time.Time{}); got != "no-store" {
		t.Errorf("proxy: Cache-Control %q, want no-store", got)
	}

	for _, tt := range []struct {
		field string
		set   func(*Config)
	}{
		{"TokenMargin", func(c *Config) { c.TokenMargin = -1 }},
		{"RequestTimeout", func(c *Config) { c.RequestTimeout = -1 }},
		{"BodyTimeout", func(c *Config) { c.BodyTimeout = -1 }},
		{"ReadyInterval", func(c *Config) { c.ReadyInterval = -1 }},
	} {
		var c Config
		tt.set(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "server: Config."+tt.field+": negative") {
			t.Errorf("%s negative: %v", tt.field, err)
		}
	}
	var c Config
	c.RedirectMaxAge, c.ProxyMaxAge = -time.Second, -time.Second
	if err := c.Validate(); err != nil && strings.Contains(err.Error(), "MaxAge") {
		t.Errorf("negative max-ages refused: %v", err)
	}
}
