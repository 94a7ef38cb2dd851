package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Paging cursor limits.
const (
	// anchorCount is how many of the last hits of a page a cursor names.
	anchorCount = 4
	// anchorLen is the bytes of an anchor (a truncated SHA-256 of the
	// asset href).
	anchorLen = 8
	// cursorMACLen is the bytes of HMAC a cursor carries.
	cursorMACLen = 16
	// maxCursor bounds a cursor before any work on it.
	maxCursor = 4096
	// maxQuery bounds the search expression.
	maxQuery = 1000
)

// cursor is where the next page of a search starts. It is opaque to
// clients and signed, so that a garbled or forged one is refused.
//
// It names the search (query, archive filter, the caller's scope) and
// the position: Offset, the number of FotoWeb hits before the next page
// when it was made, and Anchors, digests of the hrefs of the last hits
// before it. The next page starts right after the last anchor still
// where it should be, so that a page boundary stays put while the
// archive changes: assets added or moved up (a modified asset comes
// first in FotoWeb's default order) or deleted before it shift every
// anchor alike. Only when none of the anchors is found (all deleted or
// moved away) does the page fall back to Offset.
type cursor struct {
	Version int      `json:"v"`
	Query   string   `json:"q"`
	Archive string   `json:"a"` // the archive filter as given
	Scope   string   `json:"s"` // scope.key() of the caller
	Offset  int      `json:"o"`
	Anchors [][]byte `json:"h"`
}

// anchorOf is the anchor of an asset href.
func anchorOf(href string) []byte {
	sum := sha256.Sum256([]byte(href))
	return sum[:anchorLen]
}

// encodeCursor signs and encodes c: base64url of a version byte and
// the JSON, a ".", base64url of the truncated HMAC.
func encodeCursor(key []byte, c cursor) string {
	c.Version = 1
	b, _ := json.Marshal(c) // plain types: cannot fail
	body := base64.RawURLEncoding.EncodeToString(append([]byte{1}, b...))
	return body + "." + base64.RawURLEncoding.EncodeToString(macOf(key, "cursor", body)[:cursorMACLen])
}

// errBadCursor is the 400 of a cursor that does not verify.
var errBadCursor = badRequest("cursor is not valid: pass back the next value of an earlier answer unchanged, or leave cursor out to start from the first page")

// decodeCursor verifies a cursor's MAC, then decodes it.
func decodeCursor(key []byte, s string) (cursor, error) {
	var c cursor
	if len(s) > maxCursor {
		return c, errBadCursor
	}
	body, sig, ok := strings.Cut(s, ".")
	if !ok {
		return c, errBadCursor
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, macOf(key, "cursor", body)[:cursorMACLen]) {
		return c, errBadCursor
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < 2 || raw[0] != 1 {
		return c, errBadCursor
	}
	dec := json.NewDecoder(bytes.NewReader(raw[1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.Version != 1 || c.Offset < 0 || len(c.Anchors) > anchorCount {
		return cursor{}, errBadCursor
	}
	return c, nil
}

// pageStart finds where the next page starts in list (the hits of the
// search now, from the first): after the last anchor that is still in
// order with the others and near where it was. ok is false when no
// anchor is found.
func pageStart(list []hitRef, c cursor) (int, bool) {
	if len(c.Anchors) == 0 {
		return min(c.Offset, len(list)), true
	}
	pos := make(map[string]int, len(list))
	for i, h := range list {
		pos[string(h.anchor)] = i
	}
	// Positions of the anchors, in page order; -1 for one that is gone
	// or that moved too far up to be where the page ended.
	const tolerance = 100
	ps := make([]int, len(c.Anchors))
	for j, a := range c.Anchors {
		ps[j] = -1
		if p, ok := pos[string(a)]; ok {
			expected := c.Offset - len(c.Anchors) + j
			if p >= expected-tolerance {
				ps[j] = p
			}
		}
	}
	best := lastInOrder(ps)
	if best < 0 {
		return 0, false
	}
	return best + 1, true
}

// lastInOrder returns the position ending the longest run of anchors
// whose positions increase in page order (the anchors that kept their
// place; one that moved drops out), preferring the later anchor on a
// tie; -1 when no anchor was found.
func lastInOrder(ps []int) int {
	n := len(ps)
	length := make([]int, n)
	bestLen, best := 0, -1
	for j := 0; j < n; j++ {
		if ps[j] < 0 {
			continue
		}
		length[j] = 1
		for i := 0; i < j; i++ {
			if ps[i] >= 0 && ps[i] < ps[j] && length[i]+1 > length[j] {
				length[j] = length[i] + 1
			}
		}
		if length[j] >= bestLen {
			bestLen, best = length[j], ps[j]
		}
	}
	return best
}
