package urltoken

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// probe fetches a sample preview in each form, narrowest first.
func (p *Prober) probe(ctx context.Context) (State, error) {
	a, href, err := p.sample(ctx)
	if err != nil {
		return State{}, err
	}
	now := p.cfg.Now()
	st := State{Checked: now, Sample: href}
	var tried []string
	try := func(form, tok string) (bool, error) {
		code, err := p.cfg.Client.TryURL(ctx, href, tok)
		if err != nil {
			return false, err
		}
		if code >= 500 || code == http.StatusTooManyRequests {
			return false, fmt.Errorf("FotoWeb answered %d to the %s form", code, form)
		}
		tried = append(tried, fmt.Sprintf("%s %d", form, code))
		return code == http.StatusOK || code == http.StatusPartialContent, nil
	}
	if ok, err := try("no token", ""); err != nil {
		return st, err
	} else if ok {
		st.Policy, st.Reason = embed.URLTokenNone, "FotoWeb serves preview URLs without a token"
		return st, nil
	}
	if a.PreviewToken != "" {
		if ok, err := try("previewToken", a.PreviewToken); err != nil {
			return st, err
		} else if ok {
			st.Policy, st.Reason = embed.URLTokenPreview, "FotoWeb refuses preview URLs without a token and accepts the asset's previewToken"
			return st, nil
		}
	} else {
		tried = append(tried, "previewToken absent")
	}
	if p.cfg.Tokens != nil {
		tok, err := fotoweb.TokenContext(ctx, p.cfg.Tokens)
		if err != nil {
			return st, fmt.Errorf("no access token: %w", err)
		}
		if ok, err := try("access token", tok.AccessToken); err != nil {
			return st, err
		} else if ok {
			if p.cfg.AllowAccess != nil {
				if err := p.cfg.AllowAccess(ctx); err != nil {
					st.Policy, st.AccessRefused = embed.URLTokenUnknown, true
					st.Reason = fmt.Sprintf("only the access token works (%s), and it may not be handed out: %v", join(tried), err)
					return st, nil
				}
			}
			st.Policy, st.Reason = embed.URLTokenAccess, "only the access token works ("+join(tried)+")"
			return st, nil
		}
	}
	st.Policy, st.Reason = embed.URLTokenUnknown, "FotoWeb accepted no form of a preview URL ("+join(tried)+")"
	return st, nil
}

// join lists tried forms.
func join(s []string) string { return strings.Join(s, ", ") }

// sample finds an image asset with a non-square preview: the first hit
// of an empty search in each archive the token sees, in order.
func (p *Prober) sample(ctx context.Context) (*fotoweb.Asset, string, error) {
	archives, err := p.cfg.Client.Archives(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("listing archives: %w", err)
	}
	for _, arch := range archives {
		if arch.SearchURL == "" {
			continue
		}
		hits, err := p.cfg.Client.Search(ctx, arch.SearchURL, "", 5)
		if err != nil {
			return nil, "", fmt.Errorf("searching archive %q: %w", arch.Name, err)
		}
		for i := range hits {
			if href := smallest(hits[i].Previews); href != "" {
				return &hits[i], href, nil
			}
		}
	}
	return nil, "", errors.New("no asset with a preview found in the archives the token sees")
}

// smallest returns the href of the smallest non-square preview.
func smallest(ps []fotoweb.Preview) string {
	best := -1
	for i, pv := range ps {
		if pv.Href != "" && !pv.Square && (best < 0 || pv.Size < ps[best].Size) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return ps[best].Href
}
