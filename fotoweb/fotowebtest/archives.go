package fotowebtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// handleArchiveList serves /fotoweb/me/archives/ and /fotoweb/archives/:
// the visible archives, or with ?q= one search collection per archive.
func (f *Fake) handleArchiveList(w http.ResponseWriter, r *http.Request) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	_, ctype, ok := readable(w, r, mtCollectionList)
	if !ok {
		return
	}
	q := searchQuery(r.URL.Query())
	expr, err := parseSearch(q)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "BadRequest: "+err.Error())
		return
	}
	l := f.newCollectionList(r.URL.EscapedPath(), "/fotoweb/archives/{?q}")
	for _, a := range f.archives {
		if who.sees(a) {
			v := &view{arch: a, q: q, expr: expr}
			v.base = v.plainHref()
			l.Data = append(l.Data, f.collectionDoc(v, who))
		}
	}
	w.Header().Set("Cache-Control", f.wire.collectionCC)
	writeJSON(w, http.StatusOK, ctype, l)
}

// handleArchivePath serves collections and assets under /fotoweb/archives/.
func (f *Fake) handleArchivePath(w http.ResponseWriter, r *http.Request, rest string) {
	if strings.Contains(rest, renditionsSuffix) {
		writeError(w, r, http.StatusNotFound, "NotFound: use the rendition service to download renditions")
		return
	}
	if strings.HasSuffix(rest, ".info") {
		f.handleAsset(w, r)
		return
	}
	archKey, remainder, _ := strings.Cut(rest, "/")
	arch := f.archByKey[archKey]
	folderPath, matrix := splitMatrix(remainder)
	if arch == nil || arch.folders[folderPath] == nil {
		if f.authenticate(w, r) != nil {
			writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		}
		return
	}
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	if !who.sees(arch) {
		f.hidden(w, r)
		return
	}
	v := &view{arch: arch, folder: folderPath, q: searchQuery(r.URL.Query())}
	v.base = v.plainHref()
	v.order, v.page = parseMatrix(matrix)
	if p, err := strconv.Atoi(r.URL.Query().Get("p")); err == nil && p >= 0 {
		v.page = p // the ?q=...&p=N form (PagingLinksQuery)
	}
	var err error
	if v.expr, err = parseSearch(v.q); err != nil {
		writeError(w, r, http.StatusBadRequest, "BadRequest: "+err.Error())
		return
	}
	f.serveCollection(w, r, who, v)
}

// handleDataURL serves an archive's user-specific data URL
// (/fotoweb/data/a/<id>.<token>/). Search parameters are ignored there.
func (f *Fake) handleDataURL(w http.ResponseWriter, r *http.Request, rest string) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	idtok, remainder, _ := strings.Cut(rest, "/")
	id, _, _ := strings.Cut(idtok, ".")
	arch := f.archByKey[id]
	if arch == nil || f.dataURL(arch, who) != "/fotoweb/data/a/"+idtok+"/" || strings.Contains(remainder, "/") {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	if !who.sees(arch) {
		f.hidden(w, r)
		return
	}
	v := &view{arch: arch, base: "/fotoweb/data/a/" + idtok + "/"}
	_, matrix := splitMatrix(remainder)
	v.order, v.page = parseMatrix(matrix)
	if p, err := strconv.Atoi(r.URL.Query().Get("p")); err == nil && p >= 0 {
		v.page = p
	}
	f.serveCollection(w, r, who, v)
}

// serveCollection writes v in the representation the client accepts.
// Pages after the first exist only as asset lists: a request for the
// collection representation of ;p=N>0 gets the asset list.
func (f *Fake) serveCollection(w http.ResponseWriter, r *http.Request, who *principal, v *view) {
	rep, ctype, ok := readable(w, r, mtCollection, mtCollectionInfo, mtAssetList, mtCollectionList)
	if !ok {
		return
	}
	if v.page > 0 && rep == mtCollection {
		rep = mtAssetList
		if !strings.HasPrefix(ctype, mtJSON) {
			ctype = mtAssetList + "; charset=utf-8"
		}
	}
	switch rep {
	case mtAssetList:
		w.Header().Set("Cache-Control", f.wire.assetListCC)
		writeJSONBytes(w, http.StatusOK, ctype, f.assetListJSON(v, who))
	case mtCollectionList:
		w.Header().Set("Cache-Control", f.wire.collectionCC)
		writeJSON(w, http.StatusOK, ctype, f.childrenList(v, who))
	default:
		d := f.collectionDoc(v, who)
		if rep == mtCollection {
			d.Assets = f.assetListJSON(v, who)
			d.Children, _ = json.Marshal(f.childrenList(v, who))
		}
		writeJSON(w, http.StatusOK, ctype, d)
	}
}

// splitMatrix splits "Folder 19/;o=fn;p=1" into the folder path and the
// matrix parameters.
func splitMatrix(rest string) (folderPath, matrix string) {
	head, tail := "", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		head, tail = rest[:i], rest[i+1:]
	}
	switch {
	case strings.HasPrefix(tail, ";"):
		return head, tail
	case tail == "":
		return head, ""
	}
	return strings.TrimSuffix(rest, "/"), ""
}

// parseMatrix reads ;o= and ;p= parameters.
func parseMatrix(m string) (order string, page int) {
	for _, kv := range strings.Split(m, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "o":
			order = v
		case "p":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				page = n
			}
		}
	}
	return order, page
}

var predicates = []string{"fn", "dn", "fp", "dt", "o", "pw", "ph", "fs", "mt", "mtf", "mtt"}

// searchQuery combines q parameters (ANDed) and predicate parameters
// (?fn=x, ?105=y; repeated numeric keys ORed) into one expression.
func searchQuery(query url.Values) string {
	var parts []string
	for _, q := range query["q"] {
		if strings.TrimSpace(q) != "" {
			parts = append(parts, q)
		}
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		if _, err := strconv.Atoi(k); err == nil || slices.Contains(predicates, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		var terms []string
		for _, v := range query[k] {
			terms = append(terms, k+":"+strconv.Quote(v))
		}
		if _, err := strconv.Atoi(k); err == nil {
			parts = append(parts, strings.Join(terms, "|"))
		} else {
			parts = append(parts, terms...)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, "AND")
}
