package replay

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// AssetList is an asset list (application/vnd.fotoware.assetlist+json)
// decoded with fotoweb's types.
type AssetList struct {
	Data   []fotoweb.Asset `json:"data"`
	Paging *fotoweb.Paging `json:"paging"`
}

// CollectionList is a collection list
// (application/vnd.fotoware.collectionlist+json) decoded with fotoweb's
// types.
type CollectionList struct {
	Data      []fotoweb.Collection `json:"data"`
	Paging    *fotoweb.Paging      `json:"paging"`
	SearchURL string               `json:"searchURL"`
}

// Parse decodes a body of media type mt with fotoweb's types (the
// client's own tolerant decoding) and returns the value: *fotoweb.Asset,
// *AssetList, *CollectionList, *fotoweb.Descriptor, or, for another JSON
// media type, the generic JSON value. A body of another media type (a
// file) is returned as it is.
func Parse(mt string, body []byte) (any, error) {
	var v any
	switch mt {
	case "application/vnd.fotoware.asset+json":
		v = new(fotoweb.Asset)
	case "application/vnd.fotoware.assetlist+json":
		v = new(AssetList)
	case "application/vnd.fotoware.collectionlist+json":
		v = new(CollectionList)
	case "application/vnd.fotoware.full-api-descriptor+json", "application/vnd.fotoware.api-descriptor+json":
		v = new(fotoweb.Descriptor)
	default:
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return body, nil
		}
		var x any
		if err := json.Unmarshal(body, &x); err != nil {
			return nil, fmt.Errorf("replay: not JSON (%s): %w", mt, err)
		}
		return x, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("replay: decoding %s: %w", mt, err)
	}
	return v, nil
}
