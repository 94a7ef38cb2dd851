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
