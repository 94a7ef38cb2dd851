package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// Media type of an asset list.
const mtAssetList = "application/vnd.fotoware.assetlist+json"

// doctorQuery is the search whose list is walked to see the page links
// of a search with a query string: every file name (a wildcard FotoWeb
// documents, fn:*.jpg, without the extension).
const doctorQuery = "fn:*"

// doctorNoMatch is a search no asset matches: its list shows how a list
// that fits on one page is written.
const doctorNoMatch = "fn:fotoembed-doctor-matches-nothing.none"

// maxArchiveTries bounds the archives searched for a list longer than a
// page.
const maxArchiveTries = 10

// listWalk is what walking one paged list, following its links, showed:
// the forms FotoWeb writes, never an href.
type listWalk struct {
	list       string
	pages      int
	assets     int
	pageSize   int      // assets on the first page
	nested     bool     // the first page's assets came nested under "assets"
	paging     string   // the first page's paging: "object", "null", "absent"
	pagingKeys []string // the keys of the first paging object
	startPrev  string   // prev on the first page
	endNext    string   // next on the last page walked (or "paging null" etc.)
	linkForms  []string // how page links carry the page number: ";p=", "&p=", "?p=", "other"
	linkQuery  bool     // page links carry a query string
	endReached bool
	viaLast    bool // the end was reached by following paging.last
}

// details is the walk for the report.
func (w *listWalk) details() map[string]any {
	m := map[string]any{
		"list": w.list, "pages": w.pages, "assets": w.assets, "firstPageSize": w.pageSize,
		"pagingOnFirstPage": w.paging, "endReached": w.endReached,
	}
	if w.nested {
		m["firstPageNestedUnderAssets"] = true
	}
	if len(w.pagingKeys) > 0 {
		m["pagingKeys"] = w.pagingKeys
	}
	if w.startPrev != "" {
		m["prevOnFirstPage"] = w.startPrev
	}
	if w.endNext != "" {
		m["nextAtEnd"] = w.endNext
	}
	if len(w.linkForms) > 0 {
		m["pageLinkForms"] = w.linkForms
		m["pageLinksCarryQuery"] = w.linkQuery
	}
	if w.viaLast {
		m["endFoundViaLastLink"] = true
	}
	return m
}

// linkValue names the form of a paging link: "absent" (no such key),
// "null", `""` (empty string), "link" or "other".
func linkValue(m map[string]json.RawMessage, key string) (form, href string) {
	raw, ok := m[key]
	if !ok {
		return "absent", ""
	}
	s := strings.TrimSpace(string(raw))
	if s == "null" {
		return "null", ""
	}
	if json.Unmarshal(raw, &href) != nil {
		return "other", ""
	}
	if href == "" {
		return `""`, ""
	}
	return "link", href
}

// templateExpr is an RFC 6570 expression in a searchURL.
var templateExpr = regexp.MustCompile(`\{[^{}]*\}`)

var pageParam = regexp.MustCompile(`([;&?])p=\d`)

// noteLink records how a page link carries the page number. A prev link
// without one (to the first page) says nothing about it.
func (w *listWalk) noteLink(href string, prev bool) {
	form := "other"
	if m := pageParam.FindStringSubmatch(href); m != nil {
		form = m[1] + "p="
	} else if prev {
		return
	}
	if !slices.Contains(w.linkForms, form) {
		w.linkForms = append(w.linkForms, form)
	}
	w.linkQuery = w.linkQuery || strings.Contains(href, "?")
}

// page is one page of an asset list as sent.
type page struct {
	assets []fotoweb.Asset
	paging map[string]json.RawMessage // nil when paging is null or absent
	form   string                     // "object", "null", "absent" or "other"
	nested bool
}

