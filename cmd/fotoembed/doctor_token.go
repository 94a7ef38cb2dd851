package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// Media type of the full API descriptor (GET /fotoweb/me).
const mtFullDescriptor = "application/vnd.fotoware.full-api-descriptor+json"

// checkToken gets a token the way serve does (--auth) and reports the
// token endpoint's answer: whether the grant worked and how expires_in
// was written (fotoembed rewrites a decimal literal such as 28800.000000,
// which golang.org/x/oauth2 cannot read).
func (d *doctor) checkToken(ctx context.Context, ch *doctorCheck) {
	c := &d.c.FotoWeb
	tokenHTTP := &http.Client{Timeout: c.Timeout, Transport: d.tap}
	d.tap.next = d.baseTransport()
	grant := map[string]string{authClientCredentials: "client_credentials", authUser: "refresh_token", authStatic: "none (a fixed token)"}[c.Auth]
	ch.Details["grant"] = grant
	var stored *oauth2.Token
	if c.Auth == authUser {
		d.store = &tokens.FileStore{Path: c.TokenFile}
		t, err := d.store.Load(ctx)
		if err != nil {
			ch.failErr("The login saved by `fotoembed login` cannot be read from --token-file", err)
			return
		}
		stored = t
		sb, _ := tokens.Standby(t)
		d.secrets.add(t.AccessToken, t.RefreshToken, sb)
		ch.Details["standbyLogin"] = sb != ""
	}
	var store tokens.TokenStore // nil: none (a nil *FileStore would not be)
	if d.store != nil {
		store = d.store
	}
	ts, err := c.tokenSource(tokenHTTP, store, nil)
	if err != nil {
		ch.failErr("The token source cannot be set up", err)
		return
	}
	before := d.tap.count()
	tok, err := ts.TokenContext(ctx)
	answers := d.tap.since(before)
	if err != nil {
		if len(answers) > 0 {
			describeTokenAnswer(ch, answers[len(answers)-1])
		}
		ch.failErr(fmt.Sprintf("No access token could be had (grant %s)", grant), err)
		return
	}
	d.secrets.add(tok.AccessToken)
	d.ts = ts
	if !tok.Expiry.IsZero() {
		ch.Details["expires"] = tok.Expiry.UTC().Format(time.RFC3339)
	}
	if tok.ExpiresIn > 0 {
		ch.Details["expiresInSeconds"] = tok.ExpiresIn
	}
	ch.Details["tokenRequest"] = len(answers) > 0
	switch {
	case c.Auth == authStatic:
		ch.set(checkSkipped, "--auth static: a fixed token is used and no token request is made; whether FotoWeb accepts it shows in the API descriptor check.")
	case len(answers) == 0:
		ch.set(checkOK, "The login in --token-file was loaded; its access token is still valid (until %s), so no token request was made "+
			"and how FotoWeb writes expires_in was not seen: --check-rotation refreshes the login now.", tok.Expiry.UTC().Format(time.RFC3339))
	default:
		a := answers[len(answers)-1]
		describeTokenAnswer(ch, a)
		what := "The client_credentials grant works"
		if c.Auth == authUser {
			what = "The stored access token had expired; the refresh_token grant worked and the new token was saved to --token-file, as the service does"
		}
		ch.set(checkOK, "%s. %s", what, expiresInSentence(a))
		if c.Auth == authClientCredentials && a.HasRefresh {
			ch.Summary += " The answer carried a refresh_token, which fotoembed does not use (FotoWeb says non-interactive applications repeat the grant)."
		}
	}
	if stored != nil && stored.RefreshToken == "" {
		ch.set(checkWarn, "The login in --token-file has no refresh token: it ends when its access token expires. Run `fotoembed login` again.")
	}
}

// describeTokenAnswer adds a token answer's forms to the details.
func describeTokenAnswer(ch *doctorCheck, a tokenAnswer) {
	ch.Details["tokenEndpointStatus"] = a.Status
	ch.Details["tokenEndpointContentType"] = a.ContentType
	ch.Details["accessTokenInAnswer"] = a.HasAccess
	ch.Details["expiresInForm"] = a.ExpiresIn
	if a.ExpiresInRaw != "" {
		ch.Details["expiresInLiteral"] = a.ExpiresInRaw
	}
	if a.TokenType != "" {
		ch.Details["tokenType"] = a.TokenType
	}
	ch.Details["refreshTokenInAnswer"] = a.HasRefresh
	if a.Error != "" {
		ch.Details["oauthError"] = a.Error
	}
}

