package embed

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/internal/redact"
	"github.com/fotoembed/fotoembed/urlsig"
)

// urlMemo holds, for one Info, one signer and one expiry, the signed path
// of every preview: signing is the costly part of rendering, and a signed
// path holds no token, so it may live as long as the Info. An Info keeps
// two: one without expiry and one for the latest expiry (expiring URLs
// are rounded to the minute, so one expiry serves many renders). A memo
// is immutable once published. A [MemoryStore] does not keep it: it lives
// with the Info handed out, as long as that is in use (see
// [MemoryStore.Get]).
type urlMemo struct {
	signer *urlsig.Signer
	exp    int64    // Unix seconds, 0 for none
	paths  []string // by preview index
	safe   bool     // every path can be written into an attribute unescaped
}

// signedPath returns the signed path (without base URL) of preview i with
// expiry exp (Unix seconds, 0 for none).
func (in *Info) signedPath(s *urlsig.Signer, i int, exp int64) (string, error) {
	m, err := in.memoFor(s, exp)
	if err != nil {
		return "", err
	}
	return m.paths[i], nil
}

// memoFor returns the memo for signer s and expiry exp, making it if
// needed.
func (in *Info) memoFor(s *urlsig.Signer, exp int64) (*urlMemo, error) {
	slot := &in.memo
	if exp != 0 {
		slot = &in.memoExp
	}
	if m := slot.Load(); m != nil && m.signer == s && m.exp == exp {
		return m, nil
	}
	m := &urlMemo{signer: s, exp: exp, paths: make([]string, len(in.Previews)), safe: true}
	for j, p := range in.Previews {
		path, err := s.SignPath(previewOptions(p, exp), in.Href, previewExt(p.Href))
		if err != nil {
			return nil, err
		}
		m.paths[j] = path
		m.safe = m.safe && attrSafe(path)
	}
	slot.Store(m)
	return m, nil
}

// previewOptions are the signed options that mean preview p: its true
// width (and square flag), so that [Info.ChooseFor] finds p again.
func previewOptions(p Preview, exp int64) urlsig.Options {
	o := urlsig.Options{Width: p.Width, Square: p.Square}
	if exp != 0 {
		o.Expires = unixTime(exp)
	}
	return o
}

// previewExt returns the lower-case extension of a preview href's path,
// such as ".jpg", or "" when it has none that urlsig accepts.
func previewExt(href string) string {
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		href = href[:i]
	}
	i := strings.LastIndexByte(href, '.')
	if i < 0 || strings.IndexByte(href[i:], '/') >= 0 {
		return ""
	}
	ext := href[i:]
	if urlsig.ValidExt(ext) == nil {
		return ext
	}
	ext = strings.ToLower(ext)
	if urlsig.ValidExt(ext) == nil {
		return ext
	}
	return ""
}

// normBase checks a public base URL, an absolute http(s) URL ([origin.Base])
// or a root-relative path, and strips trailing "/"s; "" stays "".
func normBase(base string) (string, error) {
	trimmed := strings.TrimRight(base, "/")
	switch {
	case trimmed == "":
		return "", nil
	case !strings.HasPrefix(base, "/") || strings.HasPrefix(base, "//"):
		b, _, err := origin.Base(base)
		return b, err
	}
	if u, err := url.Parse(base); err != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q is neither an absolute http(s) URL nor a root-relative path without query or fragment", redact.URL(base))
	}
	return trimmed, nil
}
