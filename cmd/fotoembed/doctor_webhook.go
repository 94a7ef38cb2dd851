package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// webhookLimits says what the webhook check cannot tell.
const webhookLimits = "This shows only what answers from this machine. FotoWeb posts webhooks from its own servers " +
	"(Fotoware's cloud for a SaaS tenant): a firewall, a host name known only inside a network, or the service's --hook-allow " +
	"may still keep them out, and no FotoWeb API sends a test webhook. Only a change to an asset in FotoWeb shows that they arrive " +
	"(the service logs \"webhook: asset invalidated\")."

// checkWebhook checks, from this machine, that --base-url leads to a
// running fotoembed (GET /healthz) and, with the webhook secret, that
// its webhook route answers for that secret: a GET there answers 405
// (POST only) when the secret is right and this machine is allowed,
// 404 otherwise, and changes nothing. It also says whether the host
// resolves only to addresses a FotoWeb elsewhere cannot reach.
func (d *doctor) checkWebhook(ctx context.Context, ch *doctorCheck) {
	if d.c.BaseURL == "" {
		ch.skip("Not checked: give --base-url (FOTOEMBED_BASE_URL), the service's public URL, and the webhook secret (FOTOEMBED_HOOK_SECRET).")
		return
	}
	base := strings.TrimRight(d.c.BaseURL, "/")
	ch.Details["baseURL"] = safeURL(base)
	ch.Details["hookURL"] = safeURL(base) + "/hooks/fotoweb/(the webhook secret)"
	ch.Details["limits"] = webhookLimits
	u, _ := url.Parse(base)
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		ch.failErr("The host of --base-url does not resolve here", err)
		return
	}
	kinds, private := addressKinds(ips)
	ch.Details["addresses"] = kinds
	hc := &http.Client{Transport: d.baseTransport(), CheckRedirect: noRedirects, Timeout: d.c.FotoWeb.Timeout}
	status, err := getStatus(ctx, hc, base+"/healthz")
	if err != nil {
		ch.failErr("The service at --base-url does not answer from here (GET /healthz)", err)
		return
	}
	ch.Details["healthzStatus"] = status
	if status != http.StatusOK {
		ch.set(checkFail, "GET /healthz at --base-url answered %d %s: it does not lead to a running fotoembed. %s", status, http.StatusText(status), webhookLimits)
		return
	}
	reach := ""
	if private {
		reach = fmt.Sprintf(" Its host resolves only to %s addresses: a FotoWeb in the cloud cannot reach them (an on-premises FotoWeb in the same network may).",
			strings.Join(kinds, " and "))
	}
	if d.c.HookSecret == "" {
		ch.set(checkWarn, "The service answers at --base-url, but its webhook route was not checked: no webhook secret was given (FOTOEMBED_HOOK_SECRET or --hook-secret-file).%s %s",
			reach, webhookLimits)
		return
	}
	status, err = getStatus(ctx, hc, base+"/hooks/fotoweb/"+url.PathEscape(d.c.HookSecret))
	if err != nil {
		ch.failErr("The webhook route at --base-url does not answer from here", err)
		return
	}
	ch.Details["hookRouteStatus"] = status
	switch {
	case status == http.StatusMethodNotAllowed:
		st := checkOK
		if private {
			st = checkWarn
		}
		ch.set(st, "The webhook route answers from here for this secret (a GET answers 405: it takes POST only), so webhooks are on "+
			"and this machine may send them.%s %s", reach, webhookLimits)
	case status == http.StatusNotFound:
		ch.set(checkFail, "The webhook route answered 404 for this secret: the service at --base-url has webhooks off, another secret, "+
			"or does not allow this machine (--hook-allow); which of these cannot be told from outside. %s", webhookLimits)
	default:
		ch.set(checkWarn, "The webhook route answered %d %s, not the 405 a fotoembed service gives a GET (a proxy in front?).%s %s",
			status, http.StatusText(status), reach, webhookLimits)
	}
}

// addressKinds names the kinds of ips (public, private, loopback,
// link-local) and reports whether none is public.
func addressKinds(ips []netip.Addr) ([]string, bool) {
	var kinds []string
	add := func(k string) {
		for _, x := range kinds {
			if x == k {
				return
			}
		}
		kinds = append(kinds, k)
	}
	public := false
	for _, ip := range ips {
		ip = ip.Unmap()
		switch {
		case ip.IsLoopback():
			add("loopback")
		case ip.IsPrivate():
			add("private")
		case ip.IsLinkLocalUnicast():
			add("link-local")
		case ip.IsUnspecified():
			add("unspecified")
		default:
			add("public")
			public = true
		}
	}
	return kinds, !public
}

// getStatus GETs u and returns the status; the error carries no URL.
func getStatus(ctx context.Context, hc *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, redactErr(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, redactErr(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
