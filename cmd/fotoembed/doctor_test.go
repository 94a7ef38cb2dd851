package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redact"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// wireSecrets records every token FotoWeb hands out on the wire (access,
// refresh and preview tokens in any JSON answer), so that a test can make
// sure none reaches the doctor's output.
type wireSecrets struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

var tokenField = regexp.MustCompile(`"(?:access_token|refresh_token|previewToken)"\s*:\s*"([^"]+)"`)

// RoundTrip implements http.RoundTripper.
func (w *wireSecrets) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil || resp.Body == nil || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range tokenField.FindAllSubmatch(body, -1) {
		w.seen = append(w.seen, string(m[1]))
	}
	return resp, nil
}

func (w *wireSecrets) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.seen)
}

// doctorResult is one run of `fotoembed doctor`.
type doctorResult struct {
	stdout, stderr string
	code           int
	wire           []string      // tokens FotoWeb handed out during the run
	report         *doctorReport // with --json
}

// runDoctor runs `fotoembed doctor args...` with env in-process, as cli
// would (the same exit status and error line), with a FotoWeb client that
// records the tokens it is given.
func runDoctor(t *testing.T, env []string, args ...string) doctorResult {
	t.Helper()
	var out, errb testutil.SyncBuffer
	a := newApp(env, &out, &errb)
	wire := &wireSecrets{next: http.DefaultTransport}
	a.httpClient = &http.Client{Transport: wire}
	err := a.run(t.Context(), append([]string{"doctor"}, args...))
	res := doctorResult{wire: wire.list()}
	var ue *usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		res.code = 2
	default:
		res.code = 1
	}
	if err != nil {
		fmt.Fprintf(&errb, "fotoembed: %s\n", errorText(err))
	}
	res.stdout, res.stderr = out.String(), errb.String()
	if slices.Contains(args, "--json") && res.code != 2 {
		res.report = new(doctorReport)
		if err := json.Unmarshal([]byte(res.stdout), res.report); err != nil {
			t.Fatalf("--json output does not decode: %v\n%s\nstderr: %s", err, res.stdout, res.stderr)
		}
	}
	return res
}

// check returns the report's check id.
func (r doctorResult) check(t *testing.T, id string) *doctorCheck {
	t.Helper()
	for _, ch := range r.report.Checks {
		if ch.ID == id {
			return ch
		}
	}
	t.Fatalf("no check %q in the report:\n%s", id, r.stdout)
	return nil
}

// detail returns a detail of ch by dotted path ("list.nextAtEnd"),
// formatted with fmt.Sprint ("<nil>" when absent).
func detail(ch *doctorCheck, path string) string {
	var v any = ch.Details
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "<nil>"
		}
		v = m[k]
	}
	return fmt.Sprint(v)
}

// assertNoDoctorSecrets fails if the run's output holds a secret: the
// test secrets, every token FotoWeb handed out, and more.
func assertNoDoctorSecrets(t *testing.T, r doctorResult, more ...string) {
	t.Helper()
	out := r.stdout + r.stderr
	secrets := append(append([]string{fotowebtest.ServiceClientSecret, fotowebtest.ConfidentialClientSecret}, r.wire...), more...)
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the doctor's output holds a secret (%.12s...)", s)
		}
	}
	assertNoSecrets(t, out)
}

// doctorLogin logs in at fake with `fotoembed login` (as the fake's
// Options.LoginUser) and returns the token file.
func doctorLogin(t *testing.T, fake *fotowebtest.Server) string {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "token.json")
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	if resp, body := get(t, http.DefaultClient, r.waitReady().AuthorizeURL); resp.StatusCode != http.StatusOK {
		t.Fatalf("login callback: %d %s", resp.StatusCode, body)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	return tokenFile
}

