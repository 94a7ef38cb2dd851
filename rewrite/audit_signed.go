package rewrite

import (
	"errors"
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/urlsig"
)

// Signature states of a signed URL.
const (
	sigVerified   = "verified"
	sigUnverified = "unverified"
	sigInvalid    = "invalid"
)

// signedURL is what a signed URL says.
type signedURL struct {
	asset            string
	sig              string
	problem, warning string
}

// parseSigned reads a fotoembed signed URL (any host, or none):
// .../{prefix}/{signature}/{options}/{asset}[.ext]. It reports false for
// any other URL.
func (a *auditRun) parseSigned(raw string) (signedURL, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return signedURL{}, false
	}
	i := strings.LastIndex(u.Path, a.prefix+"/")
	if i < 0 {
		return signedURL{}, false
	}
	segs := strings.Split(u.Path[i+len(a.prefix)+1:], "/")
	if len(segs) != 3 || !sigShaped(segs[0]) {
		return signedURL{}, false
	}
	opts, err := urlsig.DecodeOptions(segs[1])
	seg, ext, dot := strings.Cut(segs[2], ".")
	if err != nil || dot && urlsig.ValidExt("."+ext) != nil {
		return signedURL{}, false
	}
	asset, err := urlsig.DecodeAsset(seg)
	if err != nil || !strings.HasPrefix(asset, "/") && !strings.HasPrefix(asset, "http") {
		return signedURL{}, false
	}
	s := signedURL{asset: asset, sig: sigUnverified}
	if a.cfg.Signer != nil {
		s.sig = sigVerified
		if _, err := a.cfg.Signer.Verify(u.Path[i:], a.now); err != nil && !errors.Is(err, urlsig.ErrExpired) {
			s.sig = sigInvalid
			s.problem = "the signed URL's signature does not verify with the signing keys (" +
				strings.TrimPrefix(err.Error(), "urlsig: ") + "): the service answers 403"
		}
	}
	if exp := opts.Expires; !exp.IsZero() && s.problem == "" {
		if !a.now.Before(exp) {
			s.problem = "the signed URL expired at " + stamp(exp) + ": the service answers 410"
		} else if a.soon(exp) {
			s.warning = "the signed URL expires at " + stamp(exp) + " (in " + inTime(exp.Sub(a.now)) + ")"
		}
	}
	return s, true
}

// sigShaped reports whether seg can be a signature: base64url of
// urlsig.MinMACLength to urlsig.MaxMACLength bytes.
func sigShaped(seg string) bool {
	if len(seg) < 11 || len(seg) > 43 {
		return false
	}
	for _, c := range []byte(seg) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
