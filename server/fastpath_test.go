package server

import "testing"

// FuzzMayHoldSecret checks redactText's fast path: whenever mayHoldSecret
// says no, no secret pattern matches, so skipping them changes nothing.
func FuzzMayHoldSecret(f *testing.F) {
	for _, s := range []string{
		"/i/api_DThT6qCwil-3661Rke_8JLYwePVQi4KX0XhZvkw/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg",
		"/v1/embed?ref=%2Ffotoweb%2Farchives&access_token=abc", "x?token%3Dabc", "x?TOKEN%3dabc",
		`{"access_token": "abc"}`, "Authorization: Bearer abc", "BASIC abc", "baſic abc",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "/HOOKS/fotoweb/secret", "/hooks/fotoweb/secret",
		"/hoo\u212as/fotoweb/x", "key=", "", "plain text without secrets", "/v1/embed?ref=%2Ffotoweb%2Fa.info&width=800",
		"x?code_verifier=abc", "x?Client_Secret%3Dabc", "x?password=p", "x?apikey=k", "x?refresh_TOKEN=t", "x?ke\u212a=k",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if mayHoldSecret(s) {
			return
		}
		for _, p := range secretPatterns {
			if p.re.MatchString(s) {
				t.Fatalf("mayHoldSecret(%q) is false, but %v matches", s, p.re)
			}
		}
	})
}

// FuzzOnOriginFast checks checkOnOrigin's fast path: whatever it accepts,
// the full check accepts too.
func FuzzOnOriginFast(f *testing.F) {
	f.Add("http://127.0.0.1:8081/fotoweb/cache/v2/a/b.jpg?access_token=x%2By", "http://127.0.0.1:8081")
	f.Add("https://acme.fotoware.cloud/x%zz", "https://acme.fotoware.cloud")
	f.Add("http://[fe80::1%25en0]:80/x", "http://[fe80::1%en0]:80")
	f.Add("http://a.example/\\evil", "http://a.example")
	f.Add("https://a.example:443/x#%41", "https://a.example:443")
	f.Fuzz(func(t *testing.T, loc, origin string) {
		origin = normOrigin(origin)
		if onOriginFast(loc, origin) && !onOrigin(loc, origin) {
			t.Fatalf("onOriginFast(%q, %q) accepts what onOrigin refuses", loc, origin)
		}
	})
}
