// Package replay serves the FotoWeb responses recorded from real servers
// (the folder testenv.Recorded finds, described by its SOURCES.md)
// verbatim, so that fotoembed's tests drive its public API against the
// only real wire data there is: each body with the status, content type
// and headers of its NAME.meta.json, at the request [Rules] says it
// answers.
//
// The recordings are other projects' data, kept beside the repository and
// never copied into it. A new recording is picked up as it is: its assets
// are served and embedded by the tests with no code, and one that no rule
// places fails the tests until a line for it is added to [Rules].
package replay

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RecordedOrigin is the origin of the recorded SaaS tenant. In headers
// and webhook bodies it stands for the replay server's origin.
const RecordedOrigin = "https://enonic.fotoware.cloud"

// Recording is one recorded body and what its NAME.meta.json says.
type Recording struct {
	// Name is the path below the folder without ".json", such as
	// "enonic/assetList".
	Name string
	// Body is NAME.json, verbatim; nil for a recording of which only the
	// meta was kept (the file of enonic/octetStream).
	Body []byte
	// Meta is NAME.meta.json; nil when there is none.
	Meta *Meta
}

// Meta is a recording's NAME.meta.json: the status, content type and
// headers of a response, or the method and headers of a request FotoWeb
// sent (a webhook).
type Meta struct {
	Source      string             `json:"source"`
	Method      string             `json:"method"`
	Status      int                `json:"status"`
	ContentType string             `json:"contentType"`
	Headers     map[string]*string `json:"headers"`
	Note        string             `json:"note"`
}

// MediaType returns the recording's media type without parameters, from
// its meta ("" without one).
func (r *Recording) MediaType() string {
	if r.Meta == nil {
		return ""
	}
	ct := r.Meta.ContentType
	if ct == "" {
		ct = r.Meta.header("Content-Type")
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// header returns a recorded header's value (any case of the name).
func (m *Meta) header(name string) string {
	for k, v := range m.Headers {
		if strings.EqualFold(k, name) && v != nil {
			return *v
		}
	}
	return ""
}

// Set is every recording of a folder.
type Set struct {
	// Dir is the folder.
	Dir string
	// List holds the recordings sorted by name.
	List   []*Recording
	byName map[string]*Recording
}

// Load reads every NAME.json and NAME.meta.json below dir (SOURCES.md and
// anything else is left alone). A meta without a body is a recording too.
func Load(dir string) (*Set, error) {
	s := &Set{Dir: dir, byName: map[string]*Recording{}}
	get := func(name string) *Recording {
		r := s.byName[name]
		if r == nil {
			r = &Recording{Name: name}
			s.byName[name] = r
		}
		return r
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if name, ok := strings.CutSuffix(rel, ".meta.json"); ok {
			var m Meta
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("replay: %s: %w", rel, err)
			}
			get(name).Meta = &m
			return nil
		}
		get(strings.TrimSuffix(rel, ".json")).Body = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range s.byName {
		s.List = append(s.List, r)
	}
	sort.Slice(s.List, func(i, j int) bool { return s.List[i].Name < s.List[j].Name })
	if len(s.List) == 0 {
		return nil, fmt.Errorf("replay: no recordings in %s", dir)
	}
	return s, nil
}

// Get returns the recording called name, or nil.
func (s *Set) Get(name string) *Recording { return s.byName[name] }
