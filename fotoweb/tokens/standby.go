package tokens

import (
	"time"

	"golang.org/x/oauth2"
)

// A login may hold a standby: the refresh token of a second, independent
// authorization of the same user (`fotoembed login` asks FotoWeb twice).
// FotoWeb rotates a refresh token before its answer reaches the client, so
// a crash, a lost answer or a network cut in that window kills the refresh
// token in use, and no client can close that window. The standby belongs
// to another token family, untouched by that rotation: RefreshSource falls
// back to it when every copy of the refresh token in use is rejected, and
// says so, so that one such loss is a warning to log in again rather than
// an outage.
//
// A standby travels with the token it belongs to, as extra fields of the
// *oauth2.Token that TokenStores load and save; stores keep it with
// [Standby] and [WithStandby]. It is never handed to callers of Token.

// Extra-field names of the standby in an *oauth2.Token.
const (
	extraStandby       = "fotoembed_standby_refresh_token"
	extraStandbyIssued = "fotoembed_standby_issued"
)

// Standby returns the standby refresh token t carries and when it was
// issued; "" when there is none.
func Standby(t *oauth2.Token) (refreshToken string, issued time.Time) {
	if t == nil {
		return "", time.Time{}
	}
	rt, _ := t.Extra(extraStandby).(string)
	issued, _ = t.Extra(extraStandbyIssued).(time.Time)
	return rt, issued
}

// WithStandby returns a copy of t carrying refreshToken as its standby
// ("" for none), issued at issued. The copy has no other extra fields.
func WithStandby(t *oauth2.Token, refreshToken string, issued time.Time) *oauth2.Token {
	c := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry, ExpiresIn: t.ExpiresIn}
	if refreshToken == "" {
		return c
	}
	return c.WithExtra(map[string]any{extraStandby: refreshToken, extraStandbyIssued: issued})
}

// withStandbyOf returns t carrying the standby of from.
func withStandbyOf(t, from *oauth2.Token) *oauth2.Token {
	rt, issued := Standby(from)
	return WithStandby(t, rt, issued)
}

// Newer reports whether token record a is more recent than b (a nil b:
// yes). It compares what each holds, not when it was written: the later
// access-token expiry wins (a refresh or a new login always moves it
// forward); at equal expiry the later standby wins (a standby was added
// or renewed). Stores that keep copies of one login use it to pick the
// copy to trust and to repair the others.
func Newer(a, b *oauth2.Token) bool {
	if a == nil {
		return false
	}
	if b == nil {
		return true
	}
	if !a.Expiry.Equal(b.Expiry) {
		return a.Expiry.After(b.Expiry)
	}
	_, ai := Standby(a)
	_, bi := Standby(b)
	return ai.After(bi)
}
