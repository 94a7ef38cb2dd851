package purge

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
)

// VCL is purge/varnish/fotoembed.vcl: a Varnish configuration that
// caches fotoembed's /i/ answers by their Cache-Control, passes
// everything else, and turns a BAN (or PURGE) carrying X-Purge-Tag from
// an address in its purgers ACL into a ban of every object whose
// Surrogate-Key holds the tag. Set its backend to fotoembed's address.
//
//go:embed varnish/fotoembed.vcl
var VCL string

// VarnishHeader is the request header naming the tag to ban.
const VarnishHeader = "X-Purge-Tag"

// VarnishConfig configures the Varnish backend: each purge is a request
//
//	BAN / HTTP/1.1
//	X-Purge-Tag: fe-...
//
// to every URL (Varnish's HTTP listener; the path is the URL's), which
// [VCL] turns into a ban. A 2xx answer means done.
type VarnishConfig struct {
	// URLs are the Varnish servers' HTTP listeners, one per server, such
	// as http://varnish-1:6081/.
	URLs []string
	// Method is BAN (default) or PURGE, as the VCL expects.
	Method string
}

func (c *VarnishConfig) validate() error {
	var errs []error
	if len(c.URLs) == 0 {
		errs = append(errs, errors.New("varnish: no URL"))
	}
	for _, u := range c.URLs {
		if err := checkURL("varnish: URL", u); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Method != "" && c.Method != "BAN" && c.Method != "PURGE" {
		errs = append(errs, fmt.Errorf("varnish: method %q is neither BAN nor PURGE", c.Method))
	}
	return errors.Join(errs...)
}

// varnish bans tags on one Varnish server.
type varnish struct {
	url, method string
}

func newVarnish(u, method string) *varnish {
	if method == "" {
		method = "BAN"
	}
	return &varnish{url: u, method: method}
}

func (v *varnish) label() string      { return "varnish" }
func (v *varnish) target() string     { return safeURL(v.url) }
func (v *varnish) secrets() []string  { return nil }
func (v *varnish) check([]byte) error { return nil }

func (v *varnish) request(ctx context.Context, j job) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, v.method, v.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(VarnishHeader, j.tag)
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}
