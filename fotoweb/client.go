package fotoweb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// maxJSONBody bounds a JSON answer read into memory.
const maxJSONBody = 64 << 20

var (
	errAttemptTimeout = errors.New("attempt timed out")
	errBodyTooLarge   = errors.New("response body too large")
	errRedirect       = errors.New("redirect refused")
)

// call describes one logical request; send turns it into attempts.
type call struct {
	method     string
	u          *url.URL // absolute, on the origin
	accept     string
	ctype      string
	body       []byte
	header     http.Header // extra headers, passed as they are
	idempotent bool        // may be retried after an answer or a broken connection
	stream     bool        // hand the body to the caller instead of reading it
	bearer     string      // send this bearer token instead of the client's
	noToken    bool        // send no token at all
	inHeader   bool        // send the token in the Authorization header even with Config.TokenInQuery
	no401Retry bool        // do not invalidate and retry after a 401
	queryToken string      // with noToken: send this token as ?access_token= (as a browser would)
}

// response is the final answer to a call.
type response struct {
	status  int
	header  http.Header
	body    []byte        // the whole body, when the call is not streamed
	stream  io.ReadCloser // the live body, when it is
	secrets []string      // tokens sent, for redaction
}

func (r *response) close() {
	if r.stream != nil {
		io.Copy(io.Discard, io.LimitReader(r.stream, 4<<10)) // let the connection be reused
		r.stream.Close()
	}
}

// send performs cl with retries, the 401 token refresh and rate limiting.
// It returns the final answer whatever its status; retryable statuses come
// back only when the attempts are used up.
func (c *Client) send(ctx context.Context, cl *call) (*response, error) {
	failures, refreshed := 0, false
	for {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return nil, c.ctxErr(cl, ctx, err)
			}
		}
		tok, err := c.tokenFor(ctx, cl)
		if err != nil {
			return nil, err
		}
		resp, err := c.attempt(ctx, cl, tok)
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.ctxErr(cl, ctx, ctx.Err())
			}
			failures++
			if failures >= c.cfg.MaxAttempts || !retryableErr(err, cl.idempotent) {
				return nil, err
			}
			if err := c.pause(ctx, cl, failures, c.backoff(failures), slog.String("error", err.Error())); err != nil {
				return nil, err
			}
			continue
		}
		if resp.status == http.StatusUnauthorized && tok != nil && !refreshed && !cl.no401Retry {
			if inv, ok := c.cfg.Tokens.(Invalidator); ok {
				resp.close()
				inv.Invalidate(tok)
				refreshed = true
				c.log.LogAttrs(ctx, slog.LevelDebug, "fotoweb: 401, retrying with a new token",
					slog.String("method", cl.method), slog.String("path", c.safePath(cl.u)))
				continue
			}
		}
		if retryableStatus(resp.status) && (cl.idempotent || resp.status == http.StatusTooManyRequests) {
			failures++
			if failures < c.cfg.MaxAttempts {
				d := c.retryDelay(failures, resp.header.Get("Retry-After"))
				resp.close()
				if err := c.pause(ctx, cl, failures, d, slog.Int("status", resp.status)); err != nil {
					return nil, err
				}
				continue
			}
		}
		return resp, nil
	}
}

// pause logs a retry and sleeps d, unless ctx ends first.
func (c *Client) pause(ctx context.Context, cl *call, failures int, d time.Duration, why slog.Attr) error {
	c.log.LogAttrs(ctx, slog.LevelDebug, "fotoweb: retrying",
		slog.String("method", cl.method), slog.String("path", c.safePath(cl.u)),
		why, slog.Int("attempt", failures+1), slog.Duration("delay", d))
	if err := c.sleep(ctx, d); err != nil {
		return c.ctxErr(cl, ctx, err)
	}
	return nil
}

// tokenFor returns the token to send with cl, or nil. It stops waiting
// for the token source when ctx ends (see [TokenContext]).
func (c *Client) tokenFor(ctx context.Context, cl *call) (*oauth2.Token, error) {
	if c.cfg.Tokens == nil || cl.noToken || cl.bearer != "" {
		return nil, nil
	}
	tok, err := TokenContext(ctx, c.cfg.Tokens)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.ctxErr(cl, ctx, ctx.Err())
		}
		return nil, &safeError{msg: "fotoweb: " + cl.method + " " + c.safePath(cl.u) + ": getting a token", err: err}
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, errors.New("fotoweb: " + cl.method + " " + c.safePath(cl.u) + ": token source returned no access token")
	}
	return tok, nil
}

