package tokens

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestErrorsCarryNoSecrets: whatever the token endpoint answered, the
// error keeps the RFC 6749 code and a sanitised description only.
func TestErrorsCarryNoSecrets(t *testing.T) {
	const secret, refresh = "the-client-secret", "the-refresh-token"
	resp := &http.Response{StatusCode: 400, Status: "400 Bad Request"}
	tests := []struct {
		name string
		in   error
		want string
	}{
		{"oauth error", &oauth2.RetrieveError{Response: resp, Body: []byte(`{"error":"invalid_grant","access_token":"leaked-access"}`), ErrorCode: "invalid_grant", ErrorDescription: "refresh token the-refresh-token\nexpired"},
			"tokens: refresh token grant failed: invalid_grant: refresh token [REDACTED] expired; run `fotoembed login` again"},
		{"no oauth error", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}, Body: []byte("<html>the-client-secret leaked-access</html>")},
			"tokens: refresh token grant failed: token endpoint answered 503 Service Unavailable"},
		{"other", errors.New("oauth2: cannot parse json: the-client-secret"),
			"tokens: refresh token grant failed: oauth2: cannot parse json: [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrapErr(opRefresh, tt.in, secret, refresh)
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			for _, leak := range []string{secret, refresh, "leaked-access"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error leaks %q", leak)
				}
			}
			var re *oauth2.RetrieveError
			if errors.As(err, &re) {
				t.Error("the RetrieveError (with its body) is reachable through Unwrap")
			}
		})
	}
	if !errors.Is(wrapErr(opRefresh, tests[0].in), ErrLoginRequired) {
		t.Error("invalid_grant on refresh does not match ErrLoginRequired")
	}
	if errors.Is(wrapErr(opExchange, tests[0].in), ErrLoginRequired) {
		t.Error("invalid_grant on exchange matches ErrLoginRequired")
	}
	long := wrapErr(opExchange, &oauth2.RetrieveError{Response: resp, ErrorCode: "invalid_request", ErrorDescription: strings.Repeat("x", 1000)})
	if len(long.Error()) > 400 {
		t.Errorf("description not capped: %d bytes", len(long.Error()))
	}
}
