package fotowebtest

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
)

// handleAuthorize serves GET /fotoweb/oauth2/authorize. There is no
// browser: the request is approved at once (unless DenyAuthorization) for
// the user login_hint names (User or ReadOnlyUser), else for
// Options.LoginUser, and answered with a 302 to the redirect URI.
func (f *Fake) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, "GET")
		return
	}
	q := r.URL.Query()
	client, redirect := q.Get("client_id"), q.Get("redirect_uri")
	switch {
	case client != WebClientID && client != ConfidentialClientID:
		f.kittens(w, "The application is not registered (unknown client_id).")
		return
	case !registeredRedirect(redirect):
		f.kittens(w, "The redirect URI is not registered for this application.")
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}}
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, withQuery(redirect, v), http.StatusFound)
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	case client == WebClientID && challenge == "":
		fail("invalid_request", "PKCE code_challenge is required for native applications")
		return
	case challenge != "" && method != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case f.deny.Load():
		fail("access_denied", "the user denied access")
		return
	}
	who := f.login
	if p := loginPrincipal(q.Get("login_hint")); p != nil {
		who = p
	}
	code := randomString(32)
	f.auth.mu.Lock()
	f.auth.codes[code] = &authCode{who: who, client: client, redirect: redirect, challenge: challenge,
		expires: f.now().Add(f.opts.AuthCodeLifetime)}
	f.auth.mu.Unlock()
	v := url.Values{"code": {code}}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirect, v), http.StatusFound)
}

// DenyAuthorization makes the authorize endpoint answer every valid
// request with error=access_denied (as when the user clicks "Deny").
func (f *Fake) DenyAuthorization(deny bool) { f.deny.Store(deny) }

// registeredRedirect reports whether u is a loopback http redirect URI.
func registeredRedirect(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || p.Fragment != "" || p.User != nil {
		return false
	}
	host := p.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withQuery adds v to the query of u.
func withQuery(u string, v url.Values) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	for k, vs := range v {
		q[k] = vs
	}
	p.RawQuery = q.Encode()
	return p.String()
}

// kittens writes FotoWeb's error page for an authorize request it will not
// redirect (nicknamed "kittens"): 400, HTML, no Location.
func (f *Fake) kittens(w http.ResponseWriter, why string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>FotoWeb - Authorization error</title></head>
<body class="kittens">
<h1>Oops! Something went wrong.</h1>
<p>%s</p>
<p>The application that sent you here is not correctly configured. Please contact its developer.</p>
<pre>  /\_/\   /\_/\
 ( o.o ) ( -.- )
  &gt; ^ &lt;   &gt; ^ &lt;</pre>
</body></html>
`, html.EscapeString(why))
}
