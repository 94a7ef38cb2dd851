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
	cl := &call{method: http.MethodPost, u: svc, accept: mtRenditionResp, ctype: mtRenditionRequest, body: body}
	r, err := c.send(ctx, cl)
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
