package urlsig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits on option values. Values outside them cannot be encoded.
const (
	// MaxWidth is the largest encodable Options.Width.
	MaxWidth = 65535
	// MaxRenditionLen is the longest encodable Options.Rendition, in bytes.
	MaxRenditionLen = 32
	// MaxExpiry is the latest encodable Options.Expires, in Unix seconds
	// (9999-12-31T23:59:59Z).
	MaxExpiry = 253402300799
	// EmptyOptions is the options segment of the empty option set.
	EmptyOptions = "_"
)

// Options is the option set carried in a signed URL. The zero value is
// the empty option set, encoded as [EmptyOptions].
type Options struct {
	// Width is the requested pixel width, 1..MaxWidth; 0 means
	// unspecified (the server's default).
	Width int
	// Square requests a square-cropped preview.
	Square bool
	// Rendition names a rendition: 1..MaxRenditionLen characters from
	// [a-z0-9_]. "" means a preview chosen by Width. The hyphen is not
	// allowed because it separates option tokens.
	Rendition string
	// Expires is the instant from which the URL is refused with
	// [ErrExpired]. The zero Time means never. It is carried as whole
	// Unix seconds: the sub-second part is dropped, and the Unix time
	// must be in 1..MaxExpiry.
	Expires time.Time
}

// Validate reports whether o can be encoded. The error wraps
// [ErrBadOptions].
func (o Options) Validate() error {
	if o.Width < 0 || o.Width > MaxWidth {
		return fmt.Errorf("%w: width %d outside 0..%d", ErrBadOptions, o.Width, MaxWidth)
	}
	if o.Rendition != "" && !validRendition(o.Rendition) {
		return fmt.Errorf("%w: rendition %q is not 1..%d characters [a-z0-9_]", ErrBadOptions, o.Rendition, MaxRenditionLen)
	}
	if !o.Expires.IsZero() {
		if u := o.Expires.Unix(); u < 1 || u > MaxExpiry {
			return fmt.Errorf("%w: expiry %d outside 1..%d Unix seconds", ErrBadOptions, u, MaxExpiry)
		}
	}
	return nil
}

// Encode returns the canonical options segment for o, for example
// "w800-sq-rorig-x1767225600", or [EmptyOptions] for the empty set. The
// result is canonical (accepted by [DecodeOptions]) only if o.Validate
// returns nil.
func (o Options) Encode() string {
	var buf [64]byte
	return string(o.appendTo(buf[:0]))
}

// appendTo appends the canonical options segment to dst.
func (o Options) appendTo(dst []byte) []byte {
	start := len(dst)
	sep := func(dst []byte, key string) []byte {
		if len(dst) > start {
			dst = append(dst, '-')
		}
		return append(dst, key...)
	}
	if o.Width != 0 {
		dst = strconv.AppendInt(sep(dst, "w"), int64(o.Width), 10)
	}
	if o.Square {
		dst = sep(dst, "sq")
	}
	if o.Rendition != "" {
		dst = append(sep(dst, "r"), o.Rendition...)
	}
	if !o.Expires.IsZero() {
		dst = strconv.AppendInt(sep(dst, "x"), o.Expires.Unix(), 10)
	}
	if len(dst) == start {
		dst = append(dst, EmptyOptions...)
	}
	return dst
}

var (
	errOptEmpty = fmt.Errorf("%w: empty segment", ErrBadOptions)
	errOptToken = fmt.Errorf("%w: empty token (leading, trailing or doubled '-')", ErrBadOptions)
)

// DecodeOptions parses a canonical options segment. It accepts exactly
// the strings that [Options.Encode] produces for valid option sets, so
// DecodeOptions(s) succeeding implies Encode() == s. Any other spelling
// (leading zeros, out-of-order or repeated keys, unknown keys, zero
// values, empty values or tokens, wrong case) is rejected with an error
// wrapping [ErrBadOptions]. A decoded expiry is in UTC.
func DecodeOptions(seg string) (Options, error) {
	var o Options
	if seg == EmptyOptions {
		return o, nil
	}
	if seg == "" {
		return o, errOptEmpty
	}
	stage := 0 // 1 w, 2 sq, 3 r, 4 x: keys must appear in strictly increasing stage
	for rest := seg; ; {
		tok := rest
		i := strings.IndexByte(rest, '-')
		if i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		}
		if tok == "" {
			return Options{}, errOptToken
		}
		var st int
		switch tok[0] {
		case 'w':
			st = 1
		case 's':
			st = 2
		case 'r':
			st = 3
		case 'x':
			st = 4
		default:
			return Options{}, fmt.Errorf("%w: unknown option %q", ErrBadOptions, tok)
		}
		if st <= stage {
			return Options{}, fmt.Errorf("%w: option %q repeated or out of order (order is w, sq, r, x)", ErrBadOptions, tok)
		}
		stage = st
		val := tok[1:]
		switch st {
		case 1:
			n, err := parseDecimal(val, MaxWidth)
			if err != nil {
				return Options{}, fmt.Errorf("%w: width %q: %w", ErrBadOptions, val, err)
			}
			o.Width = int(n)
		case 2:
			if tok != "sq" {
				return Options{}, fmt.Errorf("%w: unknown option %q", ErrBadOptions, tok)
			}
			o.Square = true
		case 3:
			if !validRendition(val) {
				return Options{}, fmt.Errorf("%w: rendition %q is not 1..%d characters [a-z0-9_]", ErrBadOptions, val, MaxRenditionLen)
			}
			o.Rendition = val
		case 4:
			n, err := parseDecimal(val, MaxExpiry)
			if err != nil {
				return Options{}, fmt.Errorf("%w: expiry %q: %w", ErrBadOptions, val, err)
			}
			o.Expires = time.Unix(n, 0).UTC()
		}
		if i < 0 {
			return o, nil
		}
	}
}

var (
	errNumEmpty   = errors.New("empty number")
	errNumDigit   = errors.New("not a decimal number")
	errNumZero    = errors.New("zero or leading zero")
	errNumTooHigh = errors.New("too large")
)

// parseDecimal parses a positive decimal number without sign or leading
// zeros that is at most max.
func parseDecimal(s string, max int64) (int64, error) {
	if s == "" {
		return 0, errNumEmpty
	}
	if s[0] == '0' {
		return 0, errNumZero
	}
	if len(s) > 18 { // far above any max used here; keeps n from overflowing
		return 0, errNumTooHigh
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errNumDigit
		}
		n = n*10 + int64(c-'0')
	}
	if n > max {
		return 0, errNumTooHigh
	}
	return n, nil
}

// validRendition reports whether s is 1..MaxRenditionLen characters
// from [a-z0-9_].
func validRendition(s string) bool {
	if len(s) == 0 || len(s) > MaxRenditionLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
