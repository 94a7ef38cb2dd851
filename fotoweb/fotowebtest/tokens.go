package fotowebtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// principal is who a token acts for.
type principal struct {
	admin     bool
	readOnly  bool // sees what User sees, may edit nothing
	userID    int
	userName  string
	fullName  string
	firstName string
	lastName  string
	email     string
}

var (
	adminPrincipal = &principal{admin: true, userID: 15001, userName: "Administrator", fullName: "Administrative User",
		firstName: "Administrative", lastName: "User", email: "administrator@fotoembed.test"}
	userPrincipal = &principal{userID: 15003, userName: User, fullName: "Edith Editor",
		firstName: "Edith", lastName: "Editor", email: "editor@fotoembed.test"}
	viewerPrincipal = &principal{readOnly: true, userID: 15004, userName: ReadOnlyUser, fullName: "Victor Viewer",
		firstName: "Victor", lastName: "Viewer", email: "viewer@fotoembed.test"}
)

// numRoles is the number of distinct roles (per-role cache slots).
const numRoles = 3

// role indexes per-role caches: 0 admin, 1 editor, 2 viewer.
func (p *principal) role() int {
	switch {
	case p.admin:
		return 0
	case p.readOnly:
		return 2
	}
	return 1
}

// loginPrincipal returns the interactive user called name (User or
// ReadOnlyUser), or nil.
func loginPrincipal(name string) *principal {
	switch name {
	case User:
		return userPrincipal
	case ReadOnlyUser:
		return viewerPrincipal
	}
	return nil
}

func (p *principal) sees(a *archive) bool { return p.admin || a.userSees }

func (p *principal) canEdit(a *archive) bool { return p.admin || (!p.readOnly && a.userEdits) }

// canExport reports whether p holds the Export permission in a.
func (p *principal) canExport(a *archive) bool {
	return p.sees(a) && slices.Contains(permissions(p, a), "Export")
}

type accessToken struct {
	who     *principal
	client  string
	expires time.Time
	gen     int
}

type refreshToken struct {
	who     *principal
	client  string
	expires time.Time
	gen     int
}

type authCode struct {
	who       *principal
	client    string
	redirect  string
	challenge string
	expires   time.Time
}

// authState holds issued tokens and codes.
type authState struct {
	mu         sync.RWMutex
	access     map[string]*accessToken
	refresh    map[string]*refreshToken
	codes      map[string]*authCode
	accessGen  int
	refreshGen int
}

func (s *authState) init() {
	s.access = make(map[string]*accessToken)
	s.refresh = make(map[string]*refreshToken)
	s.codes = make(map[string]*authCode)
}

