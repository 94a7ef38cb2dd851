package fotowebtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// handleAsset serves an asset's .info URL: GET (asset+json), PATCH
// (assetupdate+json) and EXPORT (export-request+json).
func (f *Fake) handleAsset(w http.ResponseWriter, r *http.Request) {
	who := f.authenticate(w, r)
	if who == nil {
		return
	}
	f.mu.RLock()
	a := f.lookupAsset(r.URL.Path)
	gone := a == nil || a.deleted
	f.mu.RUnlock()
	if gone {
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	if !who.sees(a.arch) {
		f.hidden(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		_, ctype, ok := negotiate(r, mtAsset)
		if !ok {
			writeNotAcceptable(w, r)
			return
		}
		f.mu.RLock()
		body := f.assetJSON(a, who)
		f.mu.RUnlock()
		writeJSONBytes(w, http.StatusOK, ctype, body)
	case http.MethodPatch:
		f.patchAsset(w, r, who, a)
	case "EXPORT":
		f.exportAsset(w, r, who, a)
	default:
		methodNotAllowed(w, r, "GET, HEAD, PATCH, EXPORT")
	}
}

// patchAsset replaces the listed metadata fields (§8.2 of the reference):
// a string or list sets a field, null, "" or [] clears it.
func (f *Fake) patchAsset(w http.ResponseWriter, r *http.Request, who *principal, a *asset) {
	if mediaType(r) != mtAssetUpdate {
		writeError(w, r, http.StatusUnsupportedMediaType, "UnsupportedMediaType: use "+mtAssetUpdate)
		return
	}
	if !who.canEdit(a.arch) {
		writeError(w, r, http.StatusForbidden, "Forbidden: EditText permission is required")
		return
	}
	_, ctype, ok := negotiate(r, mtAsset)
	if !ok {
		writeNotAcceptable(w, r)
		return
	}
	changes, err := parseAssetUpdate(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "BadRequest: "+err.Error())
		return
	}
	f.mu.Lock()
	if a.deleted {
		f.mu.Unlock()
		writeError(w, r, http.StatusNotFound, "NotFound: The requested resource does not exist")
		return
	}
	f.snapshot(a)
	for id, vals := range changes {
		setField(a.editMeta(), id, vals)
	}
	f.touch(a)
	body := f.assetJSON(a, who)
	f.mu.Unlock()
	writeJSONBytes(w, http.StatusOK, ctype, body)
}

// parseAssetUpdate decodes {"metadata": {"<id>": {"value": ...}}}.
func parseAssetUpdate(body io.Reader) (map[int][]string, error) {
	var req struct {
		Metadata map[string]struct {
			Value json.RawMessage `json:"value"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		return nil, fmt.Errorf("malformed body: %v", err)
	}
	if req.Metadata == nil {
		return nil, fmt.Errorf("the body has no metadata object")
	}
	out := make(map[int][]string, len(req.Metadata))
	for k, v := range req.Metadata {
		id, err := strconv.Atoi(k)
		if err != nil || id < 0 {
			return nil, fmt.Errorf("invalid field id %q", k)
		}
		raw := bytes.TrimSpace(v.Value)
		var s string
		var list []string
		switch {
		case len(raw) == 0 || string(raw) == "null":
			out[id] = nil
		case json.Unmarshal(raw, &s) == nil:
			out[id] = []string{s}
		case json.Unmarshal(raw, &list) == nil:
			if len(list) > 1 && !isBag(id) {
				return nil, fmt.Errorf("field %d takes a single value", id)
			}
			out[id] = list
		default:
			return nil, fmt.Errorf("field %d: value must be a string or a list of strings", id)
		}
	}
	return out, nil
}
