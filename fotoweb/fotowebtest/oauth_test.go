package fotowebtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func ccForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {ServiceClientID}, "client_secret": {ServiceClientSecret}}
}

func TestClientCredentials(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct {
		name     string
		form     url.Values
		header   map[string]string
		status   int
		errCode  string
		wantBody *regexp.Regexp
	}{
		{name: "ok", form: ccForm(), status: 200,
			wantBody: regexp.MustCompile(`^\{"access_token":"[^"]+","token_type":"bearer","expires_in":28800\.000000\}$`)},
		{name: "wrong secret", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {ServiceClientID}, "client_secret": {"nope"}},
			status: 400, errCode: "invalid_client"},
		{name: "no secret", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {ServiceClientID}},
			status: 400, errCode: "invalid_client"},
		{name: "unknown client", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"who"}, "client_secret": {"x"}},
			status: 400, errCode: "invalid_client"},
		{name: "no client", form: url.Values{"grant_type": {"client_credentials"}}, status: 400, errCode: "invalid_request"},
		{name: "public client", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {WebClientID}},
			status: 400, errCode: "unauthorized_client"},
		{name: "web app", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {ConfidentialClientID}, "client_secret": {ConfidentialClientSecret}},
			status: 400, errCode: "unauthorized_client"},
		{name: "no grant", form: url.Values{"client_id": {ServiceClientID}}, status: 400, errCode: "invalid_request"},
		{name: "unknown grant", form: url.Values{"grant_type": {"password"}}, status: 400, errCode: "unsupported_grant_type"},
		{name: "basic only is ignored", form: url.Values{"grant_type": {"client_credentials"}},
			header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(ServiceClientID+":"+ServiceClientSecret))},
			status: 401, errCode: "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			for k, v := range tt.header {
				h[k] = v
			}
			r := do(t, http.MethodPost, s.URL+"/fotoweb/oauth2/token", h, tt.form.Encode())
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.wantBody != nil && !tt.wantBody.Match(r.body) {
				t.Errorf("body %s does not match %s", r.body, tt.wantBody)
			}
			if tt.errCode != "" {
				m := r.json(t)
				if m["error"] != tt.errCode || m["error_description"] == "" {
					t.Errorf("error body %s, want error %q with a description", r.body, tt.errCode)
				}
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestTokenWrongContentType(t *testing.T) {
	s := newServer(t, Options{})
	r := do(t, http.MethodPost, s.URL+"/fotoweb/oauth2/token", map[string]string{"Content-Type": "application/json"},
		`{"grant_type":"client_credentials"}`)
	if r.status != 400 || r.json(t)["error"] != "invalid_request" {
		t.Errorf("%d %s", r.status, r.body)
	}
	if r := do(t, http.MethodGet, s.URL+"/fotoweb/oauth2/token", nil, ""); r.status != 405 {
		t.Errorf("GET token: %d", r.status)
	}
}

func TestExpiresInLiteral(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, `"expires_in":28800.000000`},
		{Options{IntegerExpiresIn: true}, `"expires_in":28800}`},
		{Options{AccessTokenLifetime: 90 * time.Second}, `"expires_in":90.000000`},
		{Options{AccessTokenLifetime: time.Hour, IntegerExpiresIn: true}, `"expires_in":3600}`},
	}
	for _, tt := range tests {
		s := newServer(t, tt.opts)
		r := postToken(t, s, ccForm())
		if !strings.Contains(string(r.body), tt.want) {
			t.Errorf("%+v: body %s, want %s", tt.opts, r.body, tt.want)
		}
	}
}

func TestClientCredentialsRefreshOption(t *testing.T) {
	s := newServer(t, Options{ClientCredentialsRefreshToken: true})
	m := postToken(t, s, ccForm()).json(t)
	rt, _ := m["refresh_token"].(string)
	if rt == "" {
		t.Fatalf("no refresh_token: %v", m)
	}
	r := postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {ServiceClientID}, "client_secret": {ServiceClientSecret}})
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
}

func TestBasicAuthOption(t *testing.T) {
	s := newServer(t, Options{AcceptBasicAuth: true})
	r := do(t, http.MethodPost, s.URL+"/fotoweb/oauth2/token", map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(ServiceClientID+":"+ServiceClientSecret)),
	}, "grant_type=client_credentials")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestTokenEndpointDown(t *testing.T) {
	s := newServer(t, Options{})
	s.SetTokenEndpointDown(true)
	if r := postToken(t, s, ccForm()); r.status != 503 {
		t.Errorf("down: %d", r.status)
	}
	s.SetTokenEndpointDown(false)
	if r := postToken(t, s, ccForm()); r.status != 200 {
		t.Errorf("up: %d", r.status)
	}
	if got := s.TokenRequests("client_credentials"); got != 2 {
		t.Errorf("TokenRequests = %d, want 2", got)
	}
}
