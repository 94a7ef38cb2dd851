package fotowebtest

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// archive is one seed archive.
type archive struct {
	id        int
	name      string
	slug      string // "5001-Photos"
	href      string // "/fotoweb/archives/5001-Photos/"
	userSees  bool
	userEdits bool
	noExport  bool               // non-admins lack the Export permission here (tests only)
	folders   map[string]*folder // decoded path ("" = archive root)
	modified  time.Time
}

// folder is a directory inside an archive.
type folder struct {
	path     string // decoded, "Nordic/Fjords"
	name     string
	children []string // child folder paths, sorted
}

// metadata holds field values; single-valued fields have one element.
type metadata map[int][]string

func (m metadata) clone() metadata {
	c := make(metadata, len(m))
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}

// text returns field id's values joined with "; ".
func (m metadata) text(id int) string { return strings.Join(m[id], "; ") }

// isBag reports whether a field is multi-valued (sent as a JSON list).
func isBag(field int) bool {
	switch field {
	case 20, 25, 80, 820:
		return true
	}
	return false
}

// asset is one seed asset. Fields after quick change under store.mu.
type asset struct {
	id         uint32
	arch       *archive
	folder     string // decoded, "" at the archive root
	filename   string
	relPath    string // decoded folder/filename
	href       string // escaped, ends in .info
	doctype    string
	w, h       int // stored pixel dimensions
	rotation   int
	decimalRes bool // resolution written as 300.0
	resolution int
	filesize   int64
	created    time.Time
	quick      bool
	synth      int // k of the k-th synthetic asset (ExtraAssets), 0 otherwise

	meta     metadata // nil for an unedited synthetic asset: see md
	modified time.Time
	version  uint32
	deleted  bool
	before   *assetState                      // state before the last change (webhooks)
	cache    [numRoles]atomic.Pointer[[]byte] // asset JSON per role, without previewToken
}

// assetState is a snapshot for modified webhooks.
type assetState struct {
	meta     metadata
	modified time.Time
	version  uint32
}

// md returns the asset's metadata; callers hold f.mu (read). Synthetic
// assets get theirs on demand until edited, which keeps ExtraAssets cheap.
func (a *asset) md() metadata {
	if a.meta == nil && a.synth > 0 {
		return syntheticMeta(a.synth)
	}
	return a.meta
}

// editMeta returns metadata that may be changed; callers hold f.mu.
func (a *asset) editMeta() metadata {
	if a.meta == nil {
		a.meta = a.md()
		if a.meta == nil {
			a.meta = metadata{}
		}
	}
	return a.meta
}

// dims returns the displayed dimensions (rotation applied).
func (a *asset) dims() (int, int) {
	if a.rotation == 90 || a.rotation == 270 {
		return a.h, a.w
	}
	return a.w, a.h
}

// hasImage reports whether the asset has previews and image bytes.
func (a *asset) hasImage() bool { return a.doctype == "image" || a.doctype == "graphic" }

// store holds archives and assets.
type store struct {
	mu        sync.RWMutex
	archives  []*archive
	archByKey map[string]*archive // "5001" and "5001-Photos"
	assets    []*asset
	byKey     map[string]*asset // "5001/" + decoded relPath
	exts      []string          // the distinct file extensions (".jpg"), for 8.0 preview hrefs
	gen       uint64            // bumped on every change
	listMu    sync.Mutex        // guards lists
	lists     map[string]*cachedList
}

type cachedList struct {
	gen    uint64
	assets []*asset
}

func (s *store) init(extra int) {
	s.archByKey = make(map[string]*archive)
	s.byKey = make(map[string]*asset, 100+extra)
	s.assets = make([]*asset, 0, 100+extra)
	s.lists = make(map[string]*cachedList)
	seed(s, extra)
}

func (s *store) addArchive(id int, name string, userSees, userEdits bool, modified time.Time) *archive {
	slug := fmt.Sprintf("%d-%s", id, strings.ReplaceAll(name, " ", "-"))
	a := &archive{id: id, name: name, slug: slug, href: "/fotoweb/archives/" + slug + "/",
		userSees: userSees, userEdits: userEdits, modified: modified,
		folders: map[string]*folder{"": {path: ""}}}
	s.archives = append(s.archives, a)
	s.archByKey[strconv.Itoa(id)] = a
	s.archByKey[slug] = a
	return a
}

func (s *store) addAsset(a *asset) {
	a.id = uint32(len(s.assets))
	a.relPath = a.filename
	if a.folder != "" {
		a.relPath = a.folder + "/" + a.filename
	}
	a.href = a.arch.href + escapePath(a.relPath) + ".info"
	s.assets = append(s.assets, a)
	s.byKey[strconv.Itoa(a.arch.id)+"/"+a.relPath] = a
	if ext := path.Ext(a.filename); !slices.Contains(s.exts, ext) {
		s.exts = append(s.exts, ext)
	}
	// Register the folder chain.
	parent := ""
	if a.folder == "" {
		return
	}
	for _, name := range strings.Split(a.folder, "/") {
		p := name
		if parent != "" {
			p = parent + "/" + name
		}
		if _, ok := a.arch.folders[p]; !ok {
			a.arch.folders[p] = &folder{path: p, name: name}
			pf := a.arch.folders[parent]
			pf.children = append(pf.children, p)
			slices.Sort(pf.children)
		}
		parent = p
	}
}

// escapePath percent-encodes each segment of a decoded path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// normalizePath turns an absolute or relative, escaped or decoded href
// into a decoded path.
func (f *Fake) normalizePath(href string) string {
	if base := f.BaseURL(); base != "" {
		href = strings.TrimPrefix(href, base)
	}
	if u, err := url.Parse(href); err == nil && u.Scheme != "" {
		href = u.EscapedPath()
	}
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		href = href[:i]
	}
	if d, err := url.PathUnescape(href); err == nil {
		return d
	}
	return href
}

// lookupAsset finds an asset by decoded path
// ("/fotoweb/archives/5001-Photos/Folder 19/harbour.jpg.info"); the
// archive may be given by id or slug. Deleted assets are returned too.
func (s *store) lookupAsset(path string) *asset {
	rest, ok := strings.CutPrefix(path, "/fotoweb/archives/")
	if !ok {
		return nil
	}
	rest, ok = strings.CutSuffix(rest, ".info")
	if !ok {
		return nil
	}
	archKey, rel, ok := strings.Cut(rest, "/")
	if !ok {
		return nil
	}
	arch := s.archByKey[archKey]
	if arch == nil {
		return nil
	}
	return s.byKey[strconv.Itoa(arch.id)+"/"+rel]
}

// state returns a's current mutable state; callers hold f.mu.
func (a *asset) state() assetState {
	return assetState{meta: a.md(), modified: a.modified, version: a.version}
}

// formatTime writes t as FotoWeb does: whole seconds as
// 2023-06-19T12:47:59Z, anything finer with six decimals
// (2023-06-19T12:48:03.397000Z).
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}
