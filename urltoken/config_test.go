package urltoken_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urltoken"
)

// TestNewConfig: zero intervals and time limits are the defaults, a
// negative one is an error naming the field (it used to mean the
// default).
func TestNewConfig(t *testing.T) {
	client, err := fotoweb.New(fotoweb.Config{BaseURL: "https://acme.fotoware.cloud"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		cfg  urltoken.Config
		want string // "" for no error
	}{
		{"zero", urltoken.Config{}, ""},
		{"interval", urltoken.Config{Interval: -time.Hour}, "urltoken: Config.Interval is negative (-1h0m0s)"},
		{"retry interval", urltoken.Config{RetryInterval: -1}, "urltoken: Config.RetryInterval is negative"},
		{"min recheck", urltoken.Config{MinRecheck: -1}, "urltoken: Config.MinRecheck is negative"},
		{"timeout", urltoken.Config{Timeout: -1}, "urltoken: Config.Timeout is negative"},
	} {
		tt.cfg.Client = client
		_, err := urltoken.New(tt.cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v; want an error with %q", tt.name, err, tt.want)
		}
	}
}
