package fotoweb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Media types of the Export API.
const (
	mtExportRequest = "application/vnd.fotoware.export-request+json"
	mtExportData    = "application/vnd.fotoware.export-data+json"
)

// methodExport is the custom HTTP verb of the Export API.
const methodExport = "EXPORT"

// pathExportPresets is where the export presets are listed. The reference
// marks the list URL unconfirmed; this is the documented preset prefix.
const pathExportPresets = "/fotoweb/me/presets/exports/"

// ExportRequest asks FotoWeb for a permanent public URL of an image.
type ExportRequest struct {
	// Width and Height are the size in pixels; 0 for both means the
	// original size, one of them 0 keeps the aspect ratio.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Publication is shown in FotoWeb's export manager: where the image
	// is used (the page or site URL).
	Publication string `json:"publication"`
	// Preset is the href of a CMS export preset, or "".
	Preset string `json:"preset,omitempty"`
}

// ExportData is FotoWeb's answer to an export (export-data+json).
type ExportData struct {
	Export struct {
		// Source is the asset's URL.
		Source string `json:"source"`
		// JSON is the URL of this export's description.
		JSON string `json:"json"`
		// Image holds the public image URLs. DoubleResolution and
		// HighCompression may be empty.
		Image struct {
			Normal           string `json:"normal"`
			HighCompression  string `json:"highCompression"`
			DoubleResolution string `json:"doubleResolution"`
		} `json:"image"`
		// Size is the exported image's size in pixels.
		Size struct {
			W int `json:"w"`
			H int `json:"h"`
		} `json:"size"`
	} `json:"export"`
	Publication struct {
		Text string `json:"text"`
	} `json:"publication"`
}

// ExportPreset is one CMS export preset.
type ExportPreset struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Href   string `json:"href"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// Export sends EXPORT to the asset's href: FotoWeb publishes the image
// and answers with its permanent, public, token-free URLs. Every call
// makes a new durable export in FotoWeb, so it is never retried after an
// answer (only when the connection failed before one). A public URL that
// is not absolute is made absolute on the origin; one on another origin is
// kept as FotoWeb gave it (a tenant may publish through a CDN host).
func (c *Client) Export(ctx context.Context, assetHref string, req ExportRequest) (*ExportData, error) {
	u, err := c.resolve(assetHref)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: export: %w", err)
	}
	if req.Width < 0 || req.Height < 0 {
		return nil, fmt.Errorf("fotoweb: export: negative size %dx%d", req.Width, req.Height)
	}
	body, _ := json.Marshal(req)
	cl := &call{method: methodExport, u: u, accept: mtExportData, ctype: mtExportRequest, body: body}
	r, err := c.send(ctx, cl)
	if err != nil {
		return nil, err
	}
	var d ExportData
	if err := c.decodeAnswer(cl, r, &d, http.StatusOK, http.StatusCreated); err != nil {
		return nil, err
	}
	img := &d.Export.Image
	if img.Normal == "" {
		return nil, fmt.Errorf("fotoweb: %s %s: the answer has no public image URL", cl.method, c.safePath(u))
	}
	for _, p := range []*string{&img.Normal, &img.HighCompression, &img.DoubleResolution} {
		*p = c.absolute(*p)
	}
	return &d, nil
}

// absolute makes a root-relative href absolute on the origin.
func (c *Client) absolute(href string) string {
	if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") {
		return c.origin + href
	}
	return href
}

// ExportPresets lists the CMS export presets the token's user may use.
func (c *Client) ExportPresets(ctx context.Context) ([]ExportPreset, error) {
	u, err := c.resolve(pathExportPresets)
	if err != nil {
		return nil, err
	}
	var list struct {
		Data []ExportPreset `json:"data"`
	}
	if err := c.getJSON(ctx, u, "application/json", &list); err != nil {
		return nil, err
	}
	return list.Data, nil
}

// ExportPresetAt fetches the export preset at href (to check a configured
// preset exists).
func (c *Client) ExportPresetAt(ctx context.Context, href string) (*ExportPreset, error) {
	u, err := c.resolve(href)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: export preset: %w", err)
	}
	var p ExportPreset
	if err := c.getJSON(ctx, u, "application/json", &p); err != nil {
		return nil, err
	}
	return &p, nil
}
