package fotowebtest

import (
	"fmt"
	"strings"
	"time"
)

// Assets returns the hrefs of every asset (seed assets, then
// Options.ExtraAssets synthetic ones), in a stable order. Deleted assets
// are left out.
func (f *Fake) Assets() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]string, 0, len(f.assets))
	for _, a := range f.assets {
		if !a.deleted {
			out = append(out, a.href)
		}
	}
	return out
}

// Archives returns the seed archives (href of each), in id order.
func (f *Fake) Archives() []string {
	out := make([]string, 0, len(f.archives))
	for _, a := range f.archives {
		out = append(out, a.href)
	}
	return out
}

// UserArchives returns the hrefs of the archives User (and ReadOnlyUser)
// may see.
func (f *Fake) UserArchives() []string {
	var out []string
	for _, a := range f.archives {
		if a.userSees {
			out = append(out, a.href)
		}
	}
	return out
}

// SetMetadata changes one field of an asset (as an edit in FotoWeb would)
// and bumps its modified time; no values clears the field. Values of a
// single-valued field are joined with "; ". It panics on an unknown href
// (a bug in the calling test). The href may be escaped or not, relative
// or absolute.
func (f *Fake) SetMetadata(href string, field int, value ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.lookupAsset(f.normalizePath(href))
	if a == nil || a.deleted {
		panic(fmt.Sprintf("fotowebtest: SetMetadata: unknown asset %q", href))
	}
	f.snapshot(a)
	setField(a.editMeta(), field, value)
	f.touch(a)
}

func setField(m metadata, field int, values []string) {
	var keep []string
	for _, v := range values {
		if v != "" {
			keep = append(keep, v)
		}
	}
	switch {
	case len(keep) == 0:
		delete(m, field)
	case isBag(field):
		m[field] = keep
	default:
		m[field] = []string{strings.Join(keep, "; ")}
	}
}

// snapshot records a's state before a change; callers hold f.mu.
func (f *Fake) snapshot(a *asset) {
	a.before = &assetState{meta: a.md().clone(), modified: a.modified, version: a.version}
}

// touch marks a changed; callers hold f.mu.
func (f *Fake) touch(a *asset) {
	a.modified = f.now().UTC().Truncate(time.Microsecond)
	a.version++
	for i := range a.cache {
		a.cache[i].Store(nil)
	}
	f.gen++
}

// DeleteAsset removes an asset; later GETs answer 404. It panics on an
// unknown href; deleting twice is a no-op. EmitWebhook still knows the
// asset afterwards, for AssetDeleted payloads.
func (f *Fake) DeleteAsset(href string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.lookupAsset(f.normalizePath(href))
	if a == nil {
		panic(fmt.Sprintf("fotowebtest: DeleteAsset: unknown asset %q", href))
	}
	if !a.deleted {
		a.deleted = true
		f.gen++
	}
}
