package server

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/templates"
)

// pickerPath is the picker page's route.
const pickerPath = "/picker"

// picker renders the picker a CMS embeds in an iframe:
// /picker?token=T[&origin=O][&multiple=1]. The token comes from POST
// /v1/picker-tokens; the origin is the parent page's, one of
// Config.PickerOrigins (the token's own when it is bound to one; the
// only one when one is configured). The page may be framed by that
// origin alone (CSP frame-ancestors) and posts its messages to it alone.
// An expired or invalid token still gets the page, which tells its
// parent (fotoembed:error) so that the CMS can hand it a new token.
func (ed *editor) picker(c echo.Context) error {
	h := c.Response().Header()
	if len(ed.origins) == 0 {
		return errorf(http.StatusNotFound, "the picker is not enabled: set --picker-origins to the origins of the CMSs that embed it")
	}
	d := templates.PickerData{
		Title: ed.s.cfg.Title, StaticBase: staticBase, DefaultSize: 600, Fields: ed.s.formFields(),
		Delivery: templates.Delivery{Export: ed.s.emb.CanExport()}, TokenState: "ok",
	}
	var err error
	if d.Multiple, err = parseFlag(c.QueryParams(), "multiple"); err != nil {
		return ed.pickerError(c, http.StatusBadRequest, err.Error())
	}
	tok := c.QueryParam("token")
	claims, terr := ed.tokens.verify(tok)
	switch {
	case terr == errPickerTokenExpired:
		d.TokenState = "expired"
	case terr != nil:
		d.TokenState = "invalid"
	}
	bound := ""
	if claims != nil {
		bound = claims.Origin
	}
	origin, msg := ed.parentOrigin(c.QueryParam("origin"), bound)
	if msg != "" {
		return ed.pickerError(c, http.StatusBadRequest, msg)
	}
	d.Origin = origin
	if d.TokenState != "invalid" {
		d.Token = tok
	}
	var buf bytes.Buffer
	if err := ed.s.tpl.ExecuteTemplate(&buf, templates.Picker, d); err != nil {
		return fmt.Errorf("server: rendering the picker: %w", err)
	}
	ed.s.framedPageHeaders(h, origin)
	// The page's URL holds the token: send it nowhere, not even to this
	// service's own images.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// parentOrigin returns the origin the picker may talk to, or a message
// saying why there is none.
func (ed *editor) parentOrigin(asked, bound string) (string, string) {
	asked = strings.TrimSpace(asked)
	switch {
	case asked == "" && bound != "":
		return bound, ""
	case asked == "" && len(ed.origins) == 1:
		return ed.origins[0], ""
	case asked == "":
		return "", "the origin parameter is required: the origin of the page that embeds the picker, one of --picker-origins"
	}
	o := origin.Parse(asked)
	if o == "" || !slices.Contains(ed.origins, o) {
		return "", fmt.Sprintf("origin %q is not allowed to embed the picker (--picker-origins)", redactText(asked))
	}
	if bound != "" && o != bound {
		return "", "this picker token was issued for another origin"
	}
	return o, ""
}

// pickerError renders the picker's page with only a message, framable
// by every picker origin so that the CMS shows it.
func (ed *editor) pickerError(c echo.Context, status int, msg string) error {
	var buf bytes.Buffer
	d := templates.PickerData{Title: ed.s.cfg.Title, StaticBase: staticBase, Error: msg}
	if err := ed.s.tpl.ExecuteTemplate(&buf, templates.Picker, d); err != nil {
		return fmt.Errorf("server: rendering the picker: %w", err)
	}
	ed.s.framedPageHeaders(c.Response().Header(), strings.Join(ed.origins, " "))
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}
