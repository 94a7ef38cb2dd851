package urlsig

import (
	"strings"
	"time"
)

// Parsed is the content of a verified path.
type Parsed struct {
	// Options is the decoded option set; a present expiry is in UTC.
	Options Options
	// Asset is the asset href, as given to Sign.
	Asset string
	// Ext is the extension including its dot, such as ".jpg", or "".
	Ext string
}

// SignPath returns the signed path
// "{prefix}/{signature}/{options}/{asset}{ext}" for an option set, an
// asset href and an extension ("" or such as ".jpg"; see [ValidExt]).
// It fails if o does not validate ([ErrBadOptions]), or if assetHref is
// empty or longer than MaxAssetLen, or ext is invalid ([ErrMalformed]).
func (s *Signer) SignPath(o Options, assetHref, ext string) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	if err := checkAsset(assetHref); err != nil {
		return "", err
	}
	if err := ValidExt(ext); err != nil {
		return "", err
	}
	sc := getScratch()
	sc.b = append(sc.b[:0], assetHref...)
	rest := o.appendTo(sc.a[:0])
	rest = append(rest, '/')
	rest = b64.AppendEncode(rest, sc.b)
	rest = append(rest, ext...)
	sc.a = rest

	var sig [maxSigChars]byte
	n := s.encodeSig(rest, &sig)

	var out strings.Builder
	out.Grow(len(s.prefix) + 1 + n + 1 + len(rest))
	out.WriteString(s.prefix)
	out.WriteByte('/')
	out.Write(sig[:n])
	out.WriteByte('/')
	out.Write(rest)
	putScratch(sc)
	return out.String(), nil
}

// Sign is like [Signer.SignPath] but panics if the input is invalid. Use
// it when o, assetHref and ext are known to be valid, for instance when
// the options are built from validated values and ext is a constant.
func (s *Signer) Sign(o Options, assetHref, ext string) string {
	p, err := s.SignPath(o, assetHref, ext)
	if err != nil {
		panic(err)
	}
	return p
}

// Verify checks a signed path (the URL path, without query) and returns
// its content. Signed paths use only characters that URL escaping leaves
// alone, so r.URL.Path and r.URL.EscapedPath() both work. The steps, in
// order:
//
//  1. Split: the path must be at most MaxPathLen bytes, start with the
//     prefix and "/", and have exactly three non-empty segments after
//     it; otherwise [ErrMalformed].
//  2. Signature: the first segment must be the unpadded base64url
//     encoding of exactly MACLength bytes equal, compared in constant
//     time, to the truncated HMAC-SHA256 of everything after the
//     segment's trailing "/" under some configured key; otherwise
//     [ErrBadSignature]. Nothing else is parsed before this succeeds.
//  3. Options: the second segment must be canonical ([ErrBadOptions]);
//     the extension must be valid and the asset must be canonical
//     base64url ([ErrMalformed]).
//  4. Expiry: if the options carry one and now is not before it,
//     [ErrExpired].
//
// On any error the returned Parsed is the zero value.
func (s *Signer) Verify(path string, now time.Time) (Parsed, error) {
	if len(path) > MaxPathLen {
		return Parsed{}, errTooLong
	}
	pl := len(s.prefix)
	if len(path) <= pl || path[:pl] != s.prefix || path[pl] != '/' {
		return Parsed{}, errPrefix
	}
	r := path[pl+1:]
	i := strings.IndexByte(r, '/')
	if i < 0 {
		return Parsed{}, errFewSegments
	}
	sig, rest := r[:i], r[i+1:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return Parsed{}, errFewSegments
	}
	optSeg, last := rest[:j], rest[j+1:]
	if strings.IndexByte(last, '/') >= 0 {
		return Parsed{}, errManySegments
	}
	if sig == "" || optSeg == "" || last == "" {
		return Parsed{}, errEmptySegment
	}

	sc := getScratch()
	sc.a = append(sc.a[:0], rest...)
	if err := s.check(sig, sc.a); err != nil {
		putScratch(sc)
		return Parsed{}, err
	}

	opts, err := DecodeOptions(optSeg)
	if err != nil {
		putScratch(sc)
		return Parsed{}, err
	}
	assetSeg, ext := splitExt(last)
	if err := ValidExt(ext); err != nil {
		putScratch(sc)
		return Parsed{}, err
	}
	start := j + 1 // offset of the asset segment within rest and sc.a
	sc.b, err = decodeAsset(sc.b[:0], sc.a[start:start+len(assetSeg)])
	if err != nil {
		putScratch(sc)
		return Parsed{}, err
	}
	asset := string(sc.b)
	putScratch(sc)

	if !opts.Expires.IsZero() && !now.Before(opts.Expires) {
		return Parsed{}, ErrExpired
	}
	return Parsed{Options: opts, Asset: asset, Ext: ext}, nil
}
