package fotowebtest

import (
	"encoding/json"
	"strconv"
)

type hrefData struct {
	Href string `json:"href"`
	Data string `json:"data"`
}

type urlComponent struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type orderLink struct {
	Href          string         `json:"href"`
	Data          string         `json:"data"`
	Default       bool           `json:"default,omitempty"`
	URLComponents []urlComponent `json:"urlComponents"`
}

type altOrder struct {
	Key  string    `json:"key"`
	Name string    `json:"name"`
	Asc  orderLink `json:"asc"`
	Desc orderLink `json:"desc"`
}

// collectionDoc is FotoWeb's collection representation.
type collectionDoc struct {
	ID                             string          `json:"id"`
	Name                           string          `json:"name"`
	Description                    string          `json:"description"`
	Type                           string          `json:"type"`
	Href                           string          `json:"href"`
	Data                           string          `json:"data"`
	OriginalURL                    string          `json:"originalURL"`
	DataTemplate                   string          `json:"dataTemplate"`
	SearchURL                      string          `json:"searchURL"`
	MatchingHref                   string          `json:"matchingHref"`
	ClearSearch                    hrefData        `json:"clearSearch"`
	AlertHref                      string          `json:"alertHref"`
	SearchString                   string          `json:"searchString,omitempty"`
	SearchQuery                    string          `json:"searchQuery,omitempty"`
	IndexSearchString              string          `json:"_searchString,omitempty"`
	AssetCount                     int             `json:"assetCount"`
	ChildCount                     int             `json:"childCount"`
	HasChildren                    bool            `json:"hasChildren"`
	CanHaveChildren                bool            `json:"canHaveChildren"`
	Created                        string          `json:"created"`
	Modified                       string          `json:"modified"`
	Archived                       *string         `json:"archived"`
	Deleted                        *string         `json:"deleted"`
	IsSearchable                   bool            `json:"isSearchable"`
	IsSelectable                   bool            `json:"isSelectable"`
	CanSelect                      bool            `json:"canSelect"`
	IsLinkCollection               bool            `json:"isLinkCollection"`
	IsFolderNavigationEnabled      bool            `json:"isFolderNavigationEnabled"`
	IsSmartFolderNavigationEnabled bool            `json:"isSmartFolderNavigationEnabled"`
	CanUploadTo                    bool            `json:"canUploadTo"`
	CanCopyTo                      bool            `json:"canCopyTo"`
	CanMoveTo                      bool            `json:"canMoveTo"`
	CanCreateFolders               bool            `json:"canCreateFolders"`
	CanBeDeleted                   bool            `json:"canBeDeleted"`
	CanBeArchived                  bool            `json:"canBeArchived"`
	UploadHref                     string          `json:"uploadHref"`
	Color                          string          `json:"color"`
	MetadataEditor                 nameHref        `json:"metadataEditor"`
	Permissions                    []string        `json:"permissions"`
	PosterAsset                    *string         `json:"posterAsset"`
	PosterImages                   []previewDoc    `json:"posterImages"`
	AltOrders                      []altOrder      `json:"alt_orders"`
	Props                          props           `json:"props"`
	Taxonomies                     []any           `json:"taxonomies"`
	Create                         []any           `json:"create"`
	Pin                            *string         `json:"pin"`
	Edit                           *string         `json:"edit"`
	Reorder                        *string         `json:"reorder"`
	OrderRootHref                  string          `json:"orderRootHref"`
	Assets                         json.RawMessage `json:"assets,omitempty"`
	Children                       json.RawMessage `json:"children,omitempty"`
}

// collectionList is FotoWeb's collection list representation.
type collectionList struct {
	Add       *string         `json:"add"`
	Data      []collectionDoc `json:"data"`
	Paging    json.RawMessage `json:"paging"` // null, or the 2024 single-page object
	Reorder   *string         `json:"reorder"`
	SearchURL string          `json:"searchURL"`
}

