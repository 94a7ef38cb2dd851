package fotowebtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// strs converts a decoded JSON list of strings.
func strs(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestUserRoles(t *testing.T) {
	s := newServer(t, Options{})
	admin, editor, viewer := s.ServiceToken(), s.UserToken(), s.ReadOnlyUserToken()
	tests := []struct {
		name, token, user      string
		manage                 bool     // descriptor canManageExports and hasManageSettingsPermission
		photos, press          []string // asset permissions
		photosEdit, pressEdit  bool     // collection canUploadTo/canCopyTo/canMoveTo
		createFolders, deletes bool
	}{
		{"admin", admin, "Administrator", true, adminPermissions, adminPermissions, true, true, true, false},
		{"editor", editor, User, false, userEditPermissions, userReadPermissions, true, false, false, false},
		{"viewer", viewer, ReadOnlyUser, false, userReadPermissions, userReadPermissions, false, false, false, false},
	}
	// The editor's asset JSON is cached first: the viewer must not get it.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			me := get(t, s, "/fotoweb/me", tt.token, "").json(t)
			if u := me["user"].(map[string]any); u["userName"] != tt.user || u["href"] != "/fotoweb/users/"+tt.user {
				t.Errorf("user %v", u)
			}
			p := me["permissions"].(map[string]any)
			if p["canManageExports"] != tt.manage || p["hasManageSettingsPermission"] != tt.manage {
				t.Errorf("descriptor permissions %v", p)
			}
			for _, c := range []struct {
				asset, coll string
				perms       []string
				edit        bool
			}{{LandscapeAsset, PhotosArchive, tt.photos, tt.photosEdit}, {PressPortraitAsset, PressArchive, tt.press, tt.pressEdit}} {
				if got := strs(assetDocOf(t, s, c.asset, tt.token)["permissions"]); !slices.Equal(got, c.perms) {
					t.Errorf("%s permissions %v, want %v", c.asset, got, c.perms)
				}
				coll := get(t, s, c.coll, tt.token, mtCollectionInfo).json(t)
				for _, k := range []string{"canUploadTo", "canCopyTo", "canMoveTo"} {
					if coll[k] != c.edit {
						t.Errorf("%s %s = %v, want %v", c.coll, k, coll[k], c.edit)
					}
				}
				if coll["canCreateFolders"] != tt.createFolders || coll["canBeDeleted"] != tt.deletes {
					t.Errorf("%s canCreateFolders %v canBeDeleted %v", c.coll, coll["canCreateFolders"], coll["canBeDeleted"])
				}
				if got := strs(coll["permissions"]); !slices.Equal(got, c.perms) {
					t.Errorf("%s collection permissions %v", c.coll, got)
				}
			}
		})
	}
	// The viewer sees the editor's archives, and no more.
	for _, tc := range []struct {
		path   string
		status int
	}{{HiddenAsset, 404}, {InternalArchive, 404}, {PressPortraitAsset, 200}, {LandscapeAsset, 200}} {
		if r := get(t, s, tc.path, viewer, ""); r.status != tc.status {
			t.Errorf("viewer GET %s: %d, want %d", tc.path, r.status, tc.status)
		}
	}
	// The metadata editor shows the viewer nothing writable.
	ed := get(t, s, editorHref, viewer, "").json(t)
	for _, d := range list(t, ed["detailRegions"].([]any)[0].(map[string]any), "fields") {
		if d["isWritable"] != false {
			t.Errorf("viewer: writable field %v", d["field"])
		}
	}
}

func TestPatchByRole(t *testing.T) {
	s := newServer(t, Options{})
	editor, viewer := s.UserToken(), s.ReadOnlyUserToken()
	tests := []struct {
		name, href, token string
		query             bool
		status            int
	}{
		{"editor header", LandscapeAsset, editor, false, 200},
		// The hazard the product guards against: the editor's token in a
		// URL is enough to change metadata.
		{"editor query", SquareAsset, editor, true, 200},
		{"editor on Press", PressPortraitAsset, editor, false, 403},
		{"viewer header", PortraitAsset, viewer, false, 403},
		{"viewer query", PortraitAsset, viewer, true, 403},
		{"viewer on Press", PressPortraitAsset, viewer, false, 403},
		{"viewer on Internal", HiddenAsset, viewer, false, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title := "set by " + tt.name
			u, h := s.URL+tt.href, map[string]string{"Content-Type": mtAssetUpdate}
			if tt.query {
				u += "?access_token=" + url.QueryEscape(tt.token)
			} else {
				h["Authorization"] = "Bearer " + tt.token
			}
			r := do(t, http.MethodPatch, u, h, `{"metadata":{"5":{"value":"`+title+`"}}}`)
			if r.status != tt.status {
				t.Fatalf("%d, want %d: %s", r.status, tt.status, r.body)
			}
			got := assetDocOf(t, s, tt.href, s.ServiceToken())["metadata"].(map[string]any)["5"].(map[string]any)["value"]
			if (got == title) != (tt.status == 200) {
				t.Errorf("title after PATCH: %v", got)
			}
		})
	}
}

// loginUser runs the authorization code flow (with an optional
// login_hint) and returns the userName of /fotoweb/me and the refresh
// token.
func loginUser(t *testing.T, s *Server, hint string) (string, string) {
	t.Helper()
	verifier, challenge := pkce("hint-")
	q := url.Values{"response_type": {"code"}, "client_id": {WebClientID}, "redirect_uri": {redirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if hint != "" {
		q.Set("login_hint", hint)
	}
	r := get(t, s, "/fotoweb/oauth2/authorize?"+q.Encode(), "", "")
	loc, _ := url.Parse(r.header.Get("Location"))
	m := postToken(t, s, codeForm(WebClientID, loc.Query().Get("code"), verifier)).json(t)
	me := get(t, s, "/fotoweb/me", m["access_token"].(string), "").json(t)
	return me["user"].(map[string]any)["userName"].(string), m["refresh_token"].(string)
}

func TestLoginUser(t *testing.T) {
	tests := []struct {
		login, hint, want string
	}{
		{"", "", User},
		{User, "", User},
		{ReadOnlyUser, "", ReadOnlyUser},
		{"", ReadOnlyUser, ReadOnlyUser},
		{ReadOnlyUser, User, User},
		{ReadOnlyUser, "nobody", ReadOnlyUser},
		{"", "Administrator", User},
	}
	for _, tt := range tests {
		t.Run(tt.login+"/"+tt.hint, func(t *testing.T) {
			s := newServer(t, Options{LoginUser: tt.login})
			got, rt := loginUser(t, s, tt.hint)
			if got != tt.want {
				t.Fatalf("user %q, want %q", got, tt.want)
			}
			// Refresh tokens keep their user.
			r := postToken(t, s, refreshForm(rt)).json(t)
			me := get(t, s, "/fotoweb/me", r["access_token"].(string), "").json(t)
			if u := me["user"].(map[string]any)["userName"]; u != tt.want {
				t.Errorf("after refresh: %v", u)
			}
		})
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "LoginUser") {
			t.Errorf("unknown LoginUser: panic %v", p)
		}
	}()
	New(Options{LoginUser: "root"})
}
