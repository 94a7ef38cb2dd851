package fotowebtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// tokenErr is an RFC 6749 §5.2 error.
type tokenErr struct {
	status int
	code   string
	desc   string
	basic  bool // the client tried HTTP Basic: add WWW-Authenticate
}

func (f *Fake) invalidClient(desc string, basic bool) *tokenErr {
	st := f.opts.InvalidClientStatus
	if basic {
		st = http.StatusUnauthorized
	}
	return &tokenErr{st, "invalid_client", desc, basic}
}

func badRequest(code, desc string) *tokenErr {
	return &tokenErr{http.StatusBadRequest, code, desc, false}
}

// handleToken serves POST /fotoweb/oauth2/token.
func (f *Fake) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.counts.token("")
		methodNotAllowed(w, r, "POST")
		return
	}
	form := url.Values{}
	if mediaType(r) == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err == nil {
			form = r.PostForm
		}
	}
	grant := form.Get("grant_type")
	f.counts.token(grant)
	if f.tokenOff.Load() {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>Service Unavailable</h1></body></html>")
		return
	}
	if mediaType(r) != "application/x-www-form-urlencoded" {
		f.writeTokenError(w, badRequest("invalid_request", "the request body must be application/x-www-form-urlencoded"))
		return
	}
	var err *tokenErr
	switch grant {
	case "":
		err = badRequest("invalid_request", "grant_type is required")
	case "client_credentials":
		err = f.grantClientCredentials(w, r, form)
	case "authorization_code":
		err = f.grantAuthorizationCode(w, r, form)
	case "refresh_token":
		err = f.grantRefresh(w, r, form)
	default:
		err = badRequest("unsupported_grant_type", "grant_type "+strconv.Quote(grant)+" is not supported")
	}
	if err != nil {
		f.writeTokenError(w, err)
	}
}

// clientAuth authenticates the client from the form (or HTTP Basic when
// Options.AcceptBasicAuth) and returns its id.
func (f *Fake) clientAuth(r *http.Request, form url.Values) (string, *tokenErr) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	bid, bsecret, basic := r.BasicAuth()
	if basic && f.opts.AcceptBasicAuth {
		id, secret = bid, bsecret
	}
	if basic && !f.opts.AcceptBasicAuth && id == "" {
		return "", f.invalidClient("HTTP Basic client authentication is not supported; send client_id and client_secret in the body", true)
	}
	check := func(want string) *tokenErr {
		if secret == "" {
			return f.invalidClient("client_secret is required", basic && f.opts.AcceptBasicAuth)
		}
		if !hmac.Equal([]byte(secret), []byte(want)) {
			return f.invalidClient("client authentication failed", basic && f.opts.AcceptBasicAuth)
		}
		return nil
	}
	switch id {
	case "":
		return "", badRequest("invalid_request", "client_id is required")
	case ServiceClientID:
		return id, check(ServiceClientSecret)
	case ConfidentialClientID:
		return id, check(ConfidentialClientSecret)
	case WebClientID:
		if secret != "" && !f.opts.AllowPublicClientSecret {
			return "", badRequest("invalid_request", "public clients must not send client_secret")
		}
		return id, nil
	}
	return "", f.invalidClient("unknown client", basic && f.opts.AcceptBasicAuth)
}

func (f *Fake) grantClientCredentials(w http.ResponseWriter, r *http.Request, form url.Values) *tokenErr {
	client, err := f.clientAuth(r, form)
	if err != nil {
		return err
	}
	if client != ServiceClientID {
		return badRequest("unauthorized_client", "the client is not a non-interactive application")
	}
	access, life := f.issueAccess(adminPrincipal, client)
	refresh := ""
	if f.wire.ccRefresh {
		refresh = f.issueRefresh(adminPrincipal, client)
	}
	f.writeToken(w, access, life, refresh)
	return nil
}

