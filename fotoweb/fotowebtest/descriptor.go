package fotowebtest

import (
	"net/http"
	"strings"
)

var publicServices = map[string]any{
	"login": "/fotoweb/login", "search": "/fotoweb/search/", "rendition_request": "/fotoweb/services/renditions",
}

// handlePublicDescriptor serves GET /fotoweb/ (no authentication).
func (f *Fake) handlePublicDescriptor(w http.ResponseWriter, r *http.Request) {
	_, ctype, ok := readable(w, r, mtAPIDescriptor)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, ctype, map[string]any{
		"server": "FotoWeb Core", "href": "/fotoweb/", "archives": "/fotoweb/archives/", "albums": "/fotoweb/albums/",
		"taxonomies": "/fotoweb/taxonomies/", "screens": "/fotoweb/screens/",
		"background_tasks": "/fotoweb/me/background-tasks/", "searchURL": "/fotoweb/archives/{?q}",
		"utc_offset": 0, "services": publicServices,
	})
}

// handleFullDescriptor serves GET /fotoweb/me and /fotoweb/me/.
func (f *Fake) handleFullDescriptor(w http.ResponseWriter, r *http.Request) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	_, ctype, ok := readable(w, r, mtFullDescriptor)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, ctype, map[string]any{
		"href": "/fotoweb/me", "server": "FotoWeb Core",
		"archives": "/fotoweb/me/archives/", "searchURL": "/fotoweb/archives/{?q}",
		"albums": "/fotoweb/me/albums/", "albums_own": "/fotoweb/me/albums/mine/",
		"albums_shared": "/fotoweb/me/albums/shared-with-me/", "albums_archived": "/fotoweb/me/albums/archived/",
		"albums_deleted": "/fotoweb/me/albums/deleted/", "albums_contribute": "/fotoweb/me/albums/contribute/",
		"background_tasks": "/fotoweb/me/background-tasks/", "taxonomies": "/fotoweb/taxonomies/",
		"upload_to": "/fotoweb/me/upload-to/", "copy_to": "/fotoweb/me/copy-to/", "move_to": "/fotoweb/me/move-to/",
		"users": "/fotoweb/users/", "users_search": "/fotoweb/users/{?q}", "groups": "/fotoweb/groups/",
		"people_search": "/fotoweb/me/people/{?q}",
		"services": map[string]any{
			"rendition_request": "/fotoweb/services/renditions", "search": "/fotoweb/search/",
			"logout": "/fotoweb/services/logout", "keepalive": map[string]any{"href": "/fotoweb/services/keepalive", "interval": 20},
			"navigate_next": "/fotoweb/services/next", "navigate_prev": "/fotoweb/services/prev",
			"retranscode": "/fotoweb/services/retranscode/",
		},
		"widgets": map[string]any{"selection": "/fotoweb/widgets/selection"},
		"views": map[string]any{"selection": "/fotoweb/views/selection-dialog", "manage_exports": "/fotoweb/views/exportlist",
			"admin_webhooks": "/fotoweb/views/admin/webhooks", "upload": "/fotoweb/views/upload", "pro": "/fotoweb/views/pro"},
		"user": map[string]any{"userId": who.userID, "userName": who.userName, "fullName": who.fullName,
			"firstName": who.firstName, "lastName": who.lastName, "email": who.email,
			"href": "/fotoweb/users/" + who.userName, "isGuest": false},
		"permissions": map[string]any{"canManageExports": who.admin, "hasManageSettingsPermission": who.admin,
			"albums": map[string]any{"create": true}},
		"apiFeatureLevels":    map[string]any{"consentFormsApiFeatureLevel": 30, "downloadSettingsApiFeatureLevel": 20},
		"isVersioningEnabled": false,
		"utc_offset":          60,
	})
}

// fieldLabels names the fields the seed data uses (also in webhook diffs).
var fieldLabels = map[int]string{5: "Title", 10: "Status", 20: "Supplemental Category", 25: "Keywords", 40: "Special Instructions",
	80: "Author", 90: "City", 105: "Headline", 110: "Credit", 115: "Source", 116: "Copyright", 120: "Description",
	230: "Notes", 320: "Rating"}

func fieldJSON(id int) map[string]any {
	return map[string]any{"id": id, "label": fieldLabels[id], "data-type": "text", "multi-instance": isBag(id),
		"max-size": 0, "multiline": id == 120, "taxonomyHref": nil, "validation": nil}
}

// handleEditor serves the metadata editor (metadata-set+json).
func (f *Fake) handleEditor(w http.ResponseWriter, r *http.Request) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	if strings.TrimSuffix(r.URL.Path, "/") != editorHref {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	_, ctype, ok := negotiate(r, mtMetadataSet)
	if !ok {
		writeNotAcceptable(w, r)
		return
	}
	builtin := map[string]any{}
	for name, id := range map[string]int{"title": 5, "description": 120, "tags": 25, "status": 10, "rating": 320, "notes": 230} {
		builtin[name] = map[string]any{"field": fieldJSON(id), "isWritable": !who.readOnly, "required": false, "taxonomy-only": false}
	}
	var detail []any
	for _, id := range []int{5, 120, 25, 80, 90, 105, 110, 116} {
		detail = append(detail, map[string]any{"field": fieldJSON(id), "isWritable": who.admin || (!who.readOnly && id != 116), "required": false})
	}
	if f.wire.recordedHeaders { // as recorded (metadataEditor.meta.json)
		h := w.Header()
		h.Set("Cache-Control", "max-age=60")
		h.Set("Vary", "User-Agent, Accept")
		h.Set("Content-Language", "en-gb")
	}
	writeJSON(w, http.StatusOK, ctype, map[string]any{
		"id": editorID, "href": editorHref, "name": "Archive", "builtinFields": builtin,
		"detailRegions":            []any{map[string]any{"name": "Details", "fields": detail}},
		"thumbnailFields":          map[string]any{"label": map[string]any{"field": fieldJSON(5)}},
		"preserveModificationTime": false,
	})
}
