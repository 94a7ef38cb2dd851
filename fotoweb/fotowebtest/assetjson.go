package fotowebtest

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

const (
	editorID         = "260ef215-1a1c-4218-b5fb-3837eeafa1a0"
	editorHref       = "/fotoweb/editors/" + editorID
	originalProfile  = "2af4914d-6c11-4b15-a7ee-a4260efc8309"
	jpg1024Profile   = "1e1887de-5147-4929-8777-2178e555c4ce"
	renditionsSuffix = "/__renditions/"
)

var (
	adminPermissions = []string{"View", "Preview", "Workflow", "Download", "Order", "EditText", "CropRotate", "Delete",
		"Comping", "Alert", "CopyTo", "MoveTo", "CopyFrom", "MoveFrom", "Rename", "OpenFile", "EditFile", "CropFile",
		"UploadFile", "FwdtPlace", "Export", "Comment", "Annotate", "MngVideo", "EditSmartFolders", "DuplicateFile",
		"CropAndDownload", "HistoryView", "HistoryManage", "HistoryRollback"}
	userEditPermissions = []string{"View", "Preview", "Workflow", "Download", "Order", "EditText", "Export", "CropAndDownload"}
	userReadPermissions = []string{"View", "Preview", "Download", "Order", "Export", "CropAndDownload"}
)

// permissions lists who's permissions on assets of a (also a
// collection's permissions).
func permissions(who *principal, a *archive) []string {
	var p []string
	switch {
	case who.admin:
		return adminPermissions
	case who.canEdit(a):
		p = userEditPermissions
	default:
		p = userReadPermissions
	}
	if a.noExport {
		p = slices.DeleteFunc(slices.Clone(p), func(s string) bool { return s == "Export" })
	}
	return p
}

type nameHref struct {
	Name string `json:"name"`
	Href string `json:"href"`
}

type metaValue struct {
	Value any `json:"value"`
}

type builtinField struct {
	Field    string `json:"field"`
	Required bool   `json:"required"`
	Value    any    `json:"value"`
}

type previewDoc struct {
	Size   int    `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Square bool   `json:"square"`
	Href   string `json:"href"`
}

type quickDoc struct {
	Name string `json:"name"`
	previewDoc
}

type renditionDoc struct {
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
	Original    bool   `json:"original"`
	SizeFixed   bool   `json:"sizeFixed"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Profile     string `json:"profile"`
	Href        string `json:"href"`
}

type ancestor struct {
	Name string `json:"name"`
	Href string `json:"href"`
	Data string `json:"data"`
}

type enabled struct {
	Enabled bool `json:"enabled"`
}

type props struct {
	Annotations enabled  `json:"annotations"`
	Comments    enabled  `json:"comments"`
	Shares      enabled  `json:"shares"`
	Owner       *string  `json:"owner"`
	Tags        []string `json:"tags"`
}

var defaultProps = props{Tags: []string{}}

// assetDoc is the asset representation (application/vnd.fotoware.asset+json)
// without previewToken, which is appended per request.
type assetDoc struct {
	Href              string               `json:"href"`
	Linkstance        string               `json:"linkstance"`
	ArchiveHREF       string               `json:"archiveHREF"`
	ArchiveID         int                  `json:"archiveId"`
	Filename          string               `json:"filename"`
	Filesize          int64                `json:"filesize"`
	Doctype           string               `json:"doctype"`
	UniqueID          string               `json:"uniqueid"`
	PhysicalFileID    string               `json:"physicalFileId"`
	Created           string               `json:"created"`
	CreatedBy         string               `json:"createdBy"`
	Modified          string               `json:"modified"`
	ModifiedBy        string               `json:"modifiedBy"`
	Permissions       []string             `json:"permissions"`
	Attributes        map[string]any       `json:"attributes"`
	Metadata          map[string]metaValue `json:"metadata"`
	BuiltinFields     []builtinField       `json:"builtinFields"`
	Previews          *[]previewDoc        `json:"previews,omitempty"`
	QuickRenditions   []quickDoc           `json:"quickRenditions"`
	Renditions        []renditionDoc       `json:"renditions"`
	MetadataEditor    nameHref             `json:"metadataEditor"`
	ThumbnailFields   map[string]any       `json:"thumbnailFields"`
	Ancestors         []ancestor           `json:"ancestors"`
	Capabilities      map[string]bool      `json:"capabilities"`
	Props             props                `json:"props"`
	Revisions         map[string]string    `json:"revisions"`
	DropHREF          string               `json:"dropHREF"`
	Pincount          int                  `json:"pincount"`
	Previewcount      int                  `json:"previewcount"`
	Downloadcount     int                  `json:"downloadcount"`
	Workflowcount     int                  `json:"workflowcount"`
	Metadataeditcount int                  `json:"metadataeditcount"`
	Revisioncount     int                  `json:"revisioncount"`
}

