package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/internal/origin"
)

// archivesTTL is how long the archive list is reused (names and counts
// in search answers, the archive filter, picker token scopes).
const archivesTTL = 10 * time.Second

// editor serves what editors use: search with paging, the archive list,
// picker tokens and the picker page. It holds the state those need
// beside the Server's.
type editor struct {
	s       *Server
	tokens  *pickerTokens
	cursors []byte   // key of paging cursors
	origins []string // Config.PickerOrigins, normalised

	mu       sync.Mutex // held while the archive list is fetched
	archList []fotoweb.Collection
	archAt   time.Time
}

// newEditor returns the editor of s.
func newEditor(s *Server) *editor {
	ed := &editor{
		s:       s,
		tokens:  &pickerTokens{key: derivedKey(s.cfg.Signer, purposePickerToken), now: s.cfg.Now},
		cursors: derivedKey(s.cfg.Signer, purposeCursor),
	}
	for _, o := range s.cfg.PickerOrigins {
		if n := origin.Parse(o); n != "" && !slices.Contains(ed.origins, n) {
			ed.origins = append(ed.origins, n)
		}
	}
	return ed
}

// archives returns the archives the service's FotoWeb token sees,
// reused for archivesTTL.
func (ed *editor) archives(ctx context.Context) ([]fotoweb.Collection, error) {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	if ed.archList != nil && ed.s.cfg.Now().Sub(ed.archAt) < archivesTTL {
		return ed.archList, nil
	}
	list, err := ed.s.cfg.FotoWeb.Archives(ctx)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []fotoweb.Collection{}
	}
	ed.archList, ed.archAt = list, ed.s.cfg.Now()
	return list, nil
}

// cachedArchives returns the archive list as last fetched, without
// asking FotoWeb (nil when never fetched), and whether it is fresh.
func (ed *editor) cachedArchives() ([]fotoweb.Collection, bool) {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	return ed.archList, ed.archList != nil && ed.s.cfg.Now().Sub(ed.archAt) < archivesTTL
}

// archiveIDs maps archive names (ids, href segments, hrefs or names) to
// the ids of the archives they name; an unknown one is 400.
func (ed *editor) archiveIDs(ctx context.Context, names []string) ([]string, error) {
	cols, err := ed.archives(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, n := range names {
		i := slices.IndexFunc(cols, func(col fotoweb.Collection) bool { return archiveMatches(col, n) })
		if i < 0 {
			return nil, badRequest("no archive %q", n)
		}
		if id := collectionID(cols[i]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// collectionID returns an archive's id: its id field, or the number its
// href starts with.
func collectionID(col fotoweb.Collection) string {
	if k := archiveKey(col.Href); k != "" {
		return k
	}
	return col.ID
}

// scope is what a caller of the editor routes may see: every archive
// (an API key) or the archives of a picker token.
type scope struct {
	picker   bool            // a picker token, not an API key
	archives map[string]bool // archive ids; nil: every archive
	origin   string          // the picker token's parent origin, if bound
	expires  time.Time       // the picker token's expiry
}

// allScope is the scope of an API key.
var allScope = &scope{}

// allows reports whether the scope covers the archive with id.
func (sc *scope) allows(id string) bool {
	return sc.archives == nil || sc.archives[id]
}

// allowsHref reports whether the scope covers the asset with canonical
// href.
func (sc *scope) allowsHref(href string) bool {
	return sc.archives == nil || (strings.HasPrefix(href, archivesPrefix) && sc.archives[archiveKey(href)])
}

// key is a short digest of the scope's archives, carried in paging
// cursors so that a cursor serves only the scope it was made for.
func (sc *scope) key() string {
	if sc.archives == nil {
		return "*"
	}
	ids := make([]string, 0, len(sc.archives))
	for id := range sc.archives {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// scopeKey is the Echo context key of the caller's scope.
const scopeKey = "fotoembed.scope"

// scopeOf returns the caller's scope (every archive when none was set).
func scopeOf(c echo.Context) *scope {
	if sc, ok := c.Get(scopeKey).(*scope); ok {
		return sc
	}
	return allScope
}

// requireReader lets through an API key (every archive) or a picker
// token (its archives): the picker's read routes. Anything else is 401;
// an expired token says so in WWW-Authenticate (error_description
// "expired"), so that the picker can ask its parent for a new one.
func (ed *editor) requireReader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cred, ok := presentedKey(c.Request())
		if ok && ed.s.validKey(cred) {
			c.Set(scopeKey, allScope)
			return next(c)
		}
		if ok && looksLikePickerToken(cred) {
			claims, err := ed.tokens.verify(cred)
			if err != nil {
				desc := "invalid"
				if err == errPickerTokenExpired {
					desc = "expired"
				}
				c.Response().Header().Set("WWW-Authenticate",
					`Bearer realm="fotoembed", error="invalid_token", error_description="`+desc+`"`)
				return errorf(http.StatusUnauthorized, "%s", err.Error())
			}
			c.Set(scopeKey, claims.scope())
			return next(c)
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fotoembed"`)
		if !ok {
			return errorf(http.StatusUnauthorized, "an API key or picker token is required (Authorization: Bearer <key or token>, or X-API-Key)")
		}
		return errorf(http.StatusUnauthorized, "invalid API key")
	}
}

// scope returns the scope the claims grant.
func (c *pickerClaims) scope() *scope {
	sc := &scope{picker: true, origin: c.Origin, expires: time.Unix(c.Expires, 0)}
	if len(c.Archives) > 0 {
		sc.archives = map[string]bool{}
		for _, id := range c.Archives {
			sc.archives[id] = true
		}
	}
	return sc
}

// archiveInfo is one archive of GET /v1/archives.
type archiveInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Href   string `json:"href"`
	Count  int    `json:"count"`            // assets in the archive, as FotoWeb counts them
	Public bool   `json:"public,omitempty"` // in --public-archives: pages and oEmbed
}

// listArchives answers GET /v1/archives: the archives the caller may
// search (for an archive filter), in FotoWeb's order.
func (ed *editor) listArchives(c echo.Context) error {
	cols, err := ed.archives(c.Request().Context())
	if err != nil {
		return err
	}
	sc := scopeOf(c)
	out := []archiveInfo{}
	for _, col := range cols {
		id := collectionID(col)
		if id == "" || !sc.allows(id) {
			continue
		}
		out = append(out, archiveInfo{ID: id, Name: col.Name, Href: col.Href, Count: col.AssetCount, Public: ed.s.public[id]})
	}
	return c.JSON(http.StatusOK, map[string][]archiveInfo{"archives": out})
}

// archiveName returns the name of the archive with id, "" if unknown.
func archiveName(cols []fotoweb.Collection, id int) string {
	want := strconv.Itoa(id)
	for _, col := range cols {
		if collectionID(col) == want {
			return col.Name
		}
	}
	return ""
}