// doctorEnv is the environment of doctor against fake with auth: the
// service application's credentials, or a login of the fake's
// LoginUser.
func doctorEnv(t *testing.T, fake *fotowebtest.Server, auth string, kv ...string) ([]string, string) {
	t.Helper()
	switch auth {
	case authClientCredentials:
		return fakeEnv(fake, kv...), ""
	case authStatic:
		return envOf(with(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_AUTH": "static",
			"FOTOEMBED_STATIC_TOKEN": fake.UserToken()}, kv...)), ""
	}
	tokenFile := doctorLogin(t, fake)
	env := envOf(with(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_AUTH": "user",
		"FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID, "FOTOEMBED_TOKEN_FILE": tokenFile}, kv...))
	return env, tokenFile
}

// want is what one check of a report must say: its status and details
// (dotted paths, compared as fmt.Sprint text).
type want struct {
	status  string
	details map[string]string
}

func (w want) assert(t *testing.T, ch *doctorCheck) {
	t.Helper()
	if w.status != "" && ch.Status != w.status {
		t.Errorf("%s: status %s, want %s: %s", ch.ID, ch.Status, w.status, ch.Summary)
	}
	for path, v := range w.details {
		if got := detail(ch, path); got != v {
			t.Errorf("%s: %s = %s, want %s (%s)", ch.ID, path, got, v, ch.Summary)
		}
	}
}

// merge returns base with the checks of over replacing or extending it
// (details are merged; a status in over wins).
func merge(base, over map[string]want) map[string]want {
	out := map[string]want{}
	for id, w := range base {
		out[id] = w
	}
	for id, w := range over {
		b := out[id]
		d := map[string]string{}
		for k, v := range b.details {
			d[k] = v
		}
		for k, v := range w.details {
			d[k] = v
		}
		if w.status != "" {
			b.status = w.status
		}
		b.details = d
		out[id] = b
	}
	return out
}

var rotateOff = false

// doctorRow is a run of doctor against a fake FotoWeb with opts, as auth
// (client_credentials: the fake's service application; user: a login
// of opts.LoginUser), with args, and what its report must say.
type doctorRow struct {
	name  string
	opts  fotowebtest.Options
	auth  string
	args  []string
	want  map[string]want
	check func(t *testing.T, fake *fotowebtest.Server, r doctorResult, tokenFile string) // more checks, or nil
}

// TestDoctorAgainstFake runs doctor against the fake FotoWeb with options
// that change each answer (and against each flavour), and checks each
// check's result, the exit status and that neither output format holds a
// token or secret. Rows are fake Options: a new behaviour or flavour of
// the fake is a new row.
func TestDoctorAgainstFake(t *testing.T) {
	// What the default fake answers with the service application.
	adminDefault := map[string]want{
		"token": {checkOK, map[string]string{"grant": "client_credentials", "tokenRequest": "true", "expiresInForm": "decimal",
			"expiresInLiteral": "28800.000000", "expiresInSeconds": "28800", "tokenType": "bearer", "refreshTokenInAnswer": "false"}},
		"descriptor":   {checkOK, map[string]string{"status": "200", "productVersion": "8.2.1412.0", "user": "Administrator", "archives": "[Photos Press Internal]"}},
		"preview_auth": {checkOK, map[string]string{"policy": "preview"}},
		"rotation":     {checkSkipped, nil},
		"paging":       {checkOK, map[string]string{"list.pages": "2", "list.endReached": "true", "list.nextAtEnd": "null", "list.assets": "41"}},
		"export":       {checkOK, map[string]string{"archivesWithExport": "[Photos Press Internal]"}},
		"read_only":    {checkWarn, nil},
		"webhook":      {checkSkipped, nil},
	}
	// What the default fake answers with a login of its (editor) user.
	userDefault := merge(adminDefault, map[string]want{
		"token":      {checkOK, map[string]string{"grant": "refresh_token", "tokenRequest": "false", "standbyLogin": "true", "expiresInForm": "<nil>", "expiresInLiteral": "<nil>", "tokenType": "<nil>", "refreshTokenInAnswer": "<nil>"}},
		"descriptor": {checkOK, map[string]string{"user": fotowebtest.User, "archives": "[Photos Press]"}},
		"rotation":   {checkSkipped, nil},
		"export":     {checkOK, map[string]string{"archivesWithExport": "[Photos Press]"}},
		"read_only":  {checkWarn, map[string]string{"user": fotowebtest.User}},
	})
	tests := []doctorRow{
		{name: "client credentials", auth: authClientCredentials, want: adminDefault,
			check: func(t *testing.T, fake *fotowebtest.Server, r doctorResult, _ string) {
				if n := fake.ExportRequests(); n != 0 {
					t.Errorf("doctor without --check-export made %d exports", n)
				}
			}},
		{name: "integer expires_in", opts: fotowebtest.Options{IntegerExpiresIn: true}, auth: authClientCredentials,
			want: merge(adminDefault, map[string]want{"token": {checkOK, map[string]string{"expiresInForm": "integer", "expiresInLiteral": "28800"}}})},
		{name: "client_credentials answer with a refresh token", opts: fotowebtest.Options{ClientCredentialsRefreshToken: true}, auth: authClientCredentials,
			want: merge(adminDefault, map[string]want{"token": {checkOK, map[string]string{"refreshTokenInAnswer": "true"}}})},
		{name: "previews need no token", opts: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthNone}, auth: authClientCredentials,
			want: merge(adminDefault, map[string]want{"preview_auth": {checkOK, map[string]string{"policy": "none"}}})},
		{name: "previews only with the access token, admin", opts: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthAccessToken}, auth: authClientCredentials,
			want: merge(adminDefault, map[string]want{"preview_auth": {checkWarn, map[string]string{"policy": "unknown"}}})},
		{name: "previews only with the previewToken, user", opts: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthPreviewToken}, auth: authUser,
			want: merge(userDefault, map[string]want{"preview_auth": {checkOK, map[string]string{"policy": "preview"}}})},
		{name: "previews only with the access token, editor", opts: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthAccessToken}, auth: authUser,
			want: merge(userDefault, map[string]want{"preview_auth": {checkWarn, map[string]string{"policy": "unknown"}}})},
		{name: "previews only with the access token, read-only user",
			opts: fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthAccessToken, LoginUser: fotowebtest.ReadOnlyUser}, auth: authUser,
			want: merge(userDefault, map[string]want{
				"descriptor":   {checkOK, map[string]string{"user": fotowebtest.ReadOnlyUser}},
				"preview_auth": {checkWarn, map[string]string{"policy": "access"}},
				"read_only":    {checkOK, map[string]string{"user": "<nil>"}},
			})},
		{name: "read-only user", opts: fotowebtest.Options{LoginUser: fotowebtest.ReadOnlyUser}, auth: authUser,
			want: merge(userDefault, map[string]want{
				"descriptor": {checkOK, map[string]string{"user": fotowebtest.ReadOnlyUser}},
				"read_only":  {checkOK, map[string]string{"user": "<nil>"}},
			}),
			check: func(t *testing.T, fake *fotowebtest.Server, r doctorResult, tokenFile string) {
				if n := fake.TokenRequests("refresh_token"); n != 0 {
					t.Errorf("doctor without --check-rotation made %d refresh requests", n)
				}
			}},
		{name: "static token", auth: authStatic,
			want: merge(userDefault, map[string]want{"token": {checkSkipped, map[string]string{"grant": "none (a fixed token)", "tokenRequest": "false", "standbyLogin": "<nil>", "expiresInSeconds": "<nil>"}}})},
		{name: "rotation", auth: authUser, args: []string{"--check-rotation"},
			want: merge(userDefault, map[string]want{"rotation": {checkOK, map[string]string{"rotated": "true", "newAccessTokenWorks": "true",
				"savedToTokenFile": "true", "standbyKept": "true", "expiresInForm": "decimal", "refreshTokenInAnswer": "true"}}}),
			check: func(t *testing.T, fake *fotowebtest.Server, r doctorResult, tokenFile string) {
				// The rotated login was saved: it still works.
				tok, err := (&tokens.FileStore{Path: tokenFile}).Load(t.Context())
				if err != nil || !tokenWorks(t, fake, tok.AccessToken) {
					t.Errorf("the token file after rotation: %v", err)
				}
				if n := fake.TokenRequests("refresh_token"); n != 1 {
					t.Errorf("%d refresh requests, want 1", n)
				}
			}},
		{name: "no rotation", opts: fotowebtest.Options{RotateRefreshTokens: &rotateOff, IntegerExpiresIn: true}, auth: authUser, args: []string{"--check-rotation"},
			want: merge(userDefault, map[string]want{"rotation": {checkOK, map[string]string{"rotated": "false", "newAccessTokenWorks": "true",
				"refreshTokenInAnswer": "false", "expiresInForm": "integer"}}})},
		{name: "paging ends with empty strings", opts: fotowebtest.Options{PagingEnds: fotowebtest.PagingEndsEmpty}, auth: authClientCredentials,
			want: merge(adminDefault, map[string]want{"paging": {checkOK, map[string]string{"list.nextAtEnd": `""`, "list.prevOnFirstPage": `""`}}})},
		{name: "small pages, end found through the last link", opts: fotowebtest.Options{PageSize: 5}, auth: authClientCredentials, args: []string{"--max-pages", "3"},
			want: merge(adminDefault, map[string]want{"paging": {checkOK, map[string]string{"list.pages": "4", "list.endReached": "true",
				"list.endFoundViaLastLink": "true", "list.nextAtEnd": "null", "list.assets": "16"}}})},
		{name: "export made", auth: authClientCredentials, args: []string{"--check-export"},
			want: merge(adminDefault, map[string]want{"export": {checkOK, map[string]string{"exported": "true", "publicURLStatus": "200",
				"publication": doctorPublication}}}),
			check: func(t *testing.T, fake *fotowebtest.Server, r doctorResult, _ string) {
				if n := fake.ExportRequests(); n != 1 {
					t.Errorf("--check-export made %d exports, want 1", n)
				}
			}},
	}
	tests = append(tests, flavourRows(adminDefault, userDefault)...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fotowebtest.NewServer(tt.opts)
			t.Cleanup(fake.Close)
			env, tokenFile := doctorEnv(t, fake, tt.auth)
			var before []byte
			if tokenFile != "" {
				before, _ = os.ReadFile(tokenFile)
			}
			r := runDoctor(t, env, append([]string{"--json"}, tt.args...)...)
			if r.code != 0 {
				t.Errorf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			for id, w := range tt.want {
				w.assert(t, r.check(t, id))
			}
			if len(r.report.Checks) != len(tt.want) {
				t.Errorf("%d checks, want %d", len(r.report.Checks), len(tt.want))
			}
			if tt.check != nil {
				tt.check(t, fake, r, tokenFile)
			}
			var old []string
			if tokenFile != "" {
				if !slices.Contains(tt.args, "--check-rotation") {
					if after, _ := os.ReadFile(tokenFile); !bytes.Equal(before, after) {
						t.Error("doctor without --check-rotation changed the token file")
					}
				}
				old = fileSecrets(t, before)
			}
			assertNoDoctorSecrets(t, r, append(old, fileSecrets(t, nil, tokenFile)...)...)
			text := runDoctor(t, env, tt.args...)
			if text.code != 0 || !strings.Contains(text.stdout, "OK       API descriptor") {
				t.Errorf("plain report: exit %d\n%s\n%s", text.code, text.stdout, text.stderr)
			}
			assertNoDoctorSecrets(t, text, append(old, fileSecrets(t, nil, tokenFile)...)...)
			// Nothing of the doctor's own wording looks like a secret.
			if strings.Contains(r.stdout+text.stdout, redact.Marker) {
				t.Errorf("the report has redacted text:\n%s", text.stdout)
			}
		})
	}
}