// parsePage reads an asset list page, or a collection whose first page
// is nested under "assets".
func parsePage(body []byte) (*page, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("the list does not decode as a JSON object: %v", err)
	}
	p := &page{}
	if _, ok := top["data"]; !ok {
		if raw, ok := top["assets"]; ok {
			p.nested = true
			top = nil
			if err := json.Unmarshal(raw, &top); err != nil {
				return nil, fmt.Errorf("the nested asset list does not decode: %v", err)
			}
		}
	}
	if raw, ok := top["data"]; ok && strings.TrimSpace(string(raw)) != "null" {
		if err := json.Unmarshal(raw, &p.assets); err != nil {
			return nil, fmt.Errorf("the list's data does not decode as assets: %v", err)
		}
	}
	raw, ok := top["paging"]
	switch {
	case !ok:
		p.form = "absent"
	case strings.TrimSpace(string(raw)) == "null":
		p.form = "null"
	case json.Unmarshal(raw, &p.paging) == nil:
		p.form = "object"
	default:
		p.form = "other"
	}
	return p, nil
}

// walk follows the list at href from page to page until its end, at most
// --max-pages pages, then once to its last link.
func (d *doctor) walk(ctx context.Context, href, list string) (*listWalk, error) {
	w := &listWalk{list: list}
	seen := map[string]bool{}
	cur := href
	for n := 0; ; n++ {
		seen[cur] = true
		ans, err := d.raw.get(ctx, cur, mtAssetList)
		if err != nil {
			return w, err
		}
		if ans.Status != http.StatusOK {
			return w, fmt.Errorf("page %d of %s: FotoWeb answered %d %s", n+1, list, ans.Status, http.StatusText(ans.Status))
		}
		p, err := parsePage(ans.Body)
		if err != nil {
			return w, fmt.Errorf("page %d of %s: %v", n+1, list, err)
		}
		w.pages++
		w.assets += len(p.assets)
		d.noteAssets(p.assets)
		if n == 0 {
			w.pageSize, w.nested, w.paging = len(p.assets), p.nested, p.form
			for k := range p.paging {
				w.pagingKeys = append(w.pagingKeys, k)
			}
			slices.Sort(w.pagingKeys)
			w.startPrev, _ = linkValue(p.paging, "prev")
			if p.paging == nil {
				w.startPrev = ""
			}
		}
		if p.paging == nil {
			w.endNext, w.endReached = "paging "+p.form, true
			return w, nil
		}
		if _, prev := linkValue(p.paging, "prev"); prev != "" {
			w.noteLink(prev, true)
		}
		form, next := linkValue(p.paging, "next")
		if form != "link" {
			w.endNext, w.endReached = form, true
			return w, nil
		}
		w.noteLink(next, false)
		if w.pages >= d.c.MaxPages {
			_, last := linkValue(p.paging, "last")
			if last == "" || seen[last] || w.viaLast {
				return w, nil
			}
			w.viaLast, next = true, last
			w.noteLink(last, false)
		}
		if seen[next] {
			return w, fmt.Errorf("%s: paging loops back to an earlier page", list)
		}
		cur = next
	}
}

// noteAssets counts the assets met walking lists (each once) and keeps
// image assets with previews for later checks (at most 20).
func (d *doctor) noteAssets(list []fotoweb.Asset) {
	for _, a := range list {
		if d.seen[a.Href] {
			continue
		}
		d.seen[a.Href] = true
		d.seenAssets++
		if a.PreviewToken != "" {
			d.previewTokens++ // a JWT: the report's redaction removes any by pattern
		}
		if slices.Contains(a.Permissions, "Export") {
			d.exportable++
		}
		if len(d.images) < 20 && a.Href != "" && len(a.Previews) > 0 && (a.Doctype == "image" || a.Doctype == "") {
			d.images = append(d.images, a)
		}
	}
}

// searchHref fills a searchURL template ("/fotoweb/archives/5000-x/{?q}")
// with query, as the fotoweb client does.
func searchHref(tmpl, query string) string {
	q := "q=" + strings.ReplaceAll(url.QueryEscape(query), "+", "%20")
	before, after, found := strings.Cut(tmpl, "{?q}")
	if !found {
		before, after = tmpl, ""
	}
	before, after = templateExpr.ReplaceAllString(before, ""), templateExpr.ReplaceAllString(after, "")
	sep := "?"
	if strings.Contains(before, "?") {
		sep = "&"
	}
	return before + sep + q + after
}