// attempt sends cl once, bounded by Config.Timeout.
func (c *Client) attempt(ctx context.Context, cl *call, tok *oauth2.Token) (*response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.cfg.Timeout, func() { cancel(errAttemptTimeout) })
	release := func() { timer.Stop(); cancel(nil) }
	req, secrets, err := c.newRequest(actx, cl, tok)
	if err != nil {
		release()
		return nil, err
	}
	hr, err := c.hc.Do(req)
	if err != nil {
		defer release()
		return nil, c.transportErr(cl, actx, err)
	}
	r := &response{status: hr.StatusCode, header: hr.Header, secrets: secrets}
	if cl.stream {
		r.stream = &attemptBody{rc: hr.Body, timer: timer, d: c.cfg.Timeout, ctx: actx, cancel: cancel, cl: cl, c: c}
		return r, nil
	}
	defer release()
	defer hr.Body.Close()
	r.body, err = io.ReadAll(io.LimitReader(hr.Body, maxJSONBody+1))
	if err != nil {
		return nil, c.transportErr(cl, actx, err)
	}
	if len(r.body) > maxJSONBody {
		return nil, &transportError{method: cl.method, path: c.safePath(cl.u), err: errBodyTooLarge}
	}
	return r, nil
}

// newRequest builds the HTTP request of one attempt.
func (c *Client) newRequest(ctx context.Context, cl *call, tok *oauth2.Token) (*http.Request, []string, error) {
	u := *cl.u
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = stripParam(u.RawQuery, "access_token")
	var secrets []string
	tokInQuery := c.cfg.TokenInQuery && !cl.inHeader
	if tok != nil {
		secrets = append(secrets, tok.AccessToken)
		if tokInQuery {
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += "access_token=" + url.QueryEscape(tok.AccessToken)
		}
	}
	if cl.bearer != "" {
		secrets = append(secrets, cl.bearer)
	}
	if cl.queryToken != "" {
		secrets = append(secrets, cl.queryToken)
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += "access_token=" + url.QueryEscape(cl.queryToken)
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return nil, nil, &transportError{method: cl.method, path: c.safePath(cl.u), err: errors.New("cannot build the request")}
	}
	for k, vs := range cl.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if cl.accept != "" {
		req.Header.Set("Accept", cl.accept)
	}
	if cl.ctype != "" {
		req.Header.Set("Content-Type", cl.ctype)
	}
	switch {
	case cl.bearer != "":
		req.Header.Set("Authorization", "Bearer "+cl.bearer)
	case tok != nil && !tokInQuery:
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	return req, secrets, nil
}

// stripParam removes every key=value pair named key from a raw query,
// leaving the other pairs exactly as encoded.
func stripParam(rawQuery, key string) string {
	if rawQuery == "" || !strings.Contains(rawQuery, key) {
		return rawQuery
	}
	var kept []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == key {
			continue
		}
		kept = append(kept, kv)
	}
	return strings.Join(kept, "&")
}

// transportErr turns a failed exchange into an error naming method and
// path only. *url.Error is unwrapped: its message holds the full URL.
func (c *Client) transportErr(cl *call, actx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(context.Cause(actx), errAttemptTimeout) {
		err = &timeoutError{d: c.cfg.Timeout}
	}
	return &transportError{method: cl.method, path: c.safePath(cl.u), err: err}
}

// ctxErr reports that the caller's context ended.
func (c *Client) ctxErr(cl *call, ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return &transportError{method: cl.method, path: c.safePath(cl.u), err: err, caller: true}
}

// safePath is the redacted, bounded path of u for messages.
func (c *Client) safePath(u *url.URL) string {
	return truncate(redact(u.EscapedPath()), 200)
}

// statusError builds the *Error for an unexpected answer. Its Body is a
// short redacted excerpt: of a JSON or text answer its start, of an HTML
// page its title (see errorText).
func (c *Client) statusError(cl *call, r *response) error {
	body := r.body
	if r.stream != nil {
		body, _ = io.ReadAll(io.LimitReader(r.stream, 4*maxExcerpt))
		r.close()
	}
	return &Error{
		Method:    cl.method,
		Path:      c.safePath(cl.u),
		Status:    r.status,
		RequestID: truncate(redactExact(strings.Map(dropControl, r.header.Get("X-RequestId")), r.secrets...), 100),
		Body:      excerpt(errorText(r.header.Get("Content-Type"), body), r.secrets...),
	}
}

func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// isJSON reports whether a Content-Type is JSON (application/json, any
// +json type such as application/vnd.fotoware.asset+json) or absent.
func isJSON(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}
