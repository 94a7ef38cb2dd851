package fotoweb

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxNTAwMSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	secrets := []string{
		"secret-token-value", jwt, "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "opaque-refresh-123",
		"hunter2hunter2",
	}
	inputs := []string{
		"GET /fotoweb/me?access_token=secret-token-value&x=1",
		"access_token%3Dsecret-token-value",
		`{"access_token":"secret-token-value","token_type":"bearer","refresh_token": "opaque-refresh-123"}`,
		"Authorization: Bearer secret-token-value",
		"authorization: bearer " + jwt,
		"token " + jwt + " expired",
		"refresh_token=opaque-refresh-123",
		"client_secret=hunter2hunter2&grant_type=client_credentials",
		`{"previewToken": "` + jwt + `"}`,
		"FWAPIToken: hunter2hunter2",
	}
	for _, in := range inputs {
		out := redact(in)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("redact(%q) = %q still holds %q", in, out, s)
			}
		}
	}
	if got := redact("GET /fotoweb/archives/5000-All-files/ 404"); got != "GET /fotoweb/archives/5000-All-files/ 404" {
		t.Errorf("redact changed a harmless string: %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	const tok = "plain-opaque-token-1234"
	body := []byte("<html>\n<body>denied for " + tok + " and " + strings.Repeat("x", 1000) + "</body>")
	got := excerpt(body, tok)
	if strings.Contains(got, tok) {
		t.Errorf("excerpt leaks exact token: %q", got)
	}
	if strings.ContainsAny(got, "\n\r") || len(got) > maxExcerpt+len("…") {
		t.Errorf("excerpt not short single line: %d %q", len(got), got)
	}
	// Cut across a multi-byte rune stays valid UTF-8.
	got = excerpt([]byte(strings.Repeat("ø", 300)))
	if !strings.HasSuffix(got, "…") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("excerpt of runes: %q", got)
	}
}