func (f *Fake) grantAuthorizationCode(w http.ResponseWriter, r *http.Request, form url.Values) *tokenErr {
	client, err := f.clientAuth(r, form)
	if err != nil {
		return err
	}
	if client == ServiceClientID {
		return badRequest("unauthorized_client", "non-interactive applications use client_credentials")
	}
	code := form.Get("code")
	if code == "" {
		return badRequest("invalid_request", "code is required")
	}
	f.auth.mu.Lock()
	c := f.auth.codes[code]
	delete(f.auth.codes, code) // single use, whatever happens next
	f.auth.mu.Unlock()
	switch {
	case c == nil || !f.now().Before(c.expires):
		return badRequest("invalid_grant", "the authorization code is invalid, expired or already used")
	case c.client != client:
		return badRequest("invalid_grant", "the authorization code was issued to another client")
	case form.Get("redirect_uri") != c.redirect:
		return badRequest("invalid_grant", "redirect_uri does not match the authorization request")
	}
	if c.challenge != "" {
		verifier := form.Get("code_verifier")
		if verifier == "" {
			return badRequest("invalid_request", "code_verifier is required")
		}
		sum := sha256.Sum256([]byte(verifier))
		if !hmac.Equal([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(c.challenge)) {
			return badRequest("invalid_grant", "code_verifier does not match the code_challenge")
		}
	}
	access, life := f.issueAccess(c.who, client)
	f.writeToken(w, access, life, f.issueRefresh(c.who, client))
	return nil
}

func (f *Fake) grantRefresh(w http.ResponseWriter, r *http.Request, form url.Values) *tokenErr {
	client, err := f.clientAuth(r, form)
	if err != nil {
		return err
	}
	rt := form.Get("refresh_token")
	if rt == "" {
		return badRequest("invalid_request", "refresh_token is required")
	}
	rotate := *f.opts.RotateRefreshTokens
	f.auth.mu.Lock()
	t := f.auth.refresh[rt]
	switch {
	case t == nil || t.gen != f.auth.refreshGen || !f.now().Before(t.expires):
		f.auth.mu.Unlock()
		return badRequest("invalid_grant", "the refresh token is invalid, expired or revoked")
	case t.client != client:
		f.auth.mu.Unlock()
		return badRequest("invalid_grant", "the refresh token was issued to another client")
	}
	if rotate {
		delete(f.auth.refresh, rt)
	}
	f.auth.mu.Unlock()
	access, life := f.issueAccess(t.who, client)
	next := ""
	if rotate {
		next = f.issueRefresh(t.who, client)
	}
	if h := f.hold.Swap(nil); h != nil {
		close(h.rotated)
		select {
		case <-h.release:
		case <-r.Context().Done():
			return nil // the client is gone: the answer is lost
		}
	}
	f.writeToken(w, access, life, next)
	return nil
}

// refreshHold is an armed HoldNextRefresh.
type refreshHold struct {
	rotated chan struct{}
	release chan struct{}
}

// HoldNextRefresh makes the next refresh-token grant do its work (the old
// refresh token is dead, the new one issued) and then hold its answer:
// rotated is closed at that moment, and the answer is written only when
// release is called (or never, when the client has gone away). This is
// the window in which a client that dies loses its login: FotoWeb has
// rotated the token and the client never learns the new one.
func (f *Fake) HoldNextRefresh() (rotated <-chan struct{}, release func()) {
	h := &refreshHold{rotated: make(chan struct{}), release: make(chan struct{})}
	f.hold.Store(h)
	var once sync.Once
	return h.rotated, func() { once.Do(func() { close(h.release) }) }
}

// writeToken writes the token response by hand so that expires_in keeps
// FotoWeb's decimal literal (28800.000000).
func (f *Fake) writeToken(w http.ResponseWriter, access string, life time.Duration, refresh string) {
	exp := fmt.Sprintf("%.6f", life.Seconds())
	if f.opts.IntegerExpiresIn {
		exp = strconv.FormatInt(int64(life/time.Second), 10)
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	body := `{"access_token":` + q(access) + `,"token_type":"bearer","expires_in":` + exp
	if refresh != "" {
		body += `,"refresh_token":` + q(refresh)
	}
	body += "}"
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(body))
}

func (f *Fake) writeTokenError(w http.ResponseWriter, e *tokenErr) {
	h := w.Header()
	if e.basic {
		h.Set("WWW-Authenticate", `Basic realm="FotoWeb"`)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	body, _ := json.Marshal(map[string]string{"error": e.code, "error_description": e.desc})
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	w.Write(body)
}

// SetTokenEndpointDown makes the token endpoint answer 503 while down.
func (f *Fake) SetTokenEndpointDown(down bool) { f.tokenOff.Store(down) }