// expiresInSentence says how expires_in was written.
func expiresInSentence(a tokenAnswer) string {
	switch a.ExpiresIn {
	case "decimal":
		return fmt.Sprintf("FotoWeb wrote expires_in as a decimal literal (%s), which golang.org/x/oauth2 cannot read; fotoembed rewrites it to whole seconds.", a.ExpiresInRaw)
	case "integer":
		return fmt.Sprintf("FotoWeb wrote expires_in as an integer (%s).", a.ExpiresInRaw)
	case "string":
		return fmt.Sprintf("FotoWeb wrote expires_in as a string (%s).", a.ExpiresInRaw)
	case "absent":
		return "The answer had no expires_in: the token is taken not to expire until FotoWeb refuses it."
	}
	return "expires_in was in a form fotoembed does not know; see the details."
}

// checkDescriptor GETs the full API descriptor as sent and reports the
// product version (from the FotoWeb-Server header), the user and the
// archives the token sees.
func (d *doctor) checkDescriptor(ctx context.Context, ch *doctorCheck) {
	c := &d.c.FotoWeb
	origin, _ := url.Parse(c.URL)
	hc := &http.Client{Transport: d.baseTransport(), CheckRedirect: noRedirects}
	d.raw = &rawClient{origin: origin, hc: hc, tokens: d.ts, inQuery: c.TokenInQuery, timeout: c.Timeout, secrets: d.secrets}
	if c.RateLimit > 0 {
		d.raw.limiter = rate.NewLimiter(rate.Limit(c.RateLimit), 1)
	}
	fw, err := c.client(d.ts, d.a.httpClient, d.log)
	if err != nil {
		ch.failErr("The FotoWeb client cannot be set up", err)
		return
	}
	d.fw = fw
	ch.Details["tokenSentAs"] = map[bool]string{false: "Authorization header", true: "access_token query parameter"}[c.TokenInQuery]
	ans, err := d.raw.get(ctx, "/fotoweb/me", mtFullDescriptor)
	if err != nil {
		ch.failErr("FotoWeb did not answer GET /fotoweb/me", err)
		return
	}
	ch.Details["status"] = ans.Status
	ch.Details["contentType"] = ans.Header.Get("Content-Type")
	for k, h := range map[string]string{"fotowebServerHeader": "FotoWeb-Server", "serverHeader": "Server", "poweredBy": "X-Powered-By"} {
		if v := ans.Header.Get(h); v != "" {
			ch.Details[k] = truncate(v, 200)
		}
	}
	version := productVersion(ans.Header.Get("FotoWeb-Server"))
	if version != "" {
		ch.Details["productVersion"] = version
	}
	if ans.Status != http.StatusOK {
		ch.set(checkFail, "FotoWeb answered GET /fotoweb/me with %d %s. %s", ans.Status, http.StatusText(ans.Status), descriptorHint(ans.Status, c))
		return
	}
	var desc fotoweb.Descriptor
	if err := json.Unmarshal(ans.Body, &desc); err != nil {
		ch.failErr("The API descriptor does not decode", err)
		return
	}
	ch.Details["server"] = desc.Server
	if desc.User != nil {
		ch.Details["user"] = desc.User.UserName
		ch.Details["guest"] = desc.User.IsGuest
	}
	ch.Details["searchURL"] = desc.SearchURL != ""
	ch.Details["renditionService"] = desc.Services.RenditionRequest != ""
	archives, err := fw.Archives(ctx)
	if err != nil {
		ch.failErr("The API descriptor answered, but the archive list did not", err)
		return
	}
	d.desc, d.archives = &desc, archives
	names := make([]string, 0, len(archives))
	for _, a := range archives {
		names = append(names, a.Name)
	}
	ch.Details["archives"] = names
	who := "the token's user"
	if desc.User != nil && desc.User.UserName != "" {
		who = "user " + desc.User.UserName
	}
	product := "FotoWeb (no product version in a FotoWeb-Server header)"
	if version != "" {
		product = "FotoWeb " + version
	}
	if len(archives) == 0 {
		ch.set(checkWarn, "%s answers for %s, who sees no archive: nothing can be embedded.", product, who)
		return
	}
	ch.set(checkOK, "%s answers for %s, who sees %d archive(s): %s.", product, who, len(archives), strings.Join(names, ", "))
}

