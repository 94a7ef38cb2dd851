package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fotoembed/fotoembed/embed"
)

// resolveConfig configures `resolve`.
type resolveConfig struct {
	FotoWeb  fotowebConfig
	Resolver resolverConfig
	Log      logConfig
}

// Validate reports every problem at once.
func (c *resolveConfig) Validate() error {
	return errors.Join(c.FotoWeb.Validate(), c.Resolver.Validate())
}

// resolved is one line of `resolve` output: what the service knows about
// an asset. It holds no token: embed.Info never does.
type resolved struct {
	Ref   string `json:"ref"`
	Error string `json:"error,omitempty"`
	*embed.Info
	CreditLine string `json:"creditLine,omitempty"`
}

// resolveFlags returns resolve's flags, filling c.
func resolveFlags(env lookupFunc, c *resolveConfig) *flagSet {
	f := newFlagSet("resolve", " REF...",
		"Resolve asset references (hrefs such as /fotoweb/archives/5001-Photos/Folder/image.jpg.info,\n"+
			"or FotoWeb URLs) through the FotoWeb API and print a JSON array with, for each, the\n"+
			"dimensions, the previews and the alt, caption and credit texts. Exits 1 if any failed.", env)
	c.FotoWeb.registerURL(f, "required")
	c.FotoWeb.registerAuth(f, authUser, defaultTokenFile(env))
	c.Resolver.registerFields(f)
	c.Log.register(f)
	return f
}

// resolve prints what FotoWeb says about each asset reference as JSON.
func (a *app) resolve(ctx context.Context, args []string) error {
	var c resolveConfig
	f := resolveFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	log := c.Log.logger(a.stderr)
	ts, err := c.FotoWeb.tokenSource(a.httpClient, nil, nil)
	if err != nil {
		return err
	}
	fw, err := c.FotoWeb.client(ts, a.httpClient, log)
	if err != nil {
		return err
	}
	res, err := c.Resolver.resolver(fw, nil, false)
	if err != nil {
		return err
	}
	prefix := c.Resolver.CreditPrefix
	if prefix == "" {
		prefix = embed.DefaultCreditPrefix
	}
	out := make([]resolved, 0, len(f.Args()))
	failed := 0
	for _, ref := range f.Args() {
		r := resolved{Ref: ref}
		in, err := res.Resolve(ctx, ref)
		if err != nil {
			r.Error = err.Error()
			failed++
		} else {
			r.Info, r.CreditLine = in, in.Text.CreditLine(prefix)
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d references could not be resolved (see \"error\" in the output)", failed, len(out))
	}
	return nil
}
