package fotowebtest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// view is a collection as requested: an archive or folder, optionally
// searched, ordered and paged.
type view struct {
	arch   *archive
	folder string // decoded; "" = archive root
	q      string // search expression as given ("" = none)
	expr   node
	order  string // ;o= value
	page   int
	base   string // escaped link base ending in "/" (href or data URL)
}

// plainHref is the collection's canonical href, without search.
func (v *view) plainHref() string {
	if v.folder == "" {
		return v.arch.href
	}
	return v.arch.href + escapePath(v.folder) + "/"
}

func (v *view) querySuffix() string {
	if v.q == "" {
		return ""
	}
	return "?q=" + uriComponent(v.q)
}

// link is the URL of page (page < 0: the first page, without p). With
// queryPaging a search's pages are ?q=...&p=N (;p=N without a query);
// otherwise ;p=N comes before the query.
func (v *view) link(page int, queryPaging bool) string {
	m := ""
	if v.order != "" {
		m += ";o=" + v.order
	}
	qs := v.querySuffix()
	if page >= 0 {
		if queryPaging && qs != "" {
			return v.base + m + qs + "&p=" + strconv.Itoa(page)
		}
		m += ";p=" + strconv.Itoa(page)
	}
	return v.base + m + qs
}

// viewAssets returns the view's assets, filtered and sorted; results are
// cached until the data changes. Callers hold f.mu (read).
func (f *Fake) viewAssets(v *view) []*asset {
	key := strconv.Itoa(v.arch.id) + "|" + v.folder + "|" + v.order
	if v.expr != nil {
		key += "|" + v.expr.query()
	}
	f.listMu.Lock()
	c := f.lists[key]
	f.listMu.Unlock()
	if c != nil && c.gen == f.gen {
		return c.assets
	}
	var out []*asset
	prefix := v.folder + "/"
	for _, a := range f.assets {
		if a.arch != v.arch || a.deleted || (v.folder != "" && a.folder != v.folder && !strings.HasPrefix(a.folder, prefix)) {
			continue
		}
		if v.expr == nil || v.expr.match(a) {
			out = append(out, a)
		}
	}
	sortAssets(out, v.order)
	if v.expr != nil && len(out) > f.opts.SearchCap {
		out = out[:f.opts.SearchCap]
	}
	f.listMu.Lock()
	if len(f.lists) > 512 {
		clear(f.lists)
	}
	f.lists[key] = &cachedList{gen: f.gen, assets: out}
	f.listMu.Unlock()
	return out
}

// sortAssets orders by ;o=: "" (modified, newest first), "+" (oldest
// first), "fn"/"-fn" (file name), "350"/"-350" (original date).
func sortAssets(list []*asset, order string) {
	desc := strings.HasPrefix(order, "-")
	key := strings.TrimLeft(order, "+-")
	if order == "" {
		desc = true
	}
	slices.SortStableFunc(list, func(a, b *asset) int {
		var c int
		switch key {
		case "fn":
			c = strings.Compare(strings.ToLower(a.filename), strings.ToLower(b.filename))
		case "350":
			c = a.created.Compare(b.created)
		default:
			c = a.modified.Compare(b.modified)
		}
		if desc {
			c = -c
		}
		if c == 0 {
			c = int(a.id) - int(b.id)
		}
		return c
	})
}

// pagingJSON encodes the paging object of page v.page of total assets in
// the configured shape (Options.Paging).
func (f *Fake) pagingJSON(v *view, total int) string {
	ps := f.opts.PageSize
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	end := f.pagingEnd(v.arch)
	if total <= ps {
		switch {
		case f.wire.paging2024:
			return singlePage2024(end, q(v.base))
		case !f.opts.PageAlways:
			return "null"
		}
	}
	pages := max(1, (total+ps-1)/ps)
	link := func(p int) string { return q(v.link(p, f.wire.queryPaging)) }
	prev, next := end, end
	if v.page > 0 {
		p := min(v.page-1, pages-1)
		if p == 0 {
			prev = link(-1)
		} else {
			prev = link(p)
		}
	}
	if v.page < pages-1 {
		next = link(v.page + 1)
	}
	out := `{"prev":` + prev + `,"next":` + next + `,"first":` + link(-1) + `,"last":` + link(pages-1)
	if f.wire.paging2024 {
		out += `,"index":` + strconv.Itoa(v.page) + `,"totalPages":` + strconv.Itoa(pages) + `,"count":` + strconv.Itoa(total)
	}
	return out + "}"
}

// singlePage2024 is the 2024 paging object of a list that fits on one
// page, as recorded (collectionListWithPaging.json): no previous, next or
// last page, counters null, first the list's path without its query.
func singlePage2024(end, first string) string {
	return `{"next":` + end + `,"prev":` + end + `,"first":` + first + `,"last":"","index":null,"totalPages":null,"count":null}`
}

// pagingEnd is the JSON of an absent prev/next link.
func (f *Fake) pagingEnd(a *archive) string {
	switch f.opts.PagingEnds {
	case PagingEndsNull:
		return "null"
	case PagingEndsEmpty:
		return `""`
	}
	if a.id%2 == 1 {
		return "null"
	}
	return `""`
}

// assetListJSON encodes the current page of v as an asset list.
func (f *Fake) assetListJSON(v *view, who *principal) []byte {
	f.mu.RLock()
	defer f.mu.RUnlock()
	list := f.viewAssets(v)
	ps := f.opts.PageSize
	start := min(v.page*ps, len(list))
	end := min(start+ps, len(list))
	buf := make([]byte, 0, (end-start)*6000+256)
	buf = append(buf, `{"data":[`...)
	for i := start; i < end; i++ {
		if i > start {
			buf = append(buf, ',')
		}
		buf = append(buf, f.assetJSON(list[i], who)...)
	}
	buf = append(buf, `],"paging":`...)
	buf = append(buf, f.pagingJSON(v, len(list))...)
	return append(buf, '}')
}

// count returns the number of assets in v.
func (f *Fake) count(v *view) int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.viewAssets(v))
}
