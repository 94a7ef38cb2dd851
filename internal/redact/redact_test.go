package redact

import (
	"net/url"
	"strings"
	"sync"
	"testing"
)

// tok is an opaque token with characters that encoders escape.
const tok = "Op4que+tok/en=="

// jwt looks like a FotoWeb access token.
const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxNTAwMSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

// carriers are texts that carry the secret sec by pattern (no
// configured secret), before encoding.
func carriers(sec string) []string {
	return []string{
		"access_token=" + sec,
		"https://acme.fotoware.cloud/fotoweb/archives/5001/a.jpg.info?x=1&access_token=" + sec + "&y=2",
		"ref=/fotoweb/archives/5001/a.jpg.info?ACCESS_TOKEN=" + sec,
		"refresh_token=" + sec + "&grant_type=refresh_token",
		"grant_type=client_credentials&client_secret=" + sec,
		"grant_type=authorization_code&code=" + sec + "&code_verifier=" + sec,
		"https://app.example/cb?state=s&code=" + sec,
		`{"access_token":"` + sec + `","token_type":"bearer"}`,
		`{"refresh_token": "` + sec + `"}`,
		`{"client_secret" : "` + sec + `", "code":"` + sec + `"}`,
		`{"code_verifier":"` + sec + `"}`,
		"Authorization: Bearer " + sec,
		"authorization: bearer " + sec + " rest",
		"FWAPIToken: " + sec,
		"x-api-key=" + sec,
		"/v1/embed?key=" + sec,
	}
}

func TestStringForms(t *testing.T) {
	for _, sec := range []string{tok, jwt, "plainopaque123456"} {
		for _, c := range carriers(sec) {
			for _, f := range forms {
				in := "GET /oembed?url=" + f.enc(c) + " 400"
				out := String(in)
				if leaks(out, sec) {
					t.Errorf("%s: String(%q) = %q keeps the secret", f.name, in, out)
				}
				if !strings.Contains(out, Marker) {
					t.Errorf("%s: String(%q) = %q has no marker", f.name, in, out)
				}
			}
		}
	}
}

func TestJWTAnywhere(t *testing.T) {
	for _, in := range []string{"token " + jwt + " expired", "/bad/" + jwt + "/x", `{"href":"` + jwt + `"}`} {
		for _, f := range forms {
			if out := String(f.enc(in)); strings.Contains(out, "eyJzdWIiOiIxNTAwMSJ9") {
				t.Errorf("%s: String(%q) = %q", f.name, f.enc(in), out)
			}
		}
	}
}

func TestRedactorForms(t *testing.T) {
	secrets := []string{"APIKEY-test-0123456789abcdef", "hook secret/with+odd=chars&\"q\"", "ké-ÿ-signing✓"}
	r := New(secrets...)
	for _, sec := range secrets {
		for _, f := range forms {
			for _, in := range []string{
				"/hooks/fotoweb/" + f.enc(sec) + "?x=1",
				"prefix " + f.enc(sec) + " suffix",
				`{"note":"` + f.enc(sec) + `"}`,
				"a=1&other=" + f.enc(sec),
				f.enc("https://u:" + sec + "@host/p/" + sec),
			} {
				if out := r.String(in); leaks(out, sec) {
					t.Errorf("%s: String(%q) = %q keeps %q", f.name, in, out, sec)
				}
			}
		}
	}
}

func TestUnchanged(t *testing.T) {
	r := New("configured-secret-1")
	for _, s := range []string{
		"", "GET /fotoweb/archives/5000-All-files/ 404",
		"/i/api_DThT6qCwil-3661Rke_8JLYwePVQi4KX0XhZvkw/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg",
		"/v1/embed?ref=%2Ffotoweb%2Farchives%2F5001%2Fa.jpg.info&width=800",
		`{"error":"not found","status":404,"error_code":"x"}`,
		"status code: 502", "token_type=bearer", `"token_type":"bearer"`,
	} {
		if got := r.String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestMarkerKeepsNames(t *testing.T) {
	for in, want := range map[string]string{
		"/x?a=1&access_token=abc&b=2":    "/x?a=1&access_token=" + Marker + "&b=2",
		`{"access_token": "abc", "n":1}`: `{"access_token": "` + Marker + `", "n":1}`,
		"Authorization: Bearer abc":      "Authorization: Bearer " + Marker,
		"ref=%2Fx%3Faccess_token%3Dabc":  "ref=%2Fx%3Faccess_token%3D" + Marker,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	r := New("s3cret-pass")
	for in, want := range map[string]string{
		"redis://:s3cret-pass@host:6379/2":              "redis://host:6379/2",
		"https://user:pw@h.example/p?a=1&token=t&b=2#x": "https://h.example/p?a=1&token=" + Marker + "&b=2#x",
		"https://h.example/cb#access_token=abc&state=s": "https://h.example/cb#access_token=" + Marker + "&state=s",
		"/v1/embed?API_KEY=k&ref=%2Fa%3Fcode%3Dc":       "/v1/embed?API_KEY=" + Marker + "&ref=%2Fa%3Fcode%3D" + Marker,
		"http://u:s3cret-pass@h%zz/":                    "http://h%zz/",
		"/x?%2561ccess_token=abc":                       "/x?%2561ccess_token=" + Marker,
	} {
		if got := r.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := URL("https://a.example/x?y=1"); got != "https://a.example/x?y=1" {
		t.Errorf("URL changed a harmless URL: %q", got)
	}
	if got := Query(url.Values{"client_secret": {"x"}, "n": {"1"}}.Encode()); got != "client_secret="+Marker+"&n=1" {
		t.Errorf("Query = %q", got)
	}
}

func TestConcurrent(t *testing.T) {
	r := New("concurrent-secret-1", "another-secret-2")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if out := r.String("x=concurrent-secret-1 y=" + url.QueryEscape("another-secret-2")); leaks(out, "concurrent-secret-1") {
					t.Errorf("leak: %q", out)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.String("access_token=abc"); got != "access_token="+Marker {
		t.Errorf("nil Redactor: %q", got)
	}
}

// leaks reports whether out still holds sec in any of the forms.
func leaks(out, sec string) bool {
	for _, f := range forms {
		if e := f.enc(sec); e != "" && strings.Contains(out, e) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(out), strings.ToLower(url.QueryEscape(sec))) &&
		len(sec) >= MinSecretLen && !strings.Contains(strings.ToLower(Marker), strings.ToLower(sec))
}
