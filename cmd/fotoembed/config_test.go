package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Secrets used in configuration tests; none may ever be printed.
const (
	testSecret     = "client-secret-XYZZY-never-printed"
	testSigningKey = "signing-key-PLUGH-0123456789-never-printed"
	testAPIKey     = "api-key-FROBOZZ-0123456789"
	testHookSecret = "hook-secret-GRUE-0123456789"
)

// envOf turns a map into env entries.
func envOf(m map[string]string) []string {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

// parseServe parses serve's flags with env and validates the result, as
// `serve` does.
func parseServe(env map[string]string, args ...string) (*serveConfig, error) {
	var c serveConfig
	f := newFlagSet("serve", "", serveSummary, envLookup(envOf(env)))
	c.register(f, "/home/u/.config/fotoembed/token.json")
	a := newApp(nil, io.Discard, io.Discard)
	return &c, a.parse(f, args, c.Validate)
}

// validEnv is a complete client-credentials configuration.
func validEnv() map[string]string {
	return map[string]string{
		"FOTOEMBED_FOTOWEB_URL":   "https://acme.fotoware.cloud",
		"FOTOEMBED_AUTH":          "client_credentials",
		"FOTOEMBED_CLIENT_ID":     "app",
		"FOTOEMBED_CLIENT_SECRET": testSecret,
		"FOTOEMBED_SIGNING_KEYS":  testSigningKey,
		"FOTOEMBED_API_KEYS":      testAPIKey,
		"FOTOEMBED_HOOK_SECRET":   testHookSecret,
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestServeConfigDefaultsAndOverrides(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(t *testing.T, c *serveConfig)
	}{
		{"defaults", validEnv(), nil, func(t *testing.T, c *serveConfig) {
			s := c.Server
			if s.Addr != "127.0.0.1:8080" || s.Delivery != "auto" || s.delivery(c.FotoWeb.Auth) != "proxy" || s.MaxBatch != 100 || s.ShutdownTimeout != 15*time.Second {
				t.Errorf("server defaults: %+v", s)
			}
			r := c.Resolver
			if r.CacheTTL != 5*time.Minute || r.Fields.Alt != 120 || r.Fields.Caption != 120 || r.Fields.Credit != 110 || r.CreditPrefix != "Photo: " {
				t.Errorf("resolver defaults: %+v", r)
			}
			if c.FotoWeb.TokenFile != "/home/u/.config/fotoembed/token.json" || c.Signing.MACLength != 32 || c.Log.Format != "text" {
				t.Errorf("defaults: %+v %+v", c.FotoWeb, c.Signing)
			}
			if diff := cmp.Diff([]string{testAPIKey}, s.APIKeys); diff != "" || s.HookSecret != testHookSecret || c.FotoWeb.ClientSecret != testSecret {
				t.Errorf("secrets from the environment not read: %s", diff)
			}
		}},
		{"environment", with(validEnv(), "FOTOEMBED_FOTOWEB_URL", "https://acme.fotoware.cloud/fotoweb/", "FOTOEMBED_ADDR", ":9000", "FOTOEMBED_CACHE_TTL", "1m", "FOTOEMBED_ALT_FIELD", "5",
			"FOTOEMBED_TOKEN_IN_QUERY", "1", "FOTOEMBED_PUBLIC_ARCHIVES", "5001, 5002,", "FOTOEMBED_SIGNING_KEYS", testSigningKey+", second-key-0123456789abcdef"),
			nil, func(t *testing.T, c *serveConfig) {
				if c.Server.Addr != ":9000" || c.Resolver.CacheTTL != time.Minute || c.Resolver.Fields.Alt != 5 || !c.FotoWeb.TokenInQuery {
					t.Errorf("environment not applied: %+v %+v", c.Server, c.Resolver)
				}
				if diff := cmp.Diff([]string{"5001", "5002"}, c.Server.PublicArchives); diff != "" {
					t.Error(diff)
				}
				if c.FotoWeb.URL != "https://acme.fotoware.cloud" {
					t.Errorf("FotoWeb URL %q not normalised", c.FotoWeb.URL)
				}
				if len(c.Signing.Keys) != 2 {
					t.Errorf("%d signing keys", len(c.Signing.Keys))
				}
			}},
		{"flags win", with(validEnv(), "FOTOEMBED_ADDR", ":9000", "FOTOEMBED_DELIVERY", "redirect"),
			[]string{"--addr", "127.0.0.1:0", "-delivery=proxy", "--cache-ttl=0", "--credit-prefix", "Foto: "},
			func(t *testing.T, c *serveConfig) {
				if c.Server.Addr != "127.0.0.1:0" || c.Server.Delivery != "proxy" || c.Resolver.CacheTTL != 0 || c.Resolver.CreditPrefix != "Foto: " {
					t.Errorf("flags not applied: %+v", c.Server)
				}
			}},
		{"auto is redirect for a user", with(validEnv(), "FOTOEMBED_AUTH", "user"), nil, func(t *testing.T, c *serveConfig) {
			if c.Server.delivery(c.FotoWeb.Auth) != "redirect" {
				t.Error("auto delivery with a user token is not redirect")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseServe(tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestServeConfigReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // each must appear in the one error
	}{
		{"nothing configured", nil, nil, []string{
			"--fotoweb-url is required (or set FOTOEMBED_FOTOWEB_URL)",
			"--client-id is required with --auth user (or set FOTOEMBED_CLIENT_ID)",
			"no signing key: set FOTOEMBED_SIGNING_KEYS or use --signing-keys-file",
		}},
		{"client credentials without secret", map[string]string{"FOTOEMBED_AUTH": "client_credentials"}, nil, []string{
			"--client-id is required with --auth client_credentials",
			"set FOTOEMBED_CLIENT_SECRET or use --client-secret-file",
		}},
		{"bad values from flags and environment", with(validEnv(),
			"FOTOEMBED_CACHE_TTL", "5x", "FOTOEMBED_MAC_LENGTH", "4", "FOTOEMBED_TOKEN_IN_QUERY", "yes please"),
			[]string{"--delivery", "teleport", "--fotoweb-url", "ftp://x/y", "--hook-allow", "10.0.0.0/8,nonsense", "--max-batch=-1", "--alt-field", "0", "--rate-limit", "fast"},
			[]string{
				`FOTOEMBED_CACHE_TTL="5x" (default for --cache-ttl): must be a duration`,
				`FOTOEMBED_MAC_LENGTH="4" (default for --mac-length): must be a whole number from 8 to 32`,
				`FOTOEMBED_TOKEN_IN_QUERY="yes please" (default for --token-in-query): must be true or false`,
				`--delivery "teleport": must be one of auto, redirect, proxy`,
				`--max-batch "-1": must be a whole number from 1 to 10000`,
				`--rate-limit "fast": must be a number`,
			}},
		{"bad values of every kind at once", with(validEnv(), "FOTOEMBED_SIGNING_KEYS", "shrtKEY,"+testSigningKey, "FOTOEMBED_API_KEYS", "tinyKEY1",
			"FOTOEMBED_HOOK_SECRET", "a/b", "FOTOEMBED_CACHE_TTL", "-1s"),
			[]string{"--fotoweb-url", "ftp://x/y", "--hook-allow", "10.0.0.0/8,nonsense", "--alt-field", "0", "--base-url", "img.example.com", "--caption-field", "x"},
			[]string{
				`FOTOEMBED_CACHE_TTL="-1s" (default for --cache-ttl): must be a duration`,
				`--caption-field "x": must be a whole number from -1 to 1048576`,
				`--fotoweb-url "ftp://x/y" must be an http(s) origin`,
				`--hook-allow: "nonsense" not a network`,
				`--alt-field 0: give a FotoWeb metadata field id`,
				`--base-url "img.example.com" must be an absolute http(s) URL`,
				"signing key 1 of 2 is 7 bytes; each key needs at least 16",
				"API key 1 of 1 is 8 characters",
				"the webhook secret (FOTOEMBED_HOOK_SECRET or --hook-secret-file) needs at least 16 characters",
			}},
		{"secret both in environment and file", with(validEnv(), "FOTOEMBED_CLIENT_SECRET_FILE", "/nonexistent"), nil,
			[]string{"set FOTOEMBED_CLIENT_SECRET or --client-secret-file, not both"}},
		{"missing secret file", with(validEnv(), "FOTOEMBED_SIGNING_KEYS", ""), []string{"--signing-keys-file", "/nonexistent/keys"},
			[]string{"--signing-keys-file: open /nonexistent/keys: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(tt.env, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q; got:\n%v", w, err)
				}
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

// assertNoSecrets fails if s contains any test secret.
func assertNoSecrets(t *testing.T, s string, more ...string) {
	t.Helper()
	for _, sec := range append([]string{testSecret, testSigningKey, testAPIKey, testHookSecret, "shrtKEY", "tinyKEY1"}, more...) {
		if strings.Contains(s, sec) {
			t.Errorf("output contains the secret %q:\n%s", sec, s)
		}
	}
}

func TestAdminTokenInURLs(t *testing.T) {
	env := with(validEnv(), "FOTOEMBED_DELIVERY", "redirect", "FOTOEMBED_URL_TOKEN", "access")
	_, err := parseServe(env)
	if !errors.Is(err, errAdminToken) {
		t.Fatalf("redirect with client credentials: %v", err)
	}
	for _, w := range []string{"full administrative access", "--delivery proxy", "fotoembed login", "--i-understand-admin-token-in-urls", "FOTOEMBED_ALLOW_ADMIN_TOKEN_IN_URLS=1"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal does not mention %q", w)
		}
	}
	if _, err := parseServe(env, "--i-understand-admin-token-in-urls"); err != nil {
		t.Errorf("acknowledged by flag: %v", err)
	}
	if _, err := parseServe(with(env, "FOTOEMBED_ALLOW_ADMIN_TOKEN_IN_URLS", "1")); err != nil {
		t.Errorf("acknowledged by environment: %v", err)
	}
	if _, err := parseServe(with(env, "FOTOEMBED_DELIVERY", "proxy")); err != nil {
		t.Errorf("proxy with client credentials: %v", err)
	}
	if _, err := parseServe(with(env, "FOTOEMBED_AUTH", "user")); err != nil {
		t.Errorf("redirect with a user token: %v", err)
	}
}

func TestSecretsAreNeverFlags(t *testing.T) {
	for _, arg := range []string{"--client-secret=" + testSecret, "-client-secret", "--signing-keys", "--api-keys=" + testAPIKey, "--hook-secret", "--static-token=x"} {
		var out, errb bytes.Buffer
		code := cli([]string{"serve", arg, testSecret}, envOf(validEnv()), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "secrets are not accepted as flags") {
			t.Errorf("%s: exit %d, stderr %q", strings.SplitN(arg, "=", 2)[0], code, errb.String())
		}
		assertNoSecrets(t, out.String()+errb.String())
	}
}

func TestHelpShowsNoSecrets(t *testing.T) {
	for _, c := range commands {
		cmd := c.name
		var out, errb bytes.Buffer
		if code := cli([]string{cmd, "-h"}, envOf(validEnv()), &out, &errb); code != 0 {
			t.Errorf("%s -h: exit %d: %s", cmd, code, errb.String())
		}
		if !strings.Contains(out.String(), "Usage: fotoembed "+cmd) {
			t.Errorf("%s -h: no usage:\n%s", cmd, out.String())
		}
		assertNoSecrets(t, out.String()+errb.String())
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	os.WriteFile(keys, []byte("# rotated 2026-01\n"+testSigningKey+"\n\nolder-key-0123456789abcdef\n"), 0o600)
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte(testSecret+"\n"), 0o600)
	env := with(validEnv(), "FOTOEMBED_SIGNING_KEYS", "", "FOTOEMBED_CLIENT_SECRET", "", "FOTOEMBED_CLIENT_SECRET_FILE", secret)
	c, err := parseServe(env, "--signing-keys-file", keys)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{testSigningKey, "older-key-0123456789abcdef"}, c.Signing.Keys); diff != "" {
		t.Error(diff)
	}
	if c.FotoWeb.ClientSecret != testSecret {
		t.Error("client secret file not read")
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := parseServe(env, "--signing-keys-file", empty); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty key file: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no command given"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "--no-such-flag"}, 2, "flag provided but not defined: -no-such-flag"},
		{[]string{"serve"}, 1, "problems:\n  - --fotoweb-url is required"},
		{[]string{"sign"}, 2, "give at least one asset reference"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := cli(tt.args, nil, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr:\n%s", tt.args, code, errb.String())
		}
	}
}

func TestEnvLookupAndDefaults(t *testing.T) {
	env := envLookup([]string{"A=1", "A=2", "B=", "C=x=y"})
	if v, ok := env("A"); v != "2" || !ok {
		t.Errorf("A = %q, %v", v, ok)
	}
	if _, ok := env("B"); ok {
		t.Error("empty B counts as set")
	}
	if v, _ := env("C"); v != "x=y" {
		t.Errorf("C = %q", v)
	}
	got := defaultTokenFile(envLookup([]string{"HOME=/home/u", "XDG_CONFIG_HOME=/cfg"}))
	if want := filepath.Join("/cfg", "fotoembed", "token.json"); got != want && filepath.Separator == '/' && !strings.Contains(got, "Library") {
		t.Errorf("token file %q, want %q", got, want)
	}
}