// assetJSON returns the full asset representation for who, previewToken
// included (in flavours that have one). Callers hold f.mu (read).
func (f *Fake) assetJSON(a *asset, who *principal) []byte {
	role := who.role()
	p := a.cache[role].Load()
	if p == nil {
		b := f.encodeAsset(a, who, a.state(), false)
		p = &b
		a.cache[role].Store(p)
	}
	if !f.wire.previewTokens {
		return *p
	}
	return appendPreviewToken(*p, f.previewToken(a, who))
}

// encodeAsset encodes the representation of a in state st in the
// flavour's shape, without previewToken.
func (f *Fake) encodeAsset(a *asset, who *principal, st assetState, python bool) []byte {
	var b []byte
	if f.wire.onPrem {
		b, _ = json.Marshal(onPremAsset(f.buildAsset(a, who, st, python)))
	} else {
		b, _ = json.Marshal(f.buildAsset(a, who, st, python))
	}
	return b
}

// appendPreviewToken adds "previewToken" to an encoded object.
func appendPreviewToken(obj []byte, tok string) []byte {
	out := make([]byte, 0, len(obj)+len(tok)+20)
	out = append(out, obj[:len(obj)-1]...)
	out = append(out, `,"previewToken":"`...)
	out = append(out, tok...)
	return append(out, `"}`...)
}

// buildAsset builds the representation of a in the given state. python
// writes resolution and rotation as floats (300.0, 0.0), as FotoWeb's
// webhook emitter does.
func (f *Fake) buildAsset(a *asset, who *principal, st assetState, python bool) assetDoc {
	dw, dh := a.dims()
	meta := st.meta
	d := assetDoc{
		Href: a.href, Linkstance: a.href, ArchiveHREF: a.arch.href, ArchiveID: a.arch.id,
		Filename: a.filename, Filesize: a.filesize, Doctype: a.doctype,
		PhysicalFileID: f.poolID(a.arch) + "/" + a.relPath,
		Created:        formatTime(a.created), CreatedBy: "system",
		Modified: formatTime(st.modified), ModifiedBy: "system",
		Permissions:     permissions(who, a.arch),
		Attributes:      attributes(a, python),
		Metadata:        metadataDoc(meta),
		BuiltinFields:   builtins(meta),
		QuickRenditions: []quickDoc{},
		MetadataEditor:  nameHref{Name: "Archive", Href: editorHref},
		ThumbnailFields: map[string]any{
			"label":      metaValue{a.filename},
			"firstLine":  metaValue{meta.text(5)},
			"secondLine": metaValue{listOrEmpty(meta[80])},
			"additionalFields": []map[string]any{
				{"value": listOrEmpty(meta[25]), "views": []string{"desktop", "widgets", "web"}},
				{"value": meta.text(40), "views": []string{"desktop", "widgets", "web"}},
			},
		},
		Ancestors:    []ancestor{{Name: a.arch.name, Href: a.arch.href, Data: f.dataURL(a.arch, who)}},
		Capabilities: map[string]bool{"crop": true, "print": true, "printWithAnnotations": true},
		Props:        defaultProps,
		Revisions:    map[string]string{"href": strings.TrimSuffix(a.href, ".info") + "/__revisions/"},
		DropHREF:     a.href + "#u=" + strconv.Itoa(who.userID) + "&m=" + f.sign("drop", a.href, strconv.Itoa(who.userID))[:43],
	}
	if a.hasImage() {
		var pv []previewDoc
		for _, ps := range f.previewSpecs(a) {
			pv = append(pv, previewDoc{Size: ps.size, Width: ps.w, Height: ps.h, Square: ps.square, Href: f.previewHref(a, st, ps)})
		}
		d.Previews = &pv
		d.Previewcount = len(pv)
		if a.quick && !f.wire.onPrem {
			q := f.quickSpec(a)
			d.QuickRenditions = []quickDoc{{Name: "Web 1024", previewDoc: previewDoc{Size: q.size, Width: q.w, Height: q.h, Href: f.previewHref(a, st, q)}}}
		}
	} else if a.doctype == "document" {
		d.Previews = &[]previewDoc{}
	}
	ow, oh := dw, dh
	switch a.doctype {
	case "document":
		ow, oh = 0, 0
	case "movie":
		ow, oh = 1, 1
	}
	d.Renditions = []renditionDoc{{DisplayName: "Original File", Description: "Original File", Default: true, Original: true,
		Width: ow, Height: oh, Profile: originalProfile, Href: a.href + renditionsSuffix + "ORIGINAL"}}
	if a.hasImage() {
		d.Renditions = append(d.Renditions, renditionDoc{DisplayName: "JPG 1024 PX Max 96 DPI",
			Description: "Converts image to JPG with max width/height of 1024 pixels and 96 DPI", SizeFixed: true,
			Profile: jpg1024Profile, Href: a.href + renditionsSuffix + jpg1024Profile})
	}
	return d
}

func listOrEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func attributes(a *asset, python bool) map[string]any {
	switch a.doctype {
	case "document":
		return map[string]any{"documentattributes": map[string]any{"pages": 4}}
	case "movie":
		return map[string]any{"videoattributes": map[string]any{"width": a.w, "height": a.h, "duration": 42.5, "framerate": 25}}
	}
	res := json.Number(strconv.Itoa(a.resolution))
	rot := json.Number(strconv.Itoa(a.rotation))
	if a.decimalRes || python {
		res += ".0"
	}
	if python {
		rot += ".0"
	}
	out := map[string]any{"imageattributes": map[string]any{
		"pixelwidth": a.w, "pixelheight": a.h, "resolution": res, "flipmirror": 0, "rotation": rot, "colorspace": "rgb",
	}}
	if a.id%2 == 0 && a.doctype == "image" {
		out["photoAttributes"] = map[string]any{"cameraModel": "Canon EOS 70D", "exposure": map[string]int{"n": 1, "d": 250},
			"fNumber": 8, "focalLength": 35, "isoSpeed": 100, "flash": map[string]bool{"fired": false}}
	}
	return out
}

func metadataDoc(m metadata) map[string]metaValue {
	out := make(map[string]metaValue, len(m))
	for id, v := range m {
		if isBag(id) {
			out[strconv.Itoa(id)] = metaValue{v}
		} else {
			out[strconv.Itoa(id)] = metaValue{strings.Join(v, "; ")}
		}
	}
	return out
}

func builtins(m metadata) []builtinField {
	return []builtinField{
		{Field: "title", Value: m.text(5)},
		{Field: "description", Value: m.text(120)},
		{Field: "tags", Value: listOrEmpty(m[25])},
		{Field: "status", Value: m.text(10)},
		{Field: "rating", Value: m.text(320)},
		{Field: "notes", Value: m.text(230)},
	}
}

// poolID is the storage pool part of physicalFileId.
func (f *Fake) poolID(a *archive) string {
	sum := f.sign("pool", a.slug)
	return hex.EncodeToString([]byte(sum))[:24]
}

// dataURL is the user-specific data URL of an archive.
func (f *Fake) dataURL(a *archive, who *principal) string {
	return "/fotoweb/data/a/" + strconv.Itoa(a.id) + "." + f.sign("data", strconv.Itoa(a.id), strconv.Itoa(who.userID))[:43] + "/"
}

// assetDoc80 is the asset representation of an on-premises FotoWeb 8.0,
// with exactly the members of the recorded one (drupal/asset.json): no
// doctype, archiveId, permissions, builtinFields, previewToken, ancestors
// or counters.
type assetDoc80 struct {
	Href            string               `json:"href"`
	ArchiveHREF     string               `json:"archiveHREF"`
	Linkstance      string               `json:"linkstance"`
	Created         string               `json:"created"`
	CreatedBy       string               `json:"createdBy"`
	Modified        string               `json:"modified"`
	ModifiedBy      string               `json:"modifiedBy"`
	Filename        string               `json:"filename"`
	Filesize        int64                `json:"filesize"`
	UniqueID        string               `json:"uniqueid"`
	Previews        *[]previewDoc        `json:"previews,omitempty"`
	QuickRenditions []quickDoc           `json:"quickRenditions"`
	MetadataEditor  nameHref             `json:"metadataEditor"`
	Renditions      []renditionDoc80     `json:"renditions"`
	Attributes      map[string]any       `json:"attributes"`
	Metadata        map[string]metaValue `json:"metadata"`
	ThumbnailFields map[string]any       `json:"thumbnailFields"`
}

// renditionDoc80 is a rendition without profile and sizeFixed.
type renditionDoc80 struct {
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Href        string `json:"href"`
	Default     bool   `json:"default"`
	Original    bool   `json:"original"`
}

// onPremAsset turns the SaaS representation into the 8.0 one.
func onPremAsset(d assetDoc) assetDoc80 {
	out := assetDoc80{
		Href: d.Href, ArchiveHREF: d.ArchiveHREF, Linkstance: d.Linkstance,
		Created: d.Created, CreatedBy: d.CreatedBy, Modified: d.Modified, ModifiedBy: d.ModifiedBy,
		Filename: d.Filename, Filesize: d.Filesize, UniqueID: d.UniqueID,
		Previews: d.Previews, QuickRenditions: []quickDoc{}, MetadataEditor: d.MetadataEditor,
		Attributes: d.Attributes, Metadata: d.Metadata,
		ThumbnailFields: map[string]any{
			"label": d.ThumbnailFields["label"], "firstLine": d.ThumbnailFields["firstLine"],
			"secondLine": d.ThumbnailFields["secondLine"],
		},
	}
	for _, r := range d.Renditions {
		out.Renditions = append(out.Renditions, renditionDoc80{DisplayName: r.DisplayName, Description: r.Description,
			Width: r.Width, Height: r.Height, Href: r.Href, Default: r.Default, Original: r.Original})
	}
	return out
}
