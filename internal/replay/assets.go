package replay

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Asset is an asset representation found in a recording: an asset list's
// element, a webhook's data, an asset fixture.
type Asset struct {
	// From is the recording it is in.
	From string
	// Where is its place in the recording's JSON ("data[0]",
	// "data.asset"; "" for the whole body).
	Where string
	// Href is its href as written (a path on the origin).
	Href string
	// Raw is its JSON, verbatim.
	Raw []byte
}

// Assets returns every asset representation in the recordings, one per
// href: the first found, walking recordings by name and object members
// by name. The state before a change that a modified webhook carries
// beside the asset ("assetBefore") is left out.
func (s *Set) Assets() []Asset {
	var out []Asset
	seen := map[string]bool{}
	for _, r := range s.List {
		walkJSON(r.Body, "", func(where string, m map[string]json.RawMessage, raw []byte) {
			href := assetHref(m)
			if href == "" || seen[href] {
				return
			}
			seen[href] = true
			out = append(out, Asset{From: r.Name, Where: where, Href: href, Raw: bytes.TrimSpace(raw)})
		})
	}
	return out
}

// assetHref returns the href of an asset representation ("" for another
// object): an href ending in ".info", and previews, renditions or
// attributes beside it.
func assetHref(m map[string]json.RawMessage) string {
	var href string
	if json.Unmarshal(m["href"], &href) != nil || !strings.HasSuffix(href, ".info") {
		return ""
	}
	for _, k := range []string{"previews", "renditions", "attributes"} {
		if _, ok := m[k]; ok {
			return href
		}
	}
	return ""
}

// walkJSON calls fn for every object in raw, with its path.
func walkJSON(raw []byte, where string, fn func(where string, m map[string]json.RawMessage, raw []byte)) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return
		}
		fn(where, m, raw)
		keys := make([]string, 0, len(m))
		for k := range m {
			if !strings.HasSuffix(k, "Before") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkJSON(m[k], join(where, k), fn)
		}
	case '[':
		var l []json.RawMessage
		if json.Unmarshal(raw, &l) != nil {
			return
		}
		for i, e := range l {
			walkJSON(e, where+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// listEntries returns the collections a collection list body holds, each
// as its data (or href) URL and assetCount.
func listEntries(body []byte) []listEntry {
	var l struct {
		Data []struct {
			Href       string          `json:"href"`
			Data       string          `json:"data"`
			AssetCount json.RawMessage `json:"assetCount"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &l) != nil {
		return nil
	}
	var out []listEntry
	for _, c := range l.Data {
		u := c.Data
		if u == "" {
			u = c.Href
		}
		n, _ := strconv.Atoi(string(c.AssetCount))
		out = append(out, listEntry{url: u, count: n})
	}
	return out
}

type listEntry struct {
	url   string
	count int
}