// randomString returns n random bytes, base64url encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sign returns base64url(HMAC-SHA256(key, parts joined by '|')).
func (f *Fake) sign(parts ...string) string {
	m := hmac.New(sha256.New, f.key)
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// jwt returns a compact HS256 JWT with the claims.
func (f *Fake) jwt(claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	body, _ := json.Marshal(claims)
	unsigned := head + "." + base64.RawURLEncoding.EncodeToString(body)
	m := hmac.New(sha256.New, f.key)
	m.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseJWT verifies a token minted by jwt and returns its claims.
func (f *Fake) parseJWT(tok string) (map[string]any, bool) {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || strings.Count(tok, ".") != 2 {
		return nil, false
	}
	m := hmac.New(sha256.New, f.key)
	m.Write([]byte(tok[:i]))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(tok[i+1:])) {
		return nil, false
	}
	body, err := base64.RawURLEncoding.DecodeString(tok[strings.IndexByte(tok, '.')+1 : i])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(body, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// issueAccess mints and stores an access token.
func (f *Fake) issueAccess(who *principal, client string) (string, time.Duration) {
	now := f.now()
	life := f.opts.AccessTokenLifetime
	tok := f.jwt(map[string]any{
		"iss": f.BaseURL() + "/fotoweb/", "sub": strconv.Itoa(who.userID), "aud": "fotoweb",
		"client_id": client, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(life).Unix(),
		"jti": randomString(12),
	})
	f.auth.mu.Lock()
	f.auth.access[tok] = &accessToken{who: who, client: client, expires: now.Add(life), gen: f.auth.accessGen}
	f.auth.mu.Unlock()
	return tok, life
}

// issueRefresh mints and stores a refresh token.
func (f *Fake) issueRefresh(who *principal, client string) string {
	tok := randomString(32)
	f.auth.mu.Lock()
	f.auth.refresh[tok] = &refreshToken{who: who, client: client,
		expires: f.now().Add(f.opts.RefreshTokenLifetime), gen: f.auth.refreshGen}
	f.auth.mu.Unlock()
	return tok
}

// ServiceToken returns a fresh access token of the non-interactive
// application (sees every archive), without a token-endpoint request.
func (f *Fake) ServiceToken() string {
	t, _ := f.issueAccess(adminPrincipal, ServiceClientID)
	return t
}

// UserToken returns a fresh access token of User (the editor),
// without a token-endpoint request.
func (f *Fake) UserToken() string {
	t, _ := f.issueAccess(userPrincipal, WebClientID)
	return t
}

// ReadOnlyUserToken returns a fresh access token of ReadOnlyUser (sees
// what User sees, may edit nothing), without a token-endpoint request.
func (f *Fake) ReadOnlyUserToken() string {
	t, _ := f.issueAccess(viewerPrincipal, WebClientID)
	return t
}

// RevokeTokens invalidates every access token issued so far (refresh
// tokens stay valid).
func (f *Fake) RevokeTokens() {
	f.auth.mu.Lock()
	f.auth.accessGen++
	f.auth.mu.Unlock()
}

// RevokeRefreshTokens invalidates every refresh token issued so far.
func (f *Fake) RevokeRefreshTokens() {
	f.auth.mu.Lock()
	f.auth.refreshGen++
	f.auth.mu.Unlock()
}

// lookupAccess returns the principal of a live access token.
func (f *Fake) lookupAccess(tok string) *principal {
	f.auth.mu.RLock()
	t := f.auth.access[tok]
	gen := f.auth.accessGen
	f.auth.mu.RUnlock()
	if t == nil || t.gen != gen || !f.now().Before(t.expires) {
		return nil
	}
	return t.who
}

// presentedToken extracts a bearer token from the Authorization header
// (scheme case-insensitive) or the access_token query parameter (unless
// Options.QueryTokenRejected covers the path). bad is true for a
// non-bearer Authorization header.
func (f *Fake) presentedToken(r *http.Request) (tok string, bad bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "bearer") {
			return "", true
		}
		return strings.TrimSpace(rest), false
	}
	q := r.URL.Query().Get("access_token")
	if q == "" {
		return "", false
	}
	for _, p := range f.opts.QueryTokenRejected {
		if strings.HasPrefix(r.URL.Path, p) {
			return "", false
		}
	}
	return q, false
}

// authenticate returns the request's principal, or answers 401 in the
// Options.Unauthorized form (500 for an OAuth token sent as FWAPIToken,
// as FotoWeb does) and returns nil.
func (f *Fake) authenticate(w http.ResponseWriter, r *http.Request) *principal {
	tok, bad := f.presentedToken(r)
	if tok == "" && !bad && r.Header.Get("FWAPIToken") != "" {
		writeError(w, r, http.StatusInternalServerError, "InternalServerError: An error occurred")
		return nil
	}
	if tok == "" || bad {
		f.unauthorized(w, r, false, "Unauthorized: Access is denied due to invalid credentials")
		return nil
	}
	who := f.lookupAccess(tok)
	if who == nil {
		f.unauthorized(w, r, true, "Unauthorized: Access is denied due to invalid credentials")
		return nil
	}
	return who
}

// headerPrincipal returns the principal of the Authorization header's
// bearer token (the query parameter does not count), or nil.
func (f *Fake) headerPrincipal(r *http.Request) *principal {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return nil
	}
	return f.lookupAccess(strings.TrimSpace(tok))
}

// hidden answers a request for something the principal may not see.
func (f *Fake) hidden(w http.ResponseWriter, r *http.Request) {
	if f.opts.HiddenStatus == http.StatusForbidden {
		writeError(w, r, http.StatusForbidden, "Forbidden: Access denied")
		return
	}
	writeError(w, r, f.opts.HiddenStatus, "NotFound: The requested resource does not exist")
}