// productVersion reads Product-Version from a FotoWeb-Server header
// ("Product-Version=8.2.1412.0; Level=...").
func productVersion(h string) string {
	for _, part := range strings.Split(h, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Product-Version") {
			return truncate(strings.TrimSpace(v), 40)
		}
	}
	return ""
}

// descriptorHint says what a failed descriptor status usually means.
func descriptorHint(status int, c *fotowebConfig) string {
	switch status {
	case http.StatusUnauthorized:
		if !c.TokenInQuery {
			return "FotoWeb refused the access token. If FotoWeb is behind a reverse proxy, it may strip the Authorization header: try --token-in-query."
		}
		return "FotoWeb refused the access token."
	case http.StatusForbidden:
		return "The token's user may not use the API (an API licence is needed)."
	case http.StatusNotAcceptable:
		return "FotoWeb would not send the full API descriptor for this token (a guest token?)."
	}
	return ""
}

// checkRotation (--check-rotation, --auth user) refreshes the login once
// through the token source, which saves the new token to the token file
// atomically before handing it out, and reports whether FotoWeb rotated
// the refresh token and whether the new access token works.
func (d *doctor) checkRotation(ctx context.Context, ch *doctorCheck) {
	switch {
	case d.c.FotoWeb.Auth != authUser:
		ch.skip("Only a --auth user login has a refresh token.")
		return
	case !d.c.CheckRotation:
		ch.skip("Not checked: --check-rotation refreshes the login once (using its refresh token up; the new one is saved to --token-file).")
		return
	}
	old, err := d.store.Load(ctx)
	if err != nil {
		ch.failErr("The token file cannot be read", err)
		return
	}
	cur, err := d.ts.TokenContext(ctx)
	if err != nil {
		ch.failErr("No access token", err)
		return
	}
	before := d.tap.count()
	d.ts.Invalidate(cur)
	tok, err := d.ts.TokenContext(ctx)
	answers := d.tap.since(before)
	if len(answers) > 0 {
		describeTokenAnswer(ch, answers[len(answers)-1])
	}
	if err != nil {
		ch.failErr("The refresh failed", err)
		if errors.Is(err, tokens.ErrLoginRequired) {
			ch.Summary += " The login is gone: run `fotoembed login` again."
		}
		return
	}
	d.secrets.add(tok.AccessToken)
	saved, err := d.store.Load(ctx)
	if err != nil {
		ch.failErr("The refreshed token was not read back from --token-file", err)
		return
	}
	sb, _ := tokens.Standby(saved)
	d.secrets.add(saved.RefreshToken, sb)
	if len(answers) == 0 {
		ch.set(checkWarn, "No refresh was made: the token file held a newer login (another process refreshed it meanwhile), which is used.")
		return
	}
	a := answers[len(answers)-1]
	rotated := saved.RefreshToken != old.RefreshToken
	ch.Details["rotated"] = rotated
	ch.Details["savedToTokenFile"] = saved.AccessToken == tok.AccessToken
	ch.Details["standbyKept"] = sb != ""
	const works = "the new access token works"
	if ans, err := d.raw.get(ctx, "/fotoweb/me", mtFullDescriptor); err != nil || ans.Status != http.StatusOK {
		ch.Details["newAccessTokenWorks"] = false
		ch.set(checkFail, "The refresh answered, but FotoWeb refuses the new access token (GET /fotoweb/me: %s).", statusOrErr(ans, err))
		return
	}
	ch.Details["newAccessTokenWorks"] = true
	switch {
	case rotated:
		ch.set(checkOK, "FotoWeb rotates refresh tokens: the refresh answered a new refresh token (the old one is now spent), "+
			"which was saved to --token-file atomically before use; %s. %s", works, expiresInSentence(a))
	case a.HasRefresh:
		ch.set(checkOK, "FotoWeb answered the refresh with the same refresh token: it does not rotate them; %s. %s", works, expiresInSentence(a))
	default:
		ch.set(checkOK, "FotoWeb does not rotate refresh tokens: the answer had no refresh_token, and the old one is kept in --token-file; %s. %s", works, expiresInSentence(a))
	}
}

// statusOrErr describes a raw answer or the error that stood for it.
func statusOrErr(ans *rawAnswer, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d %s", ans.Status, http.StatusText(ans.Status))
}
