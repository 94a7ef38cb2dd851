package rewrite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// resolveItem is one item of a /v1/resolve request.
type resolveItem struct {
	Ref        string `json:"ref"`
	Width      int    `json:"width,omitempty"`
	Decorative bool   `json:"decorative,omitempty"`
	// Figure asks for a figure's alt text, which does not repeat the
	// caption: the service knows the title it falls back to.
	Figure   bool   `json:"figure,omitempty"`
	Delivery string `json:"delivery"`
	// Publication is the page's URL (export delivery); "" leaves the
	// service's default.
	Publication string `json:"publication,omitempty"`
}

// resolveResult is one item of a /v1/resolve answer.
type resolveResult struct {
	Ref     string `json:"ref"`
	URL     string `json:"url"`
	Srcset  string `json:"srcset"`
	Sizes   string `json:"sizes"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	HTML    string `json:"html"`
	Error   string `json:"error"`
	// Expires is when the asset's licence ends, when it has an end.
	Expires *time.Time `json:"expires"`
}

// post asks /v1/resolve for reqs[idx...], retrying transport failures and
// 429/5xx answers. An author's alt makes the item decorative for the
// service: the alt text it would send is not used. A figure's item asks
// for a figure (Request.Figure), whose alt text the service makes so that
// it does not repeat the caption. ModeExport asks for export delivery;
// the other modes for signed URLs.
func (s *Service) post(ctx context.Context, reqs []Request, idx []int, m Mode) ([]resolveResult, error) {
	var body struct {
		Items []resolveItem `json:"items"`
	}
	delivery := "signed"
	if m == ModeExport {
		delivery = "export"
	}
	for _, i := range idx {
		r := reqs[i]
		body.Items = append(body.Items, resolveItem{Ref: r.Ref, Width: r.Width, Decorative: !r.NeedAlt,
			Figure: r.Figure, Delivery: delivery, Publication: r.Publication})
	}
	return s.postItems(ctx, body.Items)
}

// postItems asks /v1/resolve for items, retrying transport failures and
// 429/5xx answers.
func (s *Service) postItems(ctx context.Context, items []resolveItem) ([]resolveResult, error) {
	b, err := json.Marshal(map[string][]resolveItem{"items": items})
	if err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := range serviceAttempts {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(200<<attempt) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, interrupted(ctx)
			case <-t.C:
			}
		}
		res, retry, err := s.postOnce(ctx, b, len(items))
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, interrupted(ctx)
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, lastErr
}

// postOnce sends one /v1/resolve request and reports whether a failure is
// worth retrying.
func (s *Service) postOnce(ctx context.Context, body []byte, n int) ([]resolveResult, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-Key", s.cfg.APIKey)
	s.calls.Add(1)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, true, fmt.Errorf("rewrite: service %s: %w", s.endpoint, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, s.statusError(resp)
	}
	var out struct {
		Results []resolveResult `json:"results"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&out); err != nil {
		return nil, true, fmt.Errorf("rewrite: service %s: answer is not valid JSON: %v", s.endpoint, err)
	}
	if len(out.Results) != n {
		return nil, false, fmt.Errorf("rewrite: service %s: %d results for %d items", s.endpoint, len(out.Results), n)
	}
	return out.Results, false, nil
}

// statusError describes a failed answer, with the service's message.
func (s *Service) statusError(resp *http.Response) error {
	var m struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := http.StatusText(resp.StatusCode)
	if json.Unmarshal(b, &m) == nil && m.Message != "" {
		msg = m.Message
	}
	hint := ""
	if resp.StatusCode == http.StatusUnauthorized {
		hint = " (check the API key, FOTOEMBED_API_KEY)"
	}
	where := s.endpoint
	if resp.Request != nil && resp.Request.URL != nil {
		where = resp.Request.URL.String()
	}
	return fmt.Errorf("rewrite: service %s answered %d: %s%s", where, resp.StatusCode, msg, hint)
}

// open fetches an image through a signed URL, following the service's
// redirect to FotoWeb. No API key is sent.
func (s *Service) open(ctx context.Context, u string) (io.ReadCloser, string, error) {
	s.calls.Add(1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, "", unwrapURLError(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, "", fmt.Errorf("answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// unwrapURLError drops net/http's "Op URL:" wrapping: after a redirect
// the URL is FotoWeb's, with a token in its query.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Record implements [UsageRecorder] through the service's POST /v1/usage,
// so that the service, which receives FotoWeb's webhooks, knows which
// pages of the site to rebuild.
func (s *Service) Record(ctx context.Context, asset, page string) error {
	body, err := json.Marshal(map[string]any{"uses": []map[string]string{{"ref": asset, "page": page}}})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	u := s.cfg.URL + "/v1/usage"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", s.cfg.APIKey)
	s.calls.Add(1)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("rewrite: service %s: %w", u, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return s.statusError(resp)
	}
	return nil
}
