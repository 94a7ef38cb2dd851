package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPickerOriginDefaultPort: a picker origin configured with its
// scheme's default port is the origin browsers send without it.
func TestPickerOriginDefaultPort(t *testing.T) {
	e := pickerEnv(t, "HTTPS://CMS.example.com:443/")
	tok := e.mintToken(t, url.Values{"origin": {testCMSOrigin}})
	if tok.Origin != testCMSOrigin {
		t.Errorf("token origin %q, want %q", tok.Origin, testCMSOrigin)
	}
}

// TestConfigURLErrorsRedacted: a bad BaseURL or Origin is quoted in the
// error without its password or token.
func TestConfigURLErrorsRedacted(t *testing.T) {
	err := Config{BaseURL: "https://user:hunter2@img.example.com", Origin: "https://acme.fotoware.cloud/?access_token=hunter3"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "must not have user info") {
		t.Fatalf("Validate: %v", err)
	}
	if strings.Contains(err.Error(), "hunter") {
		t.Errorf("the error echoes a secret: %v", err)
	}
}

// TestParseFlagWords: boolean query parameters take the module's
// boolean words in any case, with white space trimmed; present without
// a value is true, absent false; anything else is a 400 naming the
// parameter and the value.
func TestParseFlagWords(t *testing.T) {
	for _, tt := range []struct {
		q    url.Values
		want string
	}{
		{url.Values{}, "false"},
		{url.Values{"figure": {""}}, "true"},
		{url.Values{"figure": {" On "}}, "true"},
		{url.Values{"figure": {"YES"}}, "true"},
		{url.Values{"figure": {"off"}}, "false"},
		{url.Values{"figure": {"No"}}, "false"},
		{url.Values{"figure": {"0"}}, "false"},
		{url.Values{"figure": {"t"}}, `figure: "t" is not a boolean`},
	} {
		b, err := parseFlag(tt.q, "figure")
		got := map[bool]string{true: "true", false: "false"}[b]
		if err != nil {
			got = err.Error()
			var he *httpError
			if !errors.As(err, &he) || he.status != http.StatusBadRequest {
				t.Errorf("%v: error %v is not a 400", tt.q, err)
			}
		}
		if got != tt.want && (err == nil || !strings.Contains(got, tt.want)) {
			t.Errorf("%v: got %q, want %q", tt.q, got, tt.want)
		}
	}
}
