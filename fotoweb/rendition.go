package fotoweb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Rendition fetches a rendition through the Rendition Request API and
// streams it. renditionHref is one of Asset.Renditions' Href (a path, or
// an absolute URL on the origin).
//
// It POSTs {"href": renditionHref} to the descriptor's
// services.rendition_request as application/vnd.fotoware.rendition-request+json,
// accepts 200, 201 or 202, takes the task URL from the answer's href
// (falling back to the Location header), and polls it with GET: 202 means
// pending, 200 is the file. Polls are spaced from
// Config.RenditionPollInterval doubling up to Config.RenditionPollCap, at
// most Config.RenditionPollMax of them (then the error wraps ErrNotReady);
// the caller's context bounds the whole. A 410 (the task URL expired)
// gives an *Error matching ErrGone. The POST is not retried after a 5xx;
// each poll is an idempotent GET with the usual retries.
//
// The POST always carries the token in the Authorization header, even with
// Config.TokenInQuery: FotoWeb's rendition service refuses a token in the
// query. Its errors (Werkzeug HTML pages on SaaS) become an *Error like
// any other. It answers a dead token with 403, not 401, so after a 403 the
// client checks its token with GET /fotoweb/me (where a dead one gets the
// usual 401, invalidation and new token) and, when the token changed,
// sends the POST once more.
func (c *Client) Rendition(ctx context.Context, renditionHref string) (*Body, error) {
	task, err := c.requestRendition(ctx, renditionHref)
	if err != nil {
		return nil, err
	}
	delay := c.cfg.RenditionPollInterval
	for poll := 1; ; poll++ {
		cl := &call{method: http.MethodGet, u: task, accept: "*/*", idempotent: true, stream: true}
		r, err := c.send(ctx, cl)
		if err != nil {
			return nil, err
		}
		switch r.status {
		case http.StatusOK:
			return newBody(r), nil
		case http.StatusAccepted:
			r.close()
		default:
			return nil, c.statusError(cl, r)
		}
		if poll >= c.cfg.RenditionPollMax {
			return nil, fmt.Errorf("fotoweb: GET %s: %w after %d polls", c.safePath(task), ErrNotReady, poll)
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, c.ctxErr(cl, ctx, err)
		}
		delay = min(2*delay, c.cfg.RenditionPollCap)
	}
}

// requestRendition POSTs the rendition request and returns the task URL.
func (c *Client) requestRendition(ctx context.Context, renditionHref string) (*url.URL, error) {
	rend, err := c.resolve(renditionHref)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: rendition: %w", err)
	}
	d, err := c.Descriptor(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := c.resolve(orDefault(d.Services.RenditionRequest, pathRenditions))
	if err != nil {
		return nil, fmt.Errorf("fotoweb: rendition service: %w", err)
	}
	// FotoWeb's own hrefs are origin-relative paths; send that form.
	href := rend.EscapedPath()
	if rend.RawQuery != "" {
		href += "?" + rend.RawQuery
	}
	body, _ := json.Marshal(renditionResponse{Href: href})
	// The rendition service reads the token from the Authorization header
	// only (a query access_token gets 403), so the header it is, whatever
	// Config.TokenInQuery says.
	cl := &call{method: http.MethodPost, u: svc, accept: mtRenditionResp, ctype: mtRenditionRequest, body: body, inHeader: true}
	r, err := c.send(ctx, cl)
	if err == nil && r.status == http.StatusForbidden && c.tokenWasStale(ctx) {
		r, err = c.send(ctx, cl)
	}
	if err != nil {
		return nil, err
	}
	var rr renditionResponse
	if r.status == http.StatusOK || r.status == http.StatusCreated || r.status == http.StatusAccepted {
		// A body that does not decode is not fatal when Location is set.
		_ = c.decodeAnswer(cl, r, &rr, r.status)
	} else {
		return nil, c.statusError(cl, r)
	}
	task := orDefault(rr.Href, r.header.Get("Location"))
	if task == "" {
		return nil, fmt.Errorf("fotoweb: POST %s: answer %d has neither href nor Location", c.safePath(svc), r.status)
	}
	u, err := c.resolve(task)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: POST %s: rendition task: %w", c.safePath(svc), err)
	}
	return u, nil
}

// tokenWasStale is asked after the rendition service's 403, which it
// gives a dead token as well as a user without the right to download: it
// checks the token with GET /fotoweb/me (a 401 there makes send invalidate
// it and fetch another) and reports whether the token changed. Without an
// Invalidator there is nothing to renew.
func (c *Client) tokenWasStale(ctx context.Context) bool {
	if _, ok := c.cfg.Tokens.(Invalidator); !ok {
		return false
	}
	before, err := TokenContext(ctx, c.cfg.Tokens)
	if err != nil || before == nil {
		return false
	}
	u, err := c.resolve(pathFullDescriptor)
	if err != nil {
		return false
	}
	r, err := c.send(ctx, &call{method: http.MethodGet, u: u, accept: mtFullDescriptor, idempotent: true})
	if err != nil || r.status != http.StatusOK {
		return false
	}
	after, err := TokenContext(ctx, c.cfg.Tokens)
	return err == nil && after != nil && after.AccessToken != before.AccessToken
}
