package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/internal/origin"
)

// Picker token limits.
const (
	// MinPickerTokenTTL is the shortest picker token lifetime a request
	// may ask for.
	MinPickerTokenTTL = time.Minute
	// MaxPickerTokenTTL is the longest Config.PickerTokenTTL.
	MaxPickerTokenTTL = 24 * time.Hour
	// maxPickerToken bounds a presented token before any work on it.
	maxPickerToken = 2048
	// maxPickerArchives bounds the archives one token names.
	maxPickerArchives = 100
)

// pickerClaims is what a picker token says. It is signed, not secret:
// the editor's browser holds it, and may read it.
type pickerClaims struct {
	Version  int      `json:"v"`
	Expires  int64    `json:"exp"`           // Unix seconds
	Issued   int64    `json:"iat"`           // Unix seconds
	Archives []string `json:"arc,omitempty"` // archive ids; none: every archive the service sees
	Origin   string   `json:"org,omitempty"` // the only parent origin; none: any of Config.PickerOrigins
	Nonce    string   `json:"n"`
}

// Picker token errors; their messages are the 401 answers.
var (
	errPickerTokenInvalid = errors.New("the picker token is not valid")
	errPickerTokenExpired = errors.New("the picker token has expired: ask the CMS for a new one")
)

// pickerTokens mints and verifies picker tokens: base64url(JSON claims)
// "." base64url(HMAC-SHA256), the MAC under a key derived from the
// signing keys. The claims start with {"v": their base64url starts with
// "eyJ", so log redaction takes a token for the bearer secret it is.
type pickerTokens struct {
	key []byte
	now func() time.Time
}

// mint returns a signed token for c.
func (p *pickerTokens) mint(c pickerClaims) (string, error) {
	var nonce [12]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	c.Version, c.Nonce = 1, base64.RawURLEncoding.EncodeToString(nonce[:])
	b, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	return body + "." + base64.RawURLEncoding.EncodeToString(macOf(p.key, "picker", body)), nil
}

// verify checks a token's MAC before looking at anything in it, then its
// expiry, and returns its claims (with errPickerTokenExpired, those of
// the expired token).
func (p *pickerTokens) verify(tok string) (*pickerClaims, error) {
	if len(tok) > maxPickerToken {
		return nil, errPickerTokenInvalid
	}
	body, sig, ok := strings.Cut(tok, ".")
	if !ok || body == "" || strings.Contains(sig, ".") {
		return nil, errPickerTokenInvalid
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, macOf(p.key, "picker", body)) {
		return nil, errPickerTokenInvalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil {
		return nil, errPickerTokenInvalid
	}
	var c pickerClaims
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.Version != 1 || c.Expires <= 0 {
		return nil, errPickerTokenInvalid
	}
	if !p.now().Before(time.Unix(c.Expires, 0)) {
		return &c, errPickerTokenExpired // the claims, for the picker page's origin
	}
	return &c, nil
}

// looksLikePickerToken reports whether a presented credential has the
// shape of a picker token (it is not checked).
func looksLikePickerToken(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 1
}

// pickerTokenResponse is the answer of POST /v1/picker-tokens.
type pickerTokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	ExpiresIn int       `json:"expires_in"`
	Archives  []string  `json:"archives,omitempty"`
	Origin    string    `json:"origin,omitempty"`
	// PickerURL is the iframe's src: the picker with the token, and the
	// origin when the token is bound to one.
	PickerURL string `json:"picker_url"`
}

// mintPickerToken answers POST /v1/picker-tokens (API key): a
// short-lived token that lets an editor's browser use the picker (and
// only the picker's read routes) on the archives named, without the
// long-lived API key ever reaching it.
func (ed *editor) mintPickerToken(c echo.Context) error {
	if len(ed.origins) == 0 {
		return errorf(http.StatusNotFound, "the picker is not enabled: set --picker-origins to the origins of the CMSs that embed it")
	}
	req, err := pickerTokenParams(c)
	if err != nil {
		return err
	}
	ttl := ed.s.cfg.PickerTokenTTL
	if req.expiresIn != 0 {
		d := time.Duration(req.expiresIn) * time.Second
		if d < MinPickerTokenTTL || d > ttl {
			return badRequest("expires_in must be from %d to %d seconds", int(MinPickerTokenTTL.Seconds()), int(ttl.Seconds()))
		}
		ttl = d
	}
	claims := pickerClaims{}
	if req.origin != "" {
		o := origin.Parse(req.origin)
		if o == "" || !slices.Contains(ed.origins, o) {
			return badRequest("origin %q is not one of the picker origins (--picker-origins)", req.origin)
		}
		claims.Origin = o
	}
	if len(req.archives) > maxPickerArchives {
		return badRequest("at most %d archives", maxPickerArchives)
	}
	if len(req.archives) > 0 {
		ids, err := ed.archiveIDs(c.Request().Context(), req.archives)
		if err != nil {
			return err
		}
		claims.Archives = ids
	}
	// The claims hold whole seconds: the expiry is rounded up, so that the
	// token lives at least the lifetime granted, which expires_in says
	// (rounded down, it would live 599.x seconds of 600, answered as 599).
	now := ed.s.cfg.Now()
	exp := now.Add(ttl)
	if whole := exp.Truncate(time.Second); whole.Before(exp) {
		exp = whole.Add(time.Second)
	}
	claims.Issued, claims.Expires = now.Unix(), exp.Unix()
	tok, err := ed.tokens.mint(claims)
	if err != nil {
		return err
	}
	q := url.Values{"token": {tok}}
	if claims.Origin != "" {
		q.Set("origin", claims.Origin)
	}
	return c.JSON(http.StatusCreated, pickerTokenResponse{
		Token: tok, ExpiresAt: exp.UTC(), ExpiresIn: int(ttl / time.Second),
		Archives: claims.Archives, Origin: claims.Origin,
		PickerURL: ed.s.cfg.BaseURL + pickerPath + "?" + q.Encode(),
	})
}

// pickerTokenRequest is what POST /v1/picker-tokens asks for, from its
// query parameters (the route reads no body); every one is optional.
type pickerTokenRequest struct {
	// archives (archives=5001,5002 or archive= repeated: ids, href
	// segments, hrefs or names) limits the token to these archives; none
	// means every archive the service sees.
	archives []string
	// origin binds the token to one parent origin, which must be one of
	// Config.PickerOrigins; none lets any of them frame the picker.
	origin string
	// expiresIn (expires_in) is the lifetime in seconds, at least 60 and
	// at most Config.PickerTokenTTL (the default).
	expiresIn int
}

// pickerTokenParams reads a pickerTokenRequest.
func pickerTokenParams(c echo.Context) (pickerTokenRequest, error) {
	q := c.QueryParams()
	var r pickerTokenRequest
	for _, v := range append(q["archives"], q["archive"]...) {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				r.archives = append(r.archives, a)
			}
		}
	}
	r.origin = strings.TrimSpace(q.Get("origin"))
	if v := q.Get("expires_in"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return r, badRequest("expires_in must be a number of seconds")
		}
		r.expiresIn = n
	}
	for k := range q {
		switch k {
		case "archives", "archive", "origin", "expires_in":
		default:
			return r, badRequest("unknown parameter %q: a picker token takes archives, origin and expires_in", k)
		}
	}
	return r, nil
}
