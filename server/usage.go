package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/usage"
)

// usageAnswer is GET /v1/usage's body.
type usageAnswer struct {
	// Asset is the asset's canonical href.
	Asset string `json:"asset"`
	// Pages are the pages that use it, most recently seen first.
	Pages []usage.Use `json:"pages"`
}

// usageList answers GET /v1/usage?ref=REF: the pages recorded as using
// the asset. Without a usage store it answers 404 saying so.
func (s *Server) usageList(c echo.Context) error {
	if s.cfg.Usage == nil {
		return errorf(http.StatusNotFound, "where-used is not recorded by this service: no usage store is configured")
	}
	ref := c.QueryParam("ref")
	if strings.TrimSpace(ref) == "" {
		return badRequest("ref is required")
	}
	key, err := s.res.Key(ref)
	if err != nil {
		return err // a bad reference: 400 saying why
	}
	pages, err := s.cfg.Usage.Pages(c.Request().Context(), key)
	if err != nil {
		return fmt.Errorf("server: listing the pages of %s: %w", key, err)
	}
	if pages == nil {
		pages = []usage.Use{}
	}
	return c.JSON(http.StatusOK, usageAnswer{Asset: key, Pages: pages})
}

// checkPage reports a page= that cannot be recorded (400).
func checkPage(page string) error {
	if page == "" {
		return nil
	}
	if err := usage.CheckPage(page); err != nil {
		return badRequest("%s", err.Error())
	}
	return nil
}

// recordUse notes that page uses asset when a usage store is configured
// and the request named a page. A failure is logged (at most once per
// usageLogInterval, with the count since), never the caller's problem.
func (s *Server) recordUse(ctx context.Context, asset, page string) {
	if s.cfg.Usage == nil || page == "" {
		return
	}
	err := s.cfg.Usage.Record(ctx, asset, page)
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	if n, ok := usageLog.allow(time.Now()); ok {
		s.log.Warn("where-used: the page using an asset was not recorded", "asset", s.redact(asset),
			"err", s.redact(err.Error()), "failures", n)
	}
}

// usageLogInterval spaces out the log lines of failed records: a full
// or unreachable store fails every request.
const usageLogInterval = time.Minute

// usageLog limits the log lines of failed records.
var usageLog logLimit

// logLimit lets one log line through per usageLogInterval.
type logLimit struct {
	mu   sync.Mutex
	last time.Time
	n    int
}

// allow counts a failure and reports whether to log it now, with the
// failures counted since the last line.
func (l *logLimit) allow(now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if !l.last.IsZero() && now.Sub(l.last) < usageLogInterval {
		return 0, false
	}
	n := l.n
	l.last, l.n = now, 0
	return n, true
}

// usageBatch is POST /v1/usage's body: pages that use assets, as a
// static-site build through the service reports them.
type usageBatch struct {
	Uses []usageItem `json:"uses"`
}

// usageItem is one of usageBatch's uses.
type usageItem struct {
	Ref  string `json:"ref"`
	Page string `json:"page"`
}

// usageRecord answers POST /v1/usage: records every (ref, page) of the
// body (at most Config.MaxBatch) and answers 204, or 400 naming the first
// bad item before recording any.
func (s *Server) usageRecord(c echo.Context) error {
	if s.cfg.Usage == nil {
		return errorf(http.StatusNotFound, "where-used is not recorded by this service: no usage store is configured")
	}
	var b usageBatch // decoded item by item, bounded by Config.MaxBatch
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxResolveBody)
	if err := decodeList(body, "uses", s.cfg.MaxBatch, func(u usageItem) { b.Uses = append(b.Uses, u) }); err != nil {
		return err
	}
	keys := make([]string, len(b.Uses))
	for i, u := range b.Uses {
		key, err := s.res.Key(u.Ref)
		if err != nil {
			return badRequest("uses[%d]: ref is not an asset on the FotoWeb origin", i)
		}
		if u.Page == "" {
			return badRequest("uses[%d]: page is required", i)
		}
		if err := checkPage(u.Page); err != nil {
			return badRequest("uses[%d]: %s", i, publicMessage(err))
		}
		keys[i] = key
	}
	for i, u := range b.Uses {
		if err := s.cfg.Usage.Record(c.Request().Context(), keys[i], u.Page); err != nil {
			return fmt.Errorf("server: recording where %s is used: %w", keys[i], err)
		}
	}
	return c.NoContent(http.StatusNoContent)
}
