package embed

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// URLToken is what goes on a FotoWeb URL handed to a browser (a redirect's
// Location or a direct <img src>), narrowest first.
type URLToken int

const (
	// URLTokenUnknown means no policy is in force: no form of the URL has
	// been shown to work, or the one that works was refused (see the
	// server's read-only check). FotoWeb URLs are not handed out.
	URLTokenUnknown URLToken = iota
	// URLTokenNone hands out the preview href exactly as FotoWeb gave it:
	// its own signature protects it.
	URLTokenNone
	// URLTokenPreview adds the asset's previewToken (a JWT scoped to that
	// one asset, valid for an hour) as access_token.
	URLTokenPreview
	// URLTokenAccess adds the live access token: whatever its user may do
	// through the FotoWeb API, every visitor may do. The last resort.
	URLTokenAccess
)

// String returns "unknown", "none", "preview" or "access".
func (t URLToken) String() string {
	switch t {
	case URLTokenNone:
		return "none"
	case URLTokenPreview:
		return "preview"
	case URLTokenAccess:
		return "access"
	}
	return "unknown"
}

// URLToken implements [URLTokenPolicy]: a fixed policy.
func (t URLToken) URLToken() URLToken { return t }

// ParseURLToken parses "none", "preview" or "access".
func ParseURLToken(s string) (URLToken, error) {
	for _, t := range []URLToken{URLTokenNone, URLTokenPreview, URLTokenAccess} {
		if s == t.String() {
			return t, nil
		}
	}
	return URLTokenUnknown, fmt.Errorf("embed: unknown URL token policy %q (want none, preview or access)", s)
}

// URLTokenPolicy says which [URLToken] is in force now. A URLToken is a
// fixed policy; a prober that finds out what the FotoWeb instance accepts
// (package urltoken) changes its answer as it learns.
type URLTokenPolicy interface {
	URLToken() URLToken
}

// PreviewTokenLife is how long FotoWeb's previewTokens live; it stands in
// for the expiry of one whose exp claim cannot be read.
const PreviewTokenLife = time.Hour

// previewTokenExpiry returns when a previewToken (a JWT) fetched at
// fetched expires by this machine's clock: fetched plus its lifetime
// (exp - iat, so that a skewed clock on either side does not matter), or
// its exp when it has no iat. Its signature is not checked (only FotoWeb
// can). A token whose claims cannot be read is taken to live
// PreviewTokenLife.
func previewTokenExpiry(tok string, fetched time.Time) time.Time {
	fallback := fetched.Add(PreviewTokenLife)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fallback
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return fallback
	}
	var claims struct {
		Exp, Iat json.Number
	}
	if json.Unmarshal(raw, &claims) != nil {
		return fallback
	}
	exp, err := claims.Exp.Float64()
	if err != nil || exp <= 0 || exp > 1<<40 {
		return fallback
	}
	if iat, err := claims.Iat.Float64(); err == nil && iat > 0 && iat < exp {
		return fetched.Add(time.Duration(exp-iat) * time.Second)
	}
	return time.Unix(int64(exp), 0)
}

// MarshalText writes the policy's name, so that JSON shows "preview".
func (t URLToken) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a policy's name ("unknown" included).
func (t *URLToken) UnmarshalText(b []byte) error {
	if string(b) == URLTokenUnknown.String() {
		*t = URLTokenUnknown
		return nil
	}
	v, err := ParseURLToken(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
