package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"github.com/fotoembed/fotoembed/urlsig"
)

// Purposes of the keys derived from the signing keys. Each purpose has
// its own key, so that a value made for one (a picker token) can never
// pass for another (a paging cursor, a signed image path).
const (
	purposePickerToken = "picker-token v1"
	purposeCursor      = "assets-cursor v1"
)

// derivedKey derives a 32-byte HMAC key for purpose from the service's
// signing key (the first of Config.Signer's keys, the one that signs).
// The Signer does not hand out its keys; the derivation MACs a label
// that starts with a NUL byte, which no signed path can hold, so no
// signed URL ever shows a derived key. Several labels are MACed and
// hashed together, so that a truncated MAC length (--mac-length 8)
// still gives a full-strength key. Rotating the signing keys (a new key
// first) changes the derived keys: outstanding picker tokens and paging
// cursors stop working, which costs an editor a reload.
func derivedKey(s *urlsig.Signer, purpose string) []byte {
	h := sha256.New()
	for i := 0; i < 4; i++ {
		sig := s.SignString("\x00fotoembed derived key\x00" + purpose + "\x00" + strconv.Itoa(i))
		mac, err := base64.RawURLEncoding.DecodeString(sig)
		if err != nil {
			panic("server: the signer's signature is not base64url: " + err.Error())
		}
		h.Write(mac)
	}
	return h.Sum(nil)
}

// macOf returns HMAC-SHA256(key, parts...) with the parts separated so
// that no two part lists give the same input.
func macOf(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(strconv.Itoa(len(p))))
		m.Write([]byte{':'})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}
