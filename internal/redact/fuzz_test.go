package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedact plants a configured secret, in every form, in random
// surrounding text and checks that it never survives; and that text
// that cannot hold a secret comes back unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("GET /oembed?url=", "hunter2-secret", " 400")
	f.Add(`{"href":"`, `a"b\c/d e`, `"}`)
	f.Add("ref=/x?access_token%3D", "eyJhbGciOi.eyJzdWIi.sig", "&width=800")
	f.Add("", "ké-ÿ✓ secret", "")
	f.Add("%25", "%2F%2Fab", "5c")
	f.Add("\\\\", "line\nfeed\ttab", "u0022")
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string) {
		if len(secret) < MinSecretLen || !utf8.ValidString(secret) || strings.ContainsRune(secret, 0) {
			t.Skip()
		}
		r := New(secret)
		for _, fm := range forms {
			out := r.String(prefix + fm.enc(secret) + suffix)
			// Markers become NULs, which no secret holds, so that text
			// left beside a marker cannot pass for a secret.
			out = strings.ReplaceAll(out, Marker, "\x00")
			for _, g := range forms {
				if e := g.enc(secret); strings.Contains(out, e) {
					t.Fatalf("%s planted: %q survives as %s in %q", fm.name, secret, g.name, out)
				}
			}
		}
		// Text without the secret's bytes and without what any pattern
		// needs holds no secret: it must come back unchanged.
		clean := strings.Map(func(c rune) rune {
			if strings.ContainsRune(secret, c) || strings.ContainsRune("%\\=\"+.", c) || c <= ' ' || c >= utf8.RuneSelf {
				return -1
			}
			return c
		}, prefix+suffix)
		if got := r.String(clean); got != clean {
			t.Fatalf("String(%q) = %q, want it unchanged", clean, got)
		}
	})
}

// FuzzMayHoldSecret checks String's fast path: whenever mayHoldSecret
// says no, no pattern matches, so skipping them changes nothing.
func FuzzMayHoldSecret(f *testing.F) {
	for _, s := range []string{
		"/i/api_DThT6qCwil-3661Rke_8JLYwePVQi4KX0XhZvkw/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg",
		"/v1/embed?ref=%2Ffotoweb%2Farchives&access_token=abc", "x?token%3Dabc", "x?TOKEN%3dabc",
		`{"access_token": "abc"}`, "Authorization: Bearer abc", "BASIC abc", "baſic abc", "fwapitoken: x",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "0123456789abcdef.0123456789abcdef.01234567",
		"key=", "", "plain text without secrets", "/v1/embed?ref=%2Ffotoweb%2Fa.info&width=800",
		"x?code_verifier=abc", "x?Client_Secret%3Dabc", "x?password=p", "x?apikey=k", "x?refresh_TOKEN=t", "x?ke\u212a=k",
		"xbearerabc", "Bearer+abc", "basic%20abc", "fwapitoken%3Aabc", "FWAPIToken:abc", "bearer",
		"/i/x/eyJabc.jpg", "eyJeyJeyJ", "eyJ-eyJ_x.y", `token\u003dabc`, `\"token\":\"abc\"`, "%22token%22%3A%22abc", "x%3Fcode%253Dabc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if mayHoldSecret(s) {
			return
		}
		for _, p := range patterns {
			if p.re.MatchString(s) {
				t.Fatalf("mayHoldSecret(%q) is false, but %v matches", s, p.re)
			}
		}
	})
}
