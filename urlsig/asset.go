package urlsig

import (
	"encoding/base64"
	"strings"
)

// Limits on the asset and extension.
const (
	// MaxAssetLen is the longest asset href that can be signed, in bytes
	// before encoding.
	MaxAssetLen = 2048
	// MaxExtLen is the longest extension, in characters after the dot.
	MaxExtLen = 8
)

// b64 is unpadded base64url (RFC 4648 §5) that rejects non-zero trailing
// bits and line breaks, so every byte string has exactly one accepted
// spelling.
var b64 = base64.RawURLEncoding.Strict()

// maxAssetSegLen is the encoded length of a MaxAssetLen href.
var maxAssetSegLen = b64.EncodedLen(MaxAssetLen)

// EncodeAsset returns the asset segment for an asset href: its bytes in
// base64url without padding.
func EncodeAsset(href string) string {
	return b64.EncodeToString([]byte(href))
}

// DecodeAsset decodes an asset segment. It rejects the empty segment,
// padding, characters outside the base64url alphabet, non-canonical
// encodings (non-zero trailing bits) and hrefs longer than MaxAssetLen.
// Errors wrap [ErrMalformed].
func DecodeAsset(seg string) (string, error) {
	var dst [256]byte
	b, err := decodeAsset(dst[:0], []byte(seg))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// decodeAsset appends the decoded asset segment seg to dst.
func decodeAsset(dst, seg []byte) ([]byte, error) {
	if len(seg) == 0 {
		return dst, errAssetEmpty
	}
	if len(seg) > maxAssetSegLen {
		return dst, errAssetTooLong
	}
	// Reject '\r' and '\n', which the decoder would otherwise skip.
	for _, c := range seg {
		if c == '\r' || c == '\n' {
			return dst, errAssetEncoding
		}
	}
	out, err := b64.AppendDecode(dst, seg)
	if err != nil {
		return dst, errAssetEncoding
	}
	return out, nil
}

// checkAsset reports whether href can be signed.
func checkAsset(href string) error {
	if href == "" {
		return errAssetEmpty
	}
	if len(href) > MaxAssetLen {
		return errAssetTooLong
	}
	return nil
}

// ValidExt reports whether ext may be used as the extension of a signed
// URL: either "" or "." followed by 1..MaxExtLen characters [a-z0-9],
// such as ".jpg" or ".webp". The error wraps [ErrMalformed].
func ValidExt(ext string) error {
	if ext == "" {
		return nil
	}
	if len(ext) < 2 || len(ext) > 1+MaxExtLen || ext[0] != '.' {
		return errExt
	}
	for i := 1; i < len(ext); i++ {
		c := ext[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return errExt
		}
	}
	return nil
}

// splitExt splits the last path segment into asset segment and extension
// (with its dot). base64url has no '.', so the first '.' starts the
// extension.
func splitExt(last string) (asset, ext string) {
	if i := strings.IndexByte(last, '.'); i >= 0 {
		return last[:i], last[i:]
	}
	return last, ""
}
