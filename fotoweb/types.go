package fotoweb

import (
	"strconv"
	"strings"
	"time"
)

// Asset is the part of FotoWeb's asset representation
// (application/vnd.fotoware.asset+json) that fotoembed uses.
//
// Decoding is tolerant of what real servers send: integers written with
// decimals (300.0), "" where null is expected, and absent fields.
type Asset struct {
	Href            string           `json:"href"`
	Linkstance      string           `json:"linkstance"`
	ArchiveHref     string           `json:"archiveHREF"`
	ArchiveID       int              `json:"archiveId"`
	Filename        string           `json:"filename"`
	Filesize        int64            `json:"filesize"`
	Doctype         string           `json:"doctype"`
	Created         string           `json:"created"`
	Modified        string           `json:"modified"`
	Permissions     []string         `json:"permissions"`
	Attributes      Attributes       `json:"attributes"`
	Metadata        Metadata         `json:"metadata"`
	BuiltinFields   []BuiltinField   `json:"builtinFields"`
	Previews        []Preview        `json:"previews"`
	QuickRenditions []QuickRendition `json:"quickRenditions"`
	Renditions      []Rendition      `json:"renditions"`
	PreviewToken    string           `json:"previewToken"`
}

// Attributes holds the doctype-specific attribute sections of an asset.
type Attributes struct {
	Image *ImageAttributes `json:"imageattributes"`
}

// ImageAttributes describes the original image file.
type ImageAttributes struct {
	PixelWidth  int     `json:"pixelwidth"`
	PixelHeight int     `json:"pixelheight"`
	Resolution  float64 `json:"resolution"`
	FlipMirror  int     `json:"flipmirror"`
	Rotation    int     `json:"rotation"`
	ColorSpace  string  `json:"colorspace"`
}

// Preview is one fixed-size preview of an asset. Size is the long edge in
// pixels; Href is signed by FotoWeb and must never be computed.
type Preview struct {
	Size   int    `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Href   string `json:"href"`
	Square bool   `json:"square"`
}

// QuickRendition is an administrator-configured rendition size.
type QuickRendition struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Href   string `json:"href"`
	Square bool   `json:"square"`
}

// Rendition is a rendition that can be requested through the Rendition
// Request API. Width and Height are 0 or 1 when unknown or variable.
type Rendition struct {
	Href        string `json:"href"`
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Default     bool   `json:"default"`
	Original    bool   `json:"original"`
	SizeFixed   bool   `json:"sizeFixed"`
	Profile     string `json:"profile"`
}

// BuiltinField maps one of FotoWeb's built-in concepts (title, description,
// tags, status, rating, notes) onto the site's metadata.
type BuiltinField struct {
	Field    string `json:"field"`
	Required bool   `json:"required"`
	Value    Value  `json:"value"`
}

// Metadata is an asset's metadata keyed by FotoWare field id ("5", "120").
type Metadata map[string]Value

// Value is one metadata value: a single string or, for bag fields, a list.
type Value struct {
	Values []string // the value(s); empty when absent
	List   bool     // true when FotoWeb sent a list
}

// Text returns field id's value, list values joined with "; ", or "" when
// the field is absent.
func (m Metadata) Text(id int) string {
	v, ok := m[strconv.Itoa(id)]
	if !ok {
		return ""
	}
	return v.String()
}

// Values returns field id's values, or nil when the field is absent.
func (m Metadata) Values(id int) []string {
	return m[strconv.Itoa(id)].Values
}

// String joins the values with "; ", as FotoWeb's webhooks do.
func (v Value) String() string {
	return strings.Join(v.Values, "; ")
}

// Width returns the original's pixel width, corrected for a 90° or 270°
// rotation, or 0 when unknown (see [Asset.PixelSize]).
func (a *Asset) Width() int {
	w, _, _ := a.PixelSize()
	return w
}

// Height returns the original's pixel height, corrected for rotation, or 0
// when unknown (see [Asset.PixelSize]).
func (a *Asset) Height() int {
	_, h, _ := a.PixelSize()
	return h
}

func (a *Asset) dimensions() (int, int) {
	ia := a.Attributes.Image
	if ia == nil {
		return 0, 0
	}
	if ia.Rotation == 90 || ia.Rotation == 270 {
		return ia.PixelHeight, ia.PixelWidth
	}
	return ia.PixelWidth, ia.PixelHeight
}

// ModifiedTime parses Modified; it returns the zero time when Modified is
// empty or not in a form FotoWeb is known to send.
func (a *Asset) ModifiedTime() time.Time {
	t, err := time.Parse(time.RFC3339Nano, a.Modified)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Descriptor is the part of the full API descriptor (GET /fotoweb/me) that
// clients use.
type Descriptor struct {
	Href            string   `json:"href"`
	Server          string   `json:"server"`
	Archives        string   `json:"archives"`
	SearchURL       string   `json:"searchURL"`
	BackgroundTasks string   `json:"background_tasks"`
	Services        Services `json:"services"`
	User            *User    `json:"user"`
	// Permissions are the user's site-wide rights (full descriptor only).
	Permissions DescriptorPermissions `json:"permissions"`
}

// DescriptorPermissions are the site-wide rights the full API descriptor
// reports for the token's user.
type DescriptorPermissions struct {
	CanManageExports            bool `json:"canManageExports"`
	HasManageSettingsPermission bool `json:"hasManageSettingsPermission"`
}

// Services lists service URLs from the API descriptor.
type Services struct {
	RenditionRequest string `json:"rendition_request"`
	Search           string `json:"search"`
}

// User is the user the token acts for.
type User struct {
	UserID   int    `json:"userId"`
	UserName string `json:"userName"`
	FullName string `json:"fullName"`
	IsGuest  bool   `json:"isGuest"`
}

// Collection is an archive, folder, album or search result.
type Collection struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Href        string `json:"href"`
	Data        string `json:"data"`
	SearchURL   string `json:"searchURL"`
	AssetCount  int    `json:"assetCount"`
	// Permissions are the user's rights in the collection (View,
	// Preview, EditText, ...), as for assets.
	Permissions []string `json:"permissions"`
	// The capability flags: what the user may do to the collection.
	CanUploadTo      bool `json:"canUploadTo"`
	CanCopyTo        bool `json:"canCopyTo"`
	CanMoveTo        bool `json:"canMoveTo"`
	CanCreateFolders bool `json:"canCreateFolders"`
	CanBeDeleted     bool `json:"canBeDeleted"`
}

// Paging links of a paged list. Empty strings mean absent: FotoWeb sends
// both null and "" at the ends of a list. Page links come in either form,
// ;p=N before the query or ?q=...&p=N after it; they are followed as
// given, never built.
//
// Since 2024 the object also carries index, totalPages and count, which
// are null when FotoWeb does not know them (a list on one page); nil
// here then. Clients need none of them: following Next is enough.
type Paging struct {
	Prev       string `json:"prev"`
	Next       string `json:"next"`
	First      string `json:"first"`
	Last       string `json:"last"`
	Index      *int   `json:"index"`      // the page's index from 0, when known
	TotalPages *int   `json:"totalPages"` // the number of pages, when known
	Count      *int   `json:"count"`      // the number of items in the list, when known
}
