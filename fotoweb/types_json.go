package fotoweb

import (
	"bytes"
	"encoding/json"
)

// The UnmarshalJSON methods below make decoding tolerant (see decode.go):
// 300.0 for an int, "" or null for a number, list or object, numbers as
// strings, absent fields. They keep encoding/json's field names.

// UnmarshalJSON decodes an asset tolerantly.
func (a *Asset) UnmarshalJSON(b []byte) error { return decodeInto(b, a) }

// UnmarshalJSON decodes the attribute sections tolerantly.
func (a *Attributes) UnmarshalJSON(b []byte) error { return decodeInto(b, a) }

// UnmarshalJSON decodes image attributes tolerantly.
func (a *ImageAttributes) UnmarshalJSON(b []byte) error { return decodeInto(b, a) }

// UnmarshalJSON decodes a preview tolerantly.
func (p *Preview) UnmarshalJSON(b []byte) error { return decodeInto(b, p) }

// UnmarshalJSON decodes a quick rendition tolerantly.
func (q *QuickRendition) UnmarshalJSON(b []byte) error { return decodeInto(b, q) }

// UnmarshalJSON decodes a rendition tolerantly.
func (r *Rendition) UnmarshalJSON(b []byte) error { return decodeInto(b, r) }

// UnmarshalJSON decodes a built-in field mapping tolerantly.
func (f *BuiltinField) UnmarshalJSON(b []byte) error { return decodeInto(b, f) }

// UnmarshalJSON decodes the API descriptor tolerantly.
func (d *Descriptor) UnmarshalJSON(b []byte) error { return decodeInto(b, d) }

// UnmarshalJSON decodes the services section tolerantly.
func (s *Services) UnmarshalJSON(b []byte) error { return decodeInto(b, s) }

// UnmarshalJSON decodes a user tolerantly.
func (u *User) UnmarshalJSON(b []byte) error { return decodeInto(b, u) }

// UnmarshalJSON decodes a collection tolerantly.
func (c *Collection) UnmarshalJSON(b []byte) error { return decodeInto(b, c) }

// UnmarshalJSON decodes paging links; null and "" both become "".
func (p *Paging) UnmarshalJSON(b []byte) error { return decodeInto(b, p) }

// UnmarshalJSON decodes a metadata object; entries that are not values are
// skipped, and "" or null give an empty Metadata.
func (m *Metadata) UnmarshalJSON(b []byte) error { return decodeInto(b, m) }

// UnmarshalJSON accepts FotoWeb's metadata entry {"value": x} as well as a
// bare x (as in builtinFields), where x is a string, a list of strings,
// null or "" (no value). Numbers and booleans become their text; empty and
// null list elements are dropped.
func (v *Value) UnmarshalJSON(b []byte) error {
	*v = Value{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		var o map[string]json.RawMessage
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		if inner, ok := o["value"]; ok {
			return v.UnmarshalJSON(inner)
		}
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return err
		}
		v.List = true
		for _, e := range elems {
			if t := scalarText(bytes.TrimSpace(e)); t != "" {
				v.Values = append(v.Values, t)
			}
		}
	default:
		if t := scalarText(b); t != "" {
			v.Values = []string{t}
		}
	}
	return nil
}

// MarshalJSON writes FotoWeb's form, {"value": "x"} or {"value": ["a"]},
// so a Value survives a JSON round trip (for caches).
func (v Value) MarshalJSON() ([]byte, error) {
	var x any
	switch {
	case v.List:
		x = append([]string{}, v.Values...)
	case len(v.Values) == 1:
		x = v.Values[0]
	case len(v.Values) > 1:
		x = v.Values
	}
	return json.Marshal(map[string]any{"value": x})
}

// assetPage is one page of an asset list. A collection representation
// (collection+json) nests its first page under "assets" and has a string
// "data"; the tolerant decoder leaves Data empty then.
type assetPage struct {
	Data   []Asset    `json:"data"`
	Paging *Paging    `json:"paging"`
	Assets *assetPage `json:"assets"`
}

// collectionPage is one page of a collection list.
type collectionPage struct {
	Data      []Collection `json:"data"`
	Paging    *Paging      `json:"paging"`
	SearchURL string       `json:"searchURL"`
}

// renditionResponse is the Rendition Request API's answer.
type renditionResponse struct {
	Href string `json:"href"`
}