// fileSecrets returns the tokens of a token file's content, or of the
// files named.
func fileSecrets(t *testing.T, content []byte, files ...string) []string {
	t.Helper()
	var out []string
	add := func(b []byte) {
		for _, m := range regexp.MustCompile(`"(?:access_token|refresh_token|standby_refresh_token)"\s*:\s*"([^"]+)"`).FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
	}
	add(content)
	for _, f := range files {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(b)
	}
	return out
}

// TestDoctorExpiredLogin: a login whose access token has expired is
// refreshed and saved, as the service would, and the token check reports
// the refresh answer.
func TestDoctorExpiredLogin(t *testing.T) {
	t.Parallel()
	fake := fotowebtest.NewServer(fotowebtest.Options{AccessTokenLifetime: time.Second})
	t.Cleanup(fake.Close)
	env, tokenFile := doctorEnv(t, fake, authUser)
	before, _ := os.ReadFile(tokenFile)
	time.Sleep(1100 * time.Millisecond)
	r := runDoctor(t, env, "--json")
	if r.code != 0 {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	ch := r.check(t, "token")
	want{checkOK, map[string]string{"tokenRequest": "true", "expiresInForm": "decimal", "expiresInLiteral": "1.000000", "refreshTokenInAnswer": "true"}}.assert(t, ch)
	if !strings.Contains(ch.Summary, "saved to --token-file") {
		t.Errorf("summary: %s", ch.Summary)
	}
	if after, _ := os.ReadFile(tokenFile); bytes.Equal(before, after) {
		t.Error("the refreshed login was not saved")
	}
	assertNoDoctorSecrets(t, r, fileSecrets(t, before, tokenFile)...)
}

// TestDoctorSecrets runs doctor with known secrets in every place they can
// be (a client secret, a hook secret, a base URL whose webhook route is
// checked with it, the token in the query, a FotoWeb that breaks the
// connection on a request carrying the token in its URL) and makes sure
// none appears on stdout or stderr in either format.
func TestDoctorSecrets(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	svc := start(t, fakeEnv(fake), "serve", "--addr", "127.0.0.1:0")
	base := svc.waitReady().URL
	env := fakeEnv(fake, "FOTOEMBED_BASE_URL", base, "FOTOEMBED_TOKEN_IN_QUERY", "1")
	for _, format := range [][]string{nil, {"--json"}} {
		r := runDoctor(t, env, format...)
		if r.code != 0 {
			t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if format != nil {
			want{checkWarn, map[string]string{"hookRouteStatus": "405", "healthzStatus": "200", "addresses": "[loopback]"}}.assert(t, r.check(t, "webhook"))
			want{checkOK, map[string]string{"tokenSentAs": "access_token query parameter"}}.assert(t, r.check(t, "descriptor"))
		}
		assertNoDoctorSecrets(t, r, testHookSecret)
	}

	// The connection breaks on the descriptor request, whose URL holds
	// the token: the error is reported without it.
	fake.SetFault("/fotoweb/me", fotowebtest.Fault{Reset: true})
	for _, format := range [][]string{nil, {"--json"}} {
		r := runDoctor(t, env, format...)
		if r.code != 1 || !strings.Contains(r.stderr, "checks failed: descriptor") {
			t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if format != nil {
			want{checkFail, nil}.assert(t, r.check(t, "descriptor"))
			want{checkSkipped, nil}.assert(t, r.check(t, "paging"))
			want{checkOK, nil}.assert(t, r.check(t, "token"))
		}
		assertNoDoctorSecrets(t, r, testHookSecret)
	}
	fake.ClearFaults()

	// A user login, rotated: the old and new refresh tokens, the standby
	// and the access tokens stay out too.
	env, tokenFile := doctorEnv(t, fake, authUser, "FOTOEMBED_BASE_URL", base, "FOTOEMBED_HOOK_SECRET", testHookSecret)
	old, _ := os.ReadFile(tokenFile)
	for _, format := range [][]string{nil, {"--json"}} {
		r := runDoctor(t, env, append(format, "--check-rotation")...)
		if r.code != 0 {
			t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		assertNoDoctorSecrets(t, r, append(fileSecrets(t, old, tokenFile), testHookSecret)...)
	}
}

// TestDoctorFailures: a failed check makes the exit status 1 with the
// report still printed; what needs it is skipped, saying why.
func TestDoctorFailures(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)

	r := runDoctor(t, fakeEnv(fake, "FOTOEMBED_CLIENT_SECRET", "wrong-secret-0123456789"), "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "1 of 8 checks failed: token") {
		t.Errorf("wrong secret: exit %d\n%s", r.code, r.stderr)
	}
	want{checkFail, map[string]string{"oauthError": "invalid_client", "tokenEndpointStatus": "400"}}.assert(t, r.check(t, "token"))
	for _, id := range []string{"descriptor", "preview_auth", "paging", "export", "read_only"} {
		if ch := r.check(t, id); ch.Status != checkSkipped || !strings.Contains(ch.Summary, "no token") {
			t.Errorf("%s: %s %q", id, ch.Status, ch.Summary)
		}
	}
	assertNoDoctorSecrets(t, r, "wrong-secret-0123456789")

	// FotoWeb fails the descriptor.
	fake.SetFault("/fotoweb/me", fotowebtest.Fault{Status: http.StatusForbidden})
	r = runDoctor(t, fakeEnv(fake), "--json")
	if r.code != 1 {
		t.Errorf("descriptor 403: exit %d", r.code)
	}
	want{checkFail, map[string]string{"status": "403"}}.assert(t, r.check(t, "descriptor"))
	fake.ClearFaults()

	// The time limit.
	fake.SetFault("/fotoweb/me", fotowebtest.Fault{Latency: 2 * time.Second})
	r = runDoctor(t, fakeEnv(fake), "--json", "--timeout", "300ms")
	if r.code != 1 || r.check(t, "descriptor").Status != checkFail {
		t.Errorf("timeout: exit %d\n%s", r.code, r.stdout)
	}
	fake.ClearFaults()

	// A webhook secret the service does not have.
	svc := start(t, fakeEnv(fake), "serve", "--addr", "127.0.0.1:0")
	r = runDoctor(t, fakeEnv(fake, "FOTOEMBED_BASE_URL", svc.waitReady().URL, "FOTOEMBED_HOOK_SECRET", "another-hook-secret-0123456789"), "--json")
	if r.code != 1 {
		t.Errorf("wrong hook secret: exit %d", r.code)
	}
	want{checkFail, map[string]string{"hookRouteStatus": "404"}}.assert(t, r.check(t, "webhook"))
	assertNoDoctorSecrets(t, r, "another-hook-secret-0123456789")

	// Nothing answers at the base URL.
	r = runDoctor(t, fakeEnv(fake, "FOTOEMBED_BASE_URL", "http://127.0.0.1:1"), "--json")
	want{checkFail, nil}.assert(t, r.check(t, "webhook"))
}

// TestDoctorUsage: the flags' mistakes exit 2 or 1 as for every command,
// and -h documents what changes state.
func TestDoctorUsage(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	var out, errb bytes.Buffer
	if code := cli([]string{"doctor", "--check-rotation"}, fakeEnv(fake), &out, &errb); code != 2 || !strings.Contains(errb.String(), "--check-rotation needs --auth user") {
		t.Errorf("--check-rotation with client credentials: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := cli([]string{"doctor", "--hook-secret", "x"}, fakeEnv(fake), &out, &errb); code != 2 || !strings.Contains(errb.String(), "secrets are not accepted as flags") {
		t.Errorf("--hook-secret as a flag: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := cli([]string{"doctor"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--fotoweb-url is required") {
		t.Errorf("no configuration: exit %d %s", code, errb.String())
	}
	out.Reset()
	if code := cli([]string{"doctor", "-h"}, envOf(validEnv()), &out, &errb); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	for _, w := range []string{"Usage: fotoembed doctor", "--check-rotation", "--check-export", "--json", "--base-url", "FOTOEMBED_HOOK_SECRET", "atomically"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("-h lacks %q", w)
		}
	}
	assertNoSecrets(t, out.String()+errb.String())
}

// TestDoctorAgainstDemo runs doctor against `fotoembed demo`: its fake
// FotoWeb with the demo's own login (the read-only user, the token file
// the demo's service uses) and the demo's service as the base URL, and
// with the fake's service application.
func TestDoctorAgainstDemo(t *testing.T) {
	tmp := t.TempDir()
	demo := start(t, []string{"TMPDIR=" + tmp}, "demo", "--addr", "127.0.0.1:0", "--fotoweb-addr", "127.0.0.1:0")
	info := demo.waitReady()
	files, _ := filepath.Glob(filepath.Join(tmp, "fotoembed-demo-*", "token.json"))
	if len(files) != 1 {
		t.Fatalf("demo token files: %v", files)
	}
	before, _ := os.ReadFile(files[0])
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": info.FotoWebURL, "FOTOEMBED_AUTH": "user",
		"FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID, "FOTOEMBED_TOKEN_FILE": files[0], "FOTOEMBED_BASE_URL": info.URL})
	r := runDoctor(t, env, "--json")
	if r.code != 0 {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	for id, w := range map[string]want{
		"token":        {checkOK, map[string]string{"grant": "refresh_token", "standbyLogin": "true"}},
		"descriptor":   {checkOK, map[string]string{"user": fotowebtest.ReadOnlyUser, "archives": "[Photos Press]"}},
		"preview_auth": {checkOK, map[string]string{"policy": "preview"}},
		"rotation":     {checkSkipped, nil},
		"paging":       {checkOK, map[string]string{"list.endReached": "true"}},
		"export":       {checkOK, nil},
		"read_only":    {checkOK, nil},
		"webhook":      {checkWarn, map[string]string{"healthzStatus": "200", "addresses": "[loopback]"}},
	} {
		w.assert(t, r.check(t, id))
	}
	if after, _ := os.ReadFile(files[0]); !bytes.Equal(before, after) {
		t.Error("doctor changed the demo's token file")
	}
	assertNoDoctorSecrets(t, r, append(fileSecrets(t, before), info.APIKey)...)

	cc := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": info.FotoWebURL, "FOTOEMBED_AUTH": "client_credentials",
		"FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID, "FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret})
	r = runDoctor(t, cc, "--json")
	if r.code != 0 {
		t.Errorf("client credentials: exit %d\n%s", r.code, r.stderr)
	}
	want{checkOK, map[string]string{"grant": "client_credentials", "expiresInForm": "decimal"}}.assert(t, r.check(t, "token"))
	want{checkWarn, nil}.assert(t, r.check(t, "read_only"))
	assertNoDoctorSecrets(t, r, info.APIKey)
}
