package fotoweb

import (
	"encoding/json"
	"reflect"
	"testing"
)

// recordedAsset is shaped like the recorded SaaS asset in the reference
// (fotoweb-api.md §4), with the quirks real servers show: decimals for
// integers, "" for null numbers and objects, null lists, numbers as
// strings, metadata values as string, list and null.
const recordedAsset = `{
  "href": "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info",
  "linkstance": "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info",
  "archiveHREF": "/fotoweb/archives/5000-All-files/",
  "archiveId": 5000.0,
  "filename": "harbour.jpg",
  "filesize": "104448",
  "doctype": "image",
  "uniqueid": "",
  "created": "2023-06-19T12:48:03.397000Z",
  "modified": "2023-06-19T12:47:59Z",
  "permissions": ["View", "Preview", null, "Download"],
  "attributes": {
    "imageattributes": {"pixelwidth": 5472.000000, "pixelheight": 3648, "resolution": 300.0, "flipmirror": "", "rotation": null, "colorspace": "rgb"},
    "photoAttributes": {"cameraModel": "Canon EOS 70D", "exposure": {"n": 1, "d": 30}}
  },
  "metadata": {
    "5":   {"value": "Harbour at dawn"},
    "25":  {"value": ["harbour", "boats"]},
    "80":  {"value": ["Kari Nordmann"]},
    "90":  {"value": null},
    "95":  {"value": ""},
    "100": "",
    "120": {"value": "Fishing boats in the harbour at dawn"}
  },
  "builtinFields": [
    {"field": "title", "required": false, "value": "Harbour at dawn"},
    {"field": "tags", "required": "", "value": ["harbour", "boats"]},
    {"field": "status", "required": false, "value": ""}
  ],
  "previews": [
    {"size": 200.0, "width": 200, "height": 134, "square": false, "href": "/fotoweb/cache/v2/O/0/a.jpg"},
    {"size": "2400", "width": 2400, "height": 1601.0, "square": "", "href": "/fotoweb/cache/v2/A/1/b.jpg"}
  ],
  "quickRenditions": null,
  "renditions": [
    {"display_name": "Original File", "default": true, "original": true, "sizeFixed": false,
     "width": 5472, "height": 3648, "profile": "2af4914d", "href": "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info/__renditions/ORIGINAL"},
    {"display_name": "JPG 1024", "width": "", "height": null, "profile": null, "href": "/x/__renditions/1e18"}
  ],
  "previewToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.x.y",
  "pincount": 0
}`

func TestDecodeRecordedAsset(t *testing.T) {
	var a Asset
	if err := json.Unmarshal([]byte(recordedAsset), &a); err != nil {
		t.Fatal(err)
	}
	if a.ArchiveID != 5000 || a.Filesize != 104448 || a.Filename != "harbour.jpg" {
		t.Errorf("ArchiveID %d Filesize %d Filename %q", a.ArchiveID, a.Filesize, a.Filename)
	}
	if a.Width() != 5472 || a.Height() != 3648 || a.Attributes.Image.Resolution != 300 || a.Attributes.Image.FlipMirror != 0 {
		t.Errorf("image attributes %+v", a.Attributes.Image)
	}
	if want := []string{"View", "Preview", "Download"}; !reflect.DeepEqual(a.Permissions, want) {
		t.Errorf("Permissions %q", a.Permissions)
	}
	if got := a.Metadata.Text(5); got != "Harbour at dawn" {
		t.Errorf("field 5 = %q", got)
	}
	if got := a.Metadata.Values(25); !reflect.DeepEqual(got, []string{"harbour", "boats"}) || !a.Metadata["25"].List {
		t.Errorf("field 25 = %q", got)
	}
	if got := a.Metadata.Text(25); got != "harbour; boats" {
		t.Errorf("field 25 text = %q", got)
	}
	for _, id := range []int{90, 95, 100, 116} {
		if got := a.Metadata.Values(id); got != nil {
			t.Errorf("field %d = %q, want none", id, got)
		}
	}
	if len(a.BuiltinFields) != 3 || a.BuiltinFields[0].Value.String() != "Harbour at dawn" ||
		!a.BuiltinFields[1].Value.List || a.BuiltinFields[2].Value.Values != nil {
		t.Errorf("builtinFields %+v", a.BuiltinFields)
	}
	if len(a.Previews) != 2 || a.Previews[0].Size != 200 || a.Previews[1].Size != 2400 || a.Previews[1].Height != 1601 || a.Previews[1].Square {
		t.Errorf("previews %+v", a.Previews)
	}
	if a.QuickRenditions != nil {
		t.Errorf("quickRenditions %+v", a.QuickRenditions)
	}
	if len(a.Renditions) != 2 || !a.Renditions[0].Original || a.Renditions[1].Width != 0 || a.Renditions[1].Profile != "" {
		t.Errorf("renditions %+v", a.Renditions)
	}
	if a.ModifiedTime().IsZero() {
		t.Error("ModifiedTime is zero")
	}
}

