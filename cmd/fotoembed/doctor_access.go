package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urltoken"
)

// checkPreviewAuth runs the URL token prober serve's --url-token auto
// uses: it fetches one real preview as a browser would, with no token,
// then the asset's previewToken, then the access token, and keeps the
// narrowest form FotoWeb accepts. The access token must pass the check
// serve makes before it hands it out (no acknowledgement flags here).
func (d *doctor) checkPreviewAuth(ctx context.Context, ch *doctorCheck) {
	allow := (&accessConfig{}).allowAccess(d.c.FotoWeb.Auth, false, d.fw)
	p, err := urltoken.New(urltoken.Config{Client: d.fw, Tokens: d.ts, AllowAccess: allow})
	if err != nil {
		ch.failErr("The prober cannot be set up", err)
		return
	}
	st := p.Probe(ctx)
	ch.Details["policy"] = st.Policy.String()
	ch.Details["reason"] = st.Reason
	switch {
	case st.Checked.IsZero():
		why := st.Reason
		if _, after, ok := strings.Cut(why, "could not tell: "); ok {
			why = strings.TrimSuffix(after, ")")
		}
		ch.set(checkFail, "Could not tell which preview authentication FotoWeb accepts: %s", why)
	case st.AccessRefused:
		ch.set(checkWarn, "Only the access token opens preview URLs, and serve would not put it in URLs (%s). Redirect delivery and direct HTML "+
			"cannot work so; --delivery proxy or export can.", refusedBecause(d.c.FotoWeb.Auth))
	case st.Policy == embed.URLTokenNone:
		ch.set(checkOK, "FotoWeb serves preview URLs with no token: --url-token auto uses them as they are (none).")
	case st.Policy == embed.URLTokenPreview:
		ch.set(checkOK, "FotoWeb refuses preview URLs without a token and accepts the asset's previewToken (one asset, one hour): --url-token auto uses preview.")
	case st.Policy == embed.URLTokenAccess:
		ch.set(checkWarn, "Only the access token opens preview URLs: --url-token auto puts it in every URL handed to browsers (allowed: %s).", accessAllowedBecause(d.c.FotoWeb.Auth))
	default:
		ch.set(checkFail, "FotoWeb accepted no form of a preview URL: %s", st.Reason)
	}
}

// refusedBecause says briefly why serve keeps the access token out of
// URLs.
func refusedBecause(auth string) string {
	if auth == authClientCredentials {
		return "a client_credentials token has full administrative access; only --i-understand-admin-token-in-urls allows it"
	}
	return "its user is not read-only, or that could not be told; see the read-only check"
}

// accessAllowedBecause says why serve may hand out the access token.
func accessAllowedBecause(auth string) string {
	if auth == authClientCredentials {
		return "only with --i-understand-admin-token-in-urls"
	}
	return "FotoWeb lists no right of its user to change anything"
}

// checkReadOnly asks FotoWeb what the token's user may change, as serve
// does before it puts the access token in URLs: the rights are read from
// the API descriptor and the archive list; nothing is changed.
func (d *doctor) checkReadOnly(ctx context.Context, ch *doctorCheck) {
	ch.Details["method"] = "rights read from the API descriptor and the archive list; nothing was changed"
	err := urltoken.CheckReadOnly(ctx, d.fw)
	var we *urltoken.WritableError
	admin := d.c.FotoWeb.Auth == authClientCredentials
	switch {
	case err == nil && admin:
		ch.set(checkWarn, "FotoWeb lists no right to change anything, but a client_credentials token has full administrative access "+
			"to the tenant all the same: serve keeps it out of URLs unless --i-understand-admin-token-in-urls.")
	case err == nil:
		ch.set(checkOK, "FotoWeb lists no right of this user to change anything: the user is read-only, so serve may put its access token "+
			"in URLs (--url-token access, or auto when only that works).")
	case errors.As(err, &we):
		ch.Details["user"] = we.User
		ch.Details["rights"] = we.Rights
		if admin {
			ch.set(checkWarn, "A client_credentials token has full administrative access to the tenant (FotoWeb lists its rights to change "+
				"things: %s): serve never puts it in URLs unless --i-understand-admin-token-in-urls. For redirect delivery, log in as a "+
				"read-only user (`fotoembed login`) and serve with --auth user.", rightsPlaces(we.Rights))
			return
		}
		ch.set(checkWarn, "The user may change things in FotoWeb (%s): serve refuses to put its access token in URLs unless "+
			"--i-understand-writable-token-in-urls. Preview URLs with no token or the previewToken, proxy and export delivery are not affected.",
			summarizeRights(we.Rights))
	default:
		ch.failErr("FotoWeb could not tell what the user may change", err)
	}
}

