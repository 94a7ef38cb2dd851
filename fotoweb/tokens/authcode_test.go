package tokens

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestAuthCodeURL(t *testing.T) {
	cfg := AuthCodeConfig{BaseURL: "https://acme.fotoware.cloud/fotoweb/", ClientID: "my app", RedirectURL: "http://127.0.0.1:8765/callback", ClientSecret: "hush-hush"}
	verifier, state := NewVerifier(), NewState()
	u, err := url.Parse(cfg.AuthCodeURL(state, verifier))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != "https://acme.fotoware.cloud/fotoweb/oauth2/authorize" {
		t.Errorf("endpoint %s", got)
	}
	sum := sha256.Sum256([]byte(verifier))
	want := url.Values{
		"response_type":         {"code"},
		"client_id":             {"my app"},
		"redirect_uri":          {"http://127.0.0.1:8765/callback"},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if got := u.Query(); got.Encode() != want.Encode() {
		t.Errorf("query\n got %s\nwant %s", got.Encode(), want.Encode())
	}
	if strings.Contains(u.String(), "hush-hush") || strings.Contains(u.String(), verifier) {
		t.Error("authorize URL carries the secret or the verifier")
	}

	// Without a verifier (a confidential client not using PKCE) there is no challenge.
	u, _ = url.Parse(cfg.AuthCodeURL("s", ""))
	if u.Query().Has("code_challenge") || u.Query().Has("code_challenge_method") {
		t.Errorf("challenge without verifier: %s", u)
	}
}

func TestRandomValues(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		v, s := NewVerifier(), NewState()
		if len(v) < 43 || len(v) > 128 || len(s) < 22 || seen[v] || seen[s] {
			t.Fatalf("verifier %q state %q: bad length or repeated", v, s)
		}
		seen[v], seen[s] = true, true
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://acme.fotoware.cloud":          "https://acme.fotoware.cloud",
		"https://acme.fotoware.cloud/":         "https://acme.fotoware.cloud",
		"https://acme.fotoware.cloud/fotoweb":  "https://acme.fotoware.cloud",
		"https://acme.fotoware.cloud/fotoweb/": "https://acme.fotoware.cloud",
		"http://127.0.0.1:8080":                "http://127.0.0.1:8080",
		"HTTPS://ACME.fotoware.cloud:443/":     "https://acme.fotoware.cloud",
		"":                                     "error",
		"acme.fotoware.cloud":                  "error",
		"ftp://acme":                           "error",
		"https://acme/other":                   "error",
		"https://user:pw@acme":                 "error",
		"https://acme/?access_token=xyz":       "error",
	} {
		got, err := origin(in)
		if err != nil {
			got = "error"
			if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "xyz") {
				t.Errorf("origin(%q) error echoes credentials: %v", in, err)
			}
		}
		if got != want {
			t.Errorf("origin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	err := ClientCredentialsConfig{ClientSecret: "top-secret-value"}.Validate()
	if err == nil {
		t.Fatal("empty config valid")
	}
	for _, want := range []string{"tokens: ", "BaseURL", "ClientID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "top-secret-value") || strings.Contains(err.Error(), "ClientSecret") {
		t.Errorf("%q mentions the (present) secret", err)
	}
	if err := (ClientCredentialsConfig{BaseURL: "https://a", ClientID: "id"}).Validate(); err == nil || !strings.Contains(err.Error(), "ClientSecret is missing") {
		t.Errorf("missing secret: %v", err)
	}
	if _, err := ClientCredentials(ClientCredentialsConfig{}, Options{}); err == nil {
		t.Error("ClientCredentials accepted an empty config")
	}
	err = AuthCodeConfig{BaseURL: "https://a", RedirectURL: "/relative"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "ClientID") || !strings.Contains(err.Error(), "RedirectURL") {
		t.Errorf("auth code config: %v", err)
	}
	if err := (AuthCodeConfig{BaseURL: "https://a", ClientID: "c", RedirectURL: "http://127.0.0.1:1/cb"}).Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