// checkPaging walks the empty search of the archives (as the service
// searches) until it finds a list longer than a page and follows it to
// its end, then walks a search with a query string and one that matches
// nothing, and reports how the ends are written (null, "" or absent, or
// no paging object at all) and how page links carry the page number (;p=
// or &p=).
func (d *doctor) checkPaging(ctx context.Context, ch *doctorCheck) {
	var main, fallback *listWalk
	var arch, fallbackArch fotoweb.Collection
	var single []string // how the lists that fit on one page end
	tries := 0
	for _, a := range d.archives {
		if a.SearchURL == "" || tries >= maxArchiveTries {
			continue
		}
		tries++
		w, err := d.walk(ctx, searchHref(a.SearchURL, ""), "the empty search of archive "+a.Name)
		if err != nil {
			ch.Details["list"] = w.details()
			ch.failErr("Walking a list failed", err)
			return
		}
		if w.pages > 1 {
			main, arch = w, a
			break
		}
		if e := w.singleEnd(); !slices.Contains(single, e) {
			single = append(single, e)
		}
		if fallback == nil && w.paging == "object" {
			fallback, fallbackArch = w, a
		}
	}
	if main == nil && fallback != nil {
		main, arch = fallback, fallbackArch
	}
	if main == nil {
		ch.Details["assetsSeen"] = d.seenAssets
		if tries == 0 {
			ch.set(checkWarn, "No archive the token sees is searchable (no searchURL): paging could not be seen.")
			return
		}
		ch.Details["singlePageLists"] = single
		ch.set(checkOK, "Every list searched fit on one page (%s), so how FotoWeb pages a longer list was not seen.", strings.Join(single, "; "))
		return
	}
	ch.Details["list"] = main.details()
	more := map[string]string{"queryList": doctorQuery, "emptyList": doctorNoMatch}
	for _, k := range []string{"queryList", "emptyList"} {
		w, err := d.walk(ctx, searchHref(arch.SearchURL, more[k]), "the search "+more[k]+" in archive "+arch.Name)
		if err != nil {
			ch.Details[k] = map[string]any{"list": w.list, "error": err.Error()}
			continue
		}
		ch.Details[k] = w.details()
		if w.pages == 1 {
			if e := w.singleEnd(); !slices.Contains(single, e) {
				single = append(single, e)
			}
		}
		if k == "queryList" && w.pages > 1 {
			ch.Details["pageLinkFormsWithQuery"] = w.linkForms
		}
	}
	ch.Details["singlePageLists"] = single
	ch.Details["assetsSeen"] = d.seenAssets
	ch.Details["assetsWithPreviewToken"] = d.previewTokens
	oneFits := ""
	if len(single) > 0 {
		oneFits = "; a list that fits on one page has " + strings.Join(single, ", or ")
	}
	switch {
	case main.pages == 1:
		ch.set(checkOK, "No list searched was longer than a page; %s has %s%s.", main.list, main.singleEnd(), oneFits)
	case !main.endReached:
		ch.set(checkWarn, "Walked %d pages of %s without reaching its end (--max-pages %d, and no last link to follow); page links use %s%s.",
			main.pages, main.list, d.c.MaxPages, strings.Join(main.linkForms, " and "), oneFits)
	default:
		how := ""
		if main.viaLast {
			how = ", reached through its last link"
		}
		ch.set(checkOK, "Walked %s to its end (%d pages, %d assets%s): the last page's next is %s, the first page's prev is %s; page links use %s%s.",
			main.list, main.pages, main.assets, how, main.endNext, orText(main.startPrev, "not given"), linkFormsText(main, ch), oneFits)
	}
}

// linkFormsText names the page link forms of w, and of the query list's
// when they differ.
func linkFormsText(w *listWalk, ch *doctorCheck) string {
	s := strings.Join(w.linkForms, " and ")
	if q, ok := ch.Details["pageLinkFormsWithQuery"].([]string); ok && !slices.Equal(q, w.linkForms) {
		s += " (" + strings.Join(q, " and ") + " in a search with a query)"
	}
	return s
}

// singleEnd describes how a walk of one page ended: "paging null",
// "paging absent", or the paging object's next.
func (w *listWalk) singleEnd() string {
	if w.paging == "object" {
		return "a paging object whose next is " + w.endNext
	}
	return w.endNext
}

// orText returns s, or def when s is empty.
func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
