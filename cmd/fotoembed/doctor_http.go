package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// tokenAnswer is what the doctor saw of one answer of FotoWeb's token
// endpoint: the forms of its fields, never a token.
type tokenAnswer struct {
	Status       int
	ContentType  string
	ExpiresIn    string // "decimal", "integer", "string", "absent" or "other"
	ExpiresInRaw string // the JSON literal of expires_in (a number or a quoted number)
	TokenType    string
	HasAccess    bool
	HasRefresh   bool
	Error        string // RFC 6749 "error", when there is one
}

// tokenTap is a transport under the token source's own (which rewrites a
// decimal expires_in for x/oauth2): it records how FotoWeb wrote each
// token answer, and adds the tokens in it to the secrets to redact.
type tokenTap struct {
	next    http.RoundTripper
	secrets *secretList

	mu      sync.Mutex
	answers []tokenAnswer
}

// RoundTrip implements http.RoundTripper.
func (t *tokenTap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.Body == nil || !strings.HasSuffix(req.URL.Path, "/oauth2/token") {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20+1))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	t.record(resp, body)
	return resp, nil
}

// record notes the forms of a token answer.
func (t *tokenTap) record(resp *http.Response, body []byte) {
	ans := tokenAnswer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), ExpiresIn: "absent"}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil {
		str := func(k string) string {
			var s string
			if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil {
				return s
			}
			return ""
		}
		access, refresh := str("access_token"), str("refresh_token")
		t.secrets.add(access, refresh)
		ans.HasAccess, ans.HasRefresh = access != "", refresh != ""
		ans.TokenType, ans.Error = str("token_type"), str("error")
		if raw, ok := m["expires_in"]; ok {
			ans.ExpiresIn, ans.ExpiresInRaw = expiresInForm(raw)
		}
	} else {
		ans.ExpiresIn = "other"
	}
	t.mu.Lock()
	t.answers = append(t.answers, ans)
	t.mu.Unlock()
}

// expiresInForm classifies the JSON literal of expires_in.
func expiresInForm(raw json.RawMessage) (form, literal string) {
	s := strings.TrimSpace(string(raw))
	if len(s) > 40 {
		return "other", ""
	}
	switch {
	case strings.HasPrefix(s, `"`):
		return "string", s
	case s == "null":
		return "other", s
	case strings.ContainsAny(s, ".eE"):
		return "decimal", s
	case strings.Trim(s, "-0123456789") == "":
		return "integer", s
	}
	return "other", ""
}

// since returns the answers recorded after the first n.
func (t *tokenTap) since(n int) []tokenAnswer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]tokenAnswer(nil), t.answers[min(n, len(t.answers)):]...)
}

// count returns the number of answers recorded.
func (t *tokenTap) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.answers)
}

// rawAnswer is an answer read whole by rawClient.
type rawAnswer struct {
	Status int
	Header http.Header
	Body   []byte
}

// maxRawBody bounds an answer rawClient reads.
const maxRawBody = 32 << 20

// rawClient GETs FotoWeb API URLs with the live access token and hands
// back the answer as sent, so that the doctor sees the wire forms (null,
// "" or absent; headers) the fotoweb client smooths over. It follows
// only links on the origin and no redirects; its errors carry the path,
// never the query or a token.
type rawClient struct {
	origin  *url.URL
	hc      *http.Client
	tokens  oauth2.TokenSource
	inQuery bool // the token as ?access_token= (--token-in-query)
	timeout time.Duration
	limiter *rate.Limiter // --rate-limit; nil when unlimited
	secrets *secretList
}

// resolve makes href absolute on the origin, refusing other origins.
func (r *rawClient) resolve(href string) (*url.URL, error) {
	ref, err := url.Parse(href)
	if err != nil {
		return nil, errors.New("a link FotoWeb gave does not parse as a URL")
	}
	u := r.origin.ResolveReference(ref)
	if u.Scheme != r.origin.Scheme || u.Host != r.origin.Host || u.User != nil {
		return nil, fmt.Errorf("%w: a link leads to %s", fotoweb.ErrOffOrigin, u.Scheme+"://"+u.Host)
	}
	u.Fragment = ""
	return u, nil
}

// get GETs href (on the origin) asking for accept, with the access token.
func (r *rawClient) get(ctx context.Context, href, accept string) (*rawAnswer, error) {
	u, err := r.resolve(href)
	if err != nil {
		return nil, err
	}
	if r.limiter != nil {
		if err := r.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("GET %s: %w", u.EscapedPath(), err)
		}
	}
	tok, err := fotoweb.TokenContext(ctx, r.tokens)
	if err != nil {
		return nil, fmt.Errorf("GET %s: getting a token: %w", u.EscapedPath(), err)
	}
	r.secrets.add(tok.AccessToken)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.inQuery {
		q := u.Query()
		q.Set("access_token", tok.AccessToken)
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", u.EscapedPath(), redactErr(err))
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", fotoweb.DefaultUserAgent+" (doctor)")
	if !r.inQuery {
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", u.EscapedPath(), redactErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRawBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %v", u.EscapedPath(), redactErr(err))
	}
	if len(body) > maxRawBody {
		return nil, fmt.Errorf("GET %s: the answer is larger than %d MiB", u.EscapedPath(), maxRawBody>>20)
	}
	return &rawAnswer{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// redactErr drops the URL (which may carry a token) from a net/http
// error, keeping its cause.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// noRedirects is a CheckRedirect that hands a redirect back as the
// answer.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