// rightsPlaces names where rights were found ("site", "archive Photos").
func rightsPlaces(r []string) string {
	var places []string
	for _, x := range r {
		p, _, _ := strings.Cut(x, ":")
		if !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	return strings.Join(places, ", ")
}

// summarizeRights shortens a list of rights for a sentence.
func summarizeRights(r []string) string {
	if len(r) > 3 {
		return strings.Join(r[:3], "; ") + fmt.Sprintf("; and %d more", len(r)-3)
	}
	return strings.Join(r, "; ")
}

// doctorPublication is the publication the --check-export export is
// recorded under in FotoWeb's export manager.
const doctorPublication = "fotoembed doctor"

// checkExport reports whether FotoWeb lets this user export: read-only
// from the archives' and assets' permissions (and --export-preset), and
// with --check-export by making one export and fetching its public URL
// without credentials.
func (d *doctor) checkExport(ctx context.Context, ch *doctorCheck) {
	var yes, no []string
	listed := false
	for _, a := range d.archives {
		listed = listed || len(a.Permissions) > 0
		if slices.Contains(a.Permissions, "Export") {
			yes = append(yes, a.Name)
		} else {
			no = append(no, a.Name)
		}
	}
	ch.Details["archivesWithExport"] = yes
	ch.Details["archivesWithoutExport"] = no
	ch.Details["assetsListingExport"] = fmt.Sprintf("%d of %d seen", d.exportable, d.seenAssets)
	if presets, err := d.fw.ExportPresets(ctx); err == nil {
		ch.Details["exportPresets"] = len(presets)
	} else {
		ch.Details["exportPresetList"] = "not listed: " + err.Error()
	}
	if pr := d.c.ExportPreset; pr != "" {
		if _, err := d.fw.ExportPresetAt(ctx, pr); err != nil {
			ch.failErr(fmt.Sprintf("--export-preset %q is not a preset FotoWeb has for this user", pr), err)
			return
		}
		ch.Details["exportPresetFound"] = true
	}
	if !d.c.CheckExport {
		switch {
		case len(yes) > 0:
			ch.set(checkOK, "FotoWeb lists the Export permission for this user in %s. Whether an EXPORT succeeds is only known by making one "+
				"(--check-export; it publishes a public URL).", strings.Join(yes, ", "))
		case !listed:
			ch.set(checkWarn, "FotoWeb lists no permissions on the archives, so whether this user may export cannot be told without exporting (--check-export).")
		default:
			ch.set(checkWarn, "No archive lists the Export permission for this user: --delivery export would be refused (403).")
		}
		return
	}
	d.exportOne(ctx, ch)
}

// exportOne makes one export (--check-export) and fetches its public URL
// without credentials.
func (d *doctor) exportOne(ctx context.Context, ch *doctorCheck) {
	target, err := d.exportTarget(ctx)
	if err != nil {
		ch.failErr("Nothing to export", err)
		return
	}
	req := fotoweb.ExportRequest{Publication: doctorPublication, Preset: d.c.ExportPreset}
	if req.Preset == "" {
		req.Width = 400
	}
	data, err := d.fw.Export(ctx, target.Href, req)
	if err != nil {
		ch.Details["exported"] = false
		why := "FotoWeb refused the export"
		if errors.Is(err, fotoweb.ErrForbidden) {
			why += " (the user lacks the Export permission there)"
		}
		ch.failErr(why, err)
		return
	}
	ch.Details["exported"] = true
	ch.Details["publication"] = doctorPublication
	pub := data.Export.Image.Normal
	ch.Details["publicURLShape"] = urlShape(pub, d.c.FotoWeb.URL)
	status, ctype, err := d.fetchPublic(ctx, pub)
	if err != nil {
		ch.set(checkWarn, "The export worked, but its public URL did not answer from here: %v. Revoke the export in FotoWeb's export manager "+
			"(publication %q).", err, doctorPublication)
		return
	}
	ch.Details["publicURLStatus"] = status
	ch.Details["publicURLContentType"] = ctype
	if status != http.StatusOK {
		ch.set(checkWarn, "The export worked, but its public URL answered %d %s without credentials. Revoke the export in FotoWeb's export manager "+
			"(publication %q).", status, http.StatusText(status), doctorPublication)
		return
	}
	ch.set(checkOK, "Export works: FotoWeb published a public URL that answers without a token (%s). This made a permanent public URL: "+
		"revoke it in FotoWeb's export manager (publication %q) if it is not wanted.", ctype, doctorPublication)
}

// errNoImage: no image to export was found.
var errNoImage = errors.New("no image asset with previews was found in the archives the token sees")

// exportTarget picks an image to export: one met walking lists whose
// permissions list Export, else any met image, else the first image an
// empty search of the archives finds.
func (d *doctor) exportTarget(ctx context.Context) (*fotoweb.Asset, error) {
	for i := range d.images {
		if slices.Contains(d.images[i].Permissions, "Export") {
			return &d.images[i], nil
		}
	}
	if len(d.images) > 0 {
		return &d.images[0], nil
	}
	for _, a := range d.archives {
		if a.SearchURL == "" {
			continue
		}
		hits, err := d.fw.Search(ctx, a.SearchURL, "", 5)
		if err != nil {
			return nil, err
		}
		for i := range hits {
			if len(hits[i].Previews) > 0 {
				return &hits[i], nil
			}
		}
	}
	return nil, errNoImage
}

// fetchPublic GETs a public export URL with no credentials.
func (d *doctor) fetchPublic(ctx context.Context, u string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.c.FotoWeb.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", redactErr(err)
	}
	resp, err := (&http.Client{Transport: d.baseTransport()}).Do(req)
	if err != nil {
		return 0, "", redactErr(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, resp.Header.Get("Content-Type"), nil
}

var longHex = regexp.MustCompile(`[0-9a-fA-F]{16,}`)

// urlShape describes a public URL without naming it: where it lives and
// its path with long ids replaced.
func urlShape(u, origin string) string {
	where, path := "another host", u
	if rest, ok := strings.CutPrefix(u, origin); ok {
		where, path = "the FotoWeb origin", rest
	} else if i := strings.Index(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/"); i >= 0 {
		path = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")[i:]
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return longHex.ReplaceAllString(path, "<hex>") + " on " + where
}