func TestDecodeQuirks(t *testing.T) {
	tests := []struct {
		name, in string
		v, want  any
	}{
		{"empty attributes", `{"attributes": ""}`, &Asset{}, &Asset{}},
		{"attributes null image", `{"attributes": {"imageattributes": ""}}`, &Asset{}, &Asset{}},
		{"archiveId string decimal", `{"archiveId": "5001.000000"}`, &Asset{}, &Asset{ArchiveID: 5001}},
		{"metadata empty string", `{"metadata": ""}`, &Asset{}, &Asset{}},
		{"metadata list", `{"metadata": []}`, &Asset{}, &Asset{}},
		{"wrong kinds", `{"filename": 12, "previews": {}, "permissions": "View"}`, &Asset{}, &Asset{Filename: "12"}},
		{"paging nulls", `{"prev": null, "next": "", "first": "/a/", "last": null}`, &Paging{}, &Paging{First: "/a/"}},
		{"collection numbers", `{"id": 5000, "assetCount": 28.0, "searchURL": null}`, &Collection{}, &Collection{ID: "5000", AssetCount: 28}},
		{"user", `{"userId": 15001.0, "isGuest": "false"}`, &User{}, &User{UserID: 15001}},
		{"descriptor", `{"archives": "/fotoweb/me/archives/", "services": {"rendition_request": "/fotoweb/services/renditions", "keepalive": {"interval": 20}}, "user": ""}`,
			&Descriptor{}, &Descriptor{Archives: "/fotoweb/me/archives/", Services: Services{RenditionRequest: "/fotoweb/services/renditions"}}},
		{"asset page nested", `{"data": "/fotoweb/data/a/5000.x/", "assets": {"data": [{"filename": "a.jpg"}], "paging": null}}`,
			&assetPage{}, &assetPage{Assets: &assetPage{Data: []Asset{{Filename: "a.jpg"}}}}},
		{"asset page ends", `{"data": null, "paging": ""}`, &assetPage{}, &assetPage{}},
		{"huge number", `{"archiveId": 1e300, "filesize": -1.5}`, &Asset{}, &Asset{Filesize: -2}},
	}
	for _, tc := range tests {
		if err := decodeJSON([]byte(tc.in), tc.v); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(tc.v, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, tc.v, tc.want)
		}
	}
}

func TestDecodeRejectsNonObjects(t *testing.T) {
	for _, in := range []string{`[]`, `42`, `"x"`, `{`, `true`} {
		var a Asset
		if err := decodeJSON([]byte(in), &a); err == nil {
			t.Errorf("decodeJSON(%s) = nil error", in)
		}
	}
	for _, in := range []string{`null`, `""`} {
		var a Asset
		if err := decodeJSON([]byte(in), &a); err != nil {
			t.Errorf("decodeJSON(%s) = %v", in, err)
		}
	}
}

func TestValueRoundTrip(t *testing.T) {
	var a Asset
	if err := json.Unmarshal([]byte(recordedAsset), &a); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&a)
	if err != nil {
		t.Fatal(err)
	}
	var back Asset
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, back) {
		t.Errorf("round trip differs:\n%+v\n%+v", a, back)
	}
	for _, v := range []Value{{}, {Values: []string{"x"}}, {Values: []string{"a", "b"}, List: true}, {List: true}} {
		b, _ := json.Marshal(v)
		var got Value
		if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("Value %+v -> %s -> %+v, %v", v, b, got, err)
		}
	}
}
