package rewrite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fotoembed/fotoembed/embed"
)

// DefaultCacheFile is the record's file name at the root of the output.
const DefaultCacheFile = ".fotoembed-cache.json"

// recordVersion is the layout version of the record file; a file of
// another version is ignored.
const recordVersion = 1

// record is what earlier runs learned, kept between runs in a JSON file.
// It never holds a token. It is safe for concurrent use.
type record struct {
	mu     sync.Mutex
	path   string // "" = not kept on disk
	maxAge time.Duration
	now    func() time.Time
	data   recordData
	dirty  bool
}

// recordData is the file's JSON.
type recordData struct {
	Version int    `json:"version"`
	Source  string `json:"source"` // what the answers depend on; see Source.fingerprint
	// Assets are FotoWeb's answers by canonical href (Direct).
	Assets map[string]*embed.Entry `json:"assets,omitempty"`
	// Items are /v1/resolve answers by Request.id (Service).
	Items map[string]*serviceItem `json:"items,omitempty"`
	// Files are downloaded previews by Candidate.URL.
	Files map[string]fileEntry `json:"files,omitempty"`
}

// fileEntry is one downloaded preview.
type fileEntry struct {
	File    string    `json:"file"` // name in the asset folder
	Fetched time.Time `json:"fetched"`
}

// loadRecord reads the record at path for a source with fingerprint fp.
// A missing file gives an empty record; an unreadable one, or one of
// another version or source, gives an empty record and a warning.
func loadRecord(path, fp string, maxAge time.Duration, now func() time.Time) (*record, error) {
	r := &record{path: path, maxAge: maxAge, now: now}
	r.reset(fp)
	if path == "" {
		return r, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("rewrite: cache file %s not read, starting afresh: %w", path, err)
	}
	var d recordData
	if err := json.Unmarshal(b, &d); err != nil {
		return r, fmt.Errorf("rewrite: cache file %s is not valid, starting afresh: %v", path, err)
	}
	if d.Version != recordVersion || d.Source != fp {
		r.dirty = true // rewrite it for this source
		return r, nil
	}
	r.data = d
	r.reset(fp)
	return r, nil
}

// reset makes sure the maps exist and the header is fp's.
func (r *record) reset(fp string) {
	d := &r.data
	if d.Source != fp || d.Version != recordVersion {
		*d = recordData{}
	}
	d.Version, d.Source = recordVersion, fp
	if d.Assets == nil {
		d.Assets = map[string]*embed.Entry{}
	}
	if d.Items == nil {
		d.Items = map[string]*serviceItem{}
	}
	if d.Files == nil {
		d.Files = map[string]fileEntry{}
	}
}

// fresh reports whether something fetched at t may still be used.
func (r *record) fresh(t time.Time) bool {
	now := r.now()
	return r.maxAge > 0 && !t.After(now.Add(time.Minute)) && now.Before(t.Add(r.maxAge))
}

// asset returns the fresh entry for a canonical href.
func (r *record) asset(key string) (*embed.Entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.data.Assets[key]
	if !ok || e == nil || e.Info == nil || !r.fresh(e.Fetched) {
		return nil, false
	}
	return e, true
}

// setAsset records FotoWeb's answer for a canonical href.
func (r *record) setAsset(key string, e *embed.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data.Assets[key] = e
	r.dirty = true
}

// item returns the fresh /v1/resolve answer for a request id.
func (r *record) item(id string) (*serviceItem, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	it, ok := r.data.Items[id]
	if !ok || it == nil || !r.fresh(it.Fetched) {
		return nil, false
	}
	return it, true
}

// setItem records a /v1/resolve answer.
func (r *record) setItem(id string, it *serviceItem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data.Items[id] = it
	r.dirty = true
}

// file returns the fresh download of a candidate URL.
func (r *record) file(url string) (fileEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.data.Files[url]
	if !ok || !r.fresh(f.Fetched) {
		return fileEntry{}, false
	}
	return f, true
}

// setFile records a download.
func (r *record) setFile(url string, f fileEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data.Files[url] = f
	r.dirty = true
}

// save writes the record atomically if it changed and has a path.
// Entries past their age are dropped.
func (r *record) save() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path == "" || !r.dirty {
		return nil
	}
	for k, e := range r.data.Assets {
		if e == nil || e.Info == nil || !r.fresh(e.Fetched) {
			delete(r.data.Assets, k)
		}
	}
	for k, it := range r.data.Items {
		if it == nil || !r.fresh(it.Fetched) {
			delete(r.data.Items, k)
		}
	}
	for k, f := range r.data.Files {
		if !r.fresh(f.Fetched) {
			delete(r.data.Files, k)
		}
	}
	b, err := json.Marshal(&r.data)
	if err != nil {
		return fmt.Errorf("rewrite: encoding cache file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
		return fmt.Errorf("rewrite: writing cache file: %w", err)
	}
	if err := writeFileAtomic(r.path, b, 0o644); err != nil {
		return fmt.Errorf("rewrite: writing cache file: %w", err)
	}
	r.dirty = false
	return nil
}
