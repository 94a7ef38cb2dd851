package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// maxHookBody bounds a webhook body.
const maxHookBody = 1 << 20

// hookPayload is the part of FotoWeb's asset webhook body used: only the
// asset's href (absolute), falling back to data.href. Everything else in
// the payload is ignored: it is a hint, never trusted data.
type hookPayload struct {
	Href string `json:"href"`
	Data struct {
		Href string `json:"href"`
	} `json:"data"`
}

// hook receives FotoWeb asset webhooks (ingested, modified, deleted) and
// drops the cached entry of the asset named by href, so that the next
// request asks FotoWeb. It makes no upstream call. A wrong secret or a
// source outside Config.HookAllow answers 404, as if there were no route.
func (s *Server) hook(c echo.Context) error {
	secret, err := url.PathUnescape(c.Param("secret"))
	if err != nil || !equalDigest(digest(secret), s.hookSum) || !s.hookSourceAllowed(c) {
		return echo.ErrNotFound
	}
	if c.Request().Method != http.MethodPost {
		c.Response().Header().Set("Allow", http.MethodPost)
		return echo.ErrMethodNotAllowed
	}
	href, err := hookHref(c.Response(), c.Request())
	if err != nil {
		return err
	}
	if err := s.res.Invalidate(c.Request().Context(), href); err != nil {
		return badRequest("href is not an asset on the FotoWeb origin")
	}
	key, _ := s.res.Key(href)
	s.log.Info("webhook: asset invalidated", "request_id", requestID(c), "asset", s.redact(key))
	// Following the change costs a FotoWeb request: only when a CDN or a
	// static site is to be told, or export delivery's records may be stale.
	if s.cfg.Purger != nil || s.cfg.Rebuilder != nil || (s.cfg.Exports != nil && s.cfg.Delivery == DeliveryExport) {
		if err := s.followChange(c, key); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}

// followChange asks FotoWeb what became of the asset (the payload is only
// a hint): modified, deleted, or no longer to be shown. It purges the
// asset from the CDN and asks for the pages that use it to be rebuilt
// (neither delays the answer), and drops a deleted asset's export
// records, so that nothing is served from its exports and a new asset at
// the same href is exported anew.
func (s *Server) followChange(c echo.Context, key string) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
	defer cancel()
	in, err := s.res.Resolve(ctx, key)
	reason := "modified"
	switch {
	case errors.Is(err, fotoweb.ErrNotFound):
		reason = "deleted"
	case err != nil:
		// FotoWeb cannot tell now: purge anyway (the cached copy may be
		// stale), keep the export records.
	case in.Check(s.cfg.Now()) != nil:
		reason = "unpublished"
	}
	s.assetChanged(ctx, key, reason)
	if reason != "deleted" || s.cfg.Exports == nil {
		return nil
	}
	n, err := s.cfg.Exports.Forget(ctx, key)
	if err != nil {
		return fmt.Errorf("server: dropping the export records of a deleted asset: %w", err)
	}
	s.log.Info("webhook: deleted asset's export records dropped", "request_id", requestID(c), "asset", s.redact(key), "records", n)
	return nil
}

// hookSourceAllowed reports whether the client IP is in Config.HookAllow
// (always true when the list is empty).
func (s *Server) hookSourceAllowed(c echo.Context) bool {
	if len(s.cfg.HookAllow) == 0 {
		return true
	}
	ip, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.HookAllow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// hookHref reads the href from a JSON or form-encoded webhook body of at
// most maxHookBody bytes.
func hookHref(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxHookBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var href string
	if mt == "application/x-www-form-urlencoded" {
		b, err := io.ReadAll(r.Body) // at most maxHookBody
		if err == nil {
			href, err = formValue(string(b), "href")
		}
		if err != nil {
			return "", hookBodyError(err)
		}
	} else {
		// Nesting and strings bounded; unknown members are skipped
		// without being kept.
		var p hookPayload
		if err := json.NewDecoder(&jsonGuard{r: r.Body}).Decode(&p); err != nil {
			return "", hookBodyError(err)
		}
		_, _ = io.Copy(io.Discard, r.Body) // the rest, so that the body's deadline is lifted
		href = p.Href
		if href == "" {
			href = p.Data.Href
		}
	}
	if strings.TrimSpace(href) == "" {
		return "", badRequest("webhook body has no href")
	}
	return href, nil
}

// hookBodyError maps a body that could not be read.
func hookBodyError(err error) error {
	var mbe *http.MaxBytesError
	var lim *jsonLimitError
	switch {
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "webhook body larger than %d bytes", maxHookBody)
	case errors.As(err, &lim):
		return badRequest("webhook body refused: %s", lim.msg)
	case bodyTimedOut(err):
		return errBodyTimeout
	}
	return badRequest("webhook body is neither JSON nor a form with an href")
}