// newCollectionList returns an empty collection list whose path (without
// query) is path: "paging" is null, or with Paging2024 the single-page
// object with "" ends, as recorded.
func (f *Fake) newCollectionList(path, searchURL string) collectionList {
	l := collectionList{Data: []collectionDoc{}, Paging: json.RawMessage("null"), SearchURL: searchURL}
	if f.wire.paging2024 {
		first, _ := json.Marshal(path)
		l.Paging = json.RawMessage(singlePage2024(`""`, string(first)))
	}
	return l
}

// collectionDoc builds the representation of v (without assets and
// children) for who.
func (f *Fake) collectionDoc(v *view, who *principal) collectionDoc {
	plain := v.plainHref()
	href := plain + v.querySuffix()
	data := href
	if v.folder == "" && v.q == "" {
		data = f.dataURL(v.arch, who)
	}
	cs := hrefData{Href: plain, Data: plain}
	if v.folder == "" {
		cs.Data = f.dataURL(v.arch, who)
	}
	id, name, typ := strconv.Itoa(v.arch.id), v.arch.name, "archive"
	if v.folder != "" {
		fo := v.arch.folders[v.folder]
		id, name, typ = id+"/"+fo.path, fo.name, "folder"
	}
	children := v.arch.folders[v.folder].children
	d := collectionDoc{
		ID: id, Name: name, Type: typ, Href: href, Data: data, OriginalURL: plain,
		DataTemplate: "/fotoweb/archives/" + v.arch.slug + "{/path*}/{;o}",
		SearchURL:    plain + "{?q}", MatchingHref: plain, ClearSearch: cs, AlertHref: href,
		AssetCount: f.count(v), ChildCount: len(children), HasChildren: len(children) > 0, CanHaveChildren: true,
		Modified:     formatTime(v.arch.modified),
		IsSearchable: true, IsSelectable: true, CanSelect: true, IsFolderNavigationEnabled: true,
		IsSmartFolderNavigationEnabled: true,
		CanUploadTo:                    who.canEdit(v.arch), CanCopyTo: who.canEdit(v.arch), CanMoveTo: who.canEdit(v.arch),
		CanCreateFolders: who.admin, Color: "#595959",
		MetadataEditor: nameHref{Name: "Archive", Href: editorHref},
		Permissions:    permissions(who, v.arch), PosterImages: []previewDoc{},
		AltOrders: f.altOrders(v), Props: defaultProps, Taxonomies: []any{}, Create: []any{},
		OrderRootHref: plain,
	}
	if v.expr != nil {
		d.SearchString, d.SearchQuery, d.IndexSearchString = v.q, v.expr.query(), v.expr.internal()
	}
	return d
}

// altOrders lists the sort orders of v.
func (f *Fake) altOrders(v *view) []altOrder {
	link := func(o string, def bool) orderLink {
		u := v.plainHref()
		if o != "" {
			u += ";o=" + o
		}
		u += v.querySuffix()
		return orderLink{Href: u, Data: u, Default: def, URLComponents: []urlComponent{{"o", o}}}
	}
	return []altOrder{
		{Key: "mt", Name: "Last Modified", Asc: link("+", false), Desc: link("", true)},
		{Key: "fn", Name: "Filename", Asc: link("fn", false), Desc: link("-fn", false)},
		{Key: "350", Name: "Original date", Asc: link("350", false), Desc: link("-350", false)},
	}
}

// childrenList builds the collection list of v's sub-folders.
func (f *Fake) childrenList(v *view, who *principal) collectionList {
	l := f.newCollectionList(v.plainHref(), v.plainHref()+"{?q}")
	for _, p := range v.arch.folders[v.folder].children {
		cv := &view{arch: v.arch, folder: p}
		cv.base = cv.plainHref()
		l.Data = append(l.Data, f.collectionDoc(cv, who))
	}
	return l
}
