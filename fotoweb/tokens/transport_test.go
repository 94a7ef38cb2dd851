package tokens

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// recordedBody is the shape of a recorded FotoWeb SaaS token response.
const recordedBody = `{"access_token":"eyJhbGciOi.x.y","token_type":"bearer","expires_in":28800.000000,"refresh_token":"rt-1"}`

func TestNormalizeExpiresIn(t *testing.T) {
	tests := []struct {
		name, contentType, in string
		want                  string // "" = unchanged
	}{
		{"decimal", "application/json", recordedBody, `{"access_token":"eyJhbGciOi.x.y","expires_in":28800,"refresh_token":"rt-1","token_type":"bearer"}`},
		{"charset and exponent", "application/json; charset=utf-8", `{"access_token":"a","expires_in":2.88e4}`, `{"access_token":"a","expires_in":28800}`},
		{"quoted decimal", "application/json", `{"access_token":"a","expires_in":"3600.5"}`, `{"access_token":"a","expires_in":3600}`},
		{"below one second", "application/json", `{"access_token":"a","expires_in":0.25}`, `{"access_token":"a","expires_in":1}`},
		{"no content type is JSON", "", `{"access_token":"a","expires_in":60.0}`, `{"access_token":"a","expires_in":60}`},
		{"keeps html characters", "application/json", `{"access_token":"a<b>&","expires_in":60.0,"x":{"y":[1,2.5]}}`, `{"access_token":"a<b>&","expires_in":60,"x":{"y":[1,2.5]}}`},
		{"form", "application/x-www-form-urlencoded", `access_token=a&expires_in=3600.000000`, `access_token=a&expires_in=3600`},
		{"integer untouched", "application/json", `{"access_token":"a", "expires_in":28800}`, ""},
		{"quoted integer untouched", "application/json", `{"access_token":"a","expires_in":"28800"}`, ""},
		{"no expires_in", "application/json", `{"access_token":"a"}`, ""},
		{"null", "application/json", `{"access_token":"a","expires_in":null}`, ""},
		{"error body", "application/json", `{"error":"invalid_grant","error_description":"Refresh token 1.5 expired"}`, ""},
		{"html error page", "text/html", `<html><body>503 expires_in 1.5</body></html>`, ""},
		{"array", "application/json", `[{"expires_in":1.5}]`, ""},
		{"not a number", "application/json", `{"expires_in":"soon.ish"}`, ""},
		{"form integer", "text/plain", `access_token=a&expires_in=3600`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := normalizeExpiresIn(tt.contentType, []byte(tt.in))
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if changed != (tt.want != "") || string(got) != want {
				t.Errorf("normalizeExpiresIn(%q)\n got %s (changed %v)\nwant %s", tt.in, got, changed, want)
			}
		})
	}
}

// serveBody answers every request with body as JSON.
func serveBody(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPlainOAuth2FailsOnDecimalExpiresIn proves the transport necessary:
// x/oauth2 alone cannot parse FotoWeb's recorded token response.
func TestPlainOAuth2FailsOnDecimalExpiresIn(t *testing.T) {
	srv := serveBody(t, http.StatusOK, recordedBody)
	cc := &clientcredentials.Config{ClientID: "id", ClientSecret: "secret", TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}

	plain := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
	if tok, err := cc.Token(plain); err == nil {
		t.Fatalf("plain x/oauth2 parsed expires_in 28800.000000 (token expiry %v); the transport may no longer be needed", tok.Expiry)
	}

	fixed := context.WithValue(context.Background(), oauth2.HTTPClient, HTTPClient(srv.Client()))
	tok, err := cc.Token(fixed)
	if err != nil {
		t.Fatalf("with HTTPClient: %v", err)
	}
	if expiresIn(tok) != 28800 || tok.AccessToken != "eyJhbGciOi.x.y" || tok.RefreshToken != "rt-1" || tok.Type() != "Bearer" {
		t.Errorf("token = %+v", tok)
	}
}

func TestTransportResponse(t *testing.T) {
	srv := serveBody(t, http.StatusOK, recordedBody)
	c := HTTPClient(nil)
	if HTTPClient(c).Transport != c.Transport {
		t.Error("HTTPClient wrapped its own transport twice")
	}
	if c.Timeout != DefaultTimeout {
		t.Errorf("default timeout = %v", c.Timeout)
	}
	resp, err := c.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.ContentLength != int64(len(b)) || resp.Header.Get("Content-Length") != itoa(len(b)) {
		t.Errorf("Content-Length %d / %q for %d bytes", resp.ContentLength, resp.Header.Get("Content-Length"), len(b))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["expires_in"] != float64(28800) || m["token_type"] != "bearer" {
		t.Errorf("body %s (%v)", b, err)
	}
}

// TestTransportKeepsErrorBodies: an RFC 6749 error still reaches x/oauth2
// intact, so its code and description survive.
func TestTransportKeepsErrorBodies(t *testing.T) {
	srv := serveBody(t, http.StatusBadRequest, `{"error":"invalid_client","error_description":"Unknown client","expires_in":1.5}`)
	cc := &clientcredentials.Config{ClientID: "id", ClientSecret: "s3cr3t-value", TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}
	_, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, HTTPClient(srv.Client())))
	var re *oauth2.RetrieveError
	if !asRetrieve(err, &re) || re.ErrorCode != "invalid_client" || re.ErrorDescription != "Unknown client" {
		t.Fatalf("err = %v", err)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	*re = r
	return ok
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
