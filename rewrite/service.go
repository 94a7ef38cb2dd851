package rewrite

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// Service defaults.
const (
	// DefaultBatchSize is the number of items per /v1/resolve request
	// (the service's default limit).
	DefaultBatchSize = 100
	// DefaultServiceTimeout bounds one request to the service.
	DefaultServiceTimeout = 60 * time.Second
	// serviceAttempts is how often a failing /v1/resolve is tried.
	serviceAttempts = 3
)

// ServiceConfig configures a [Service] source.
type ServiceConfig struct {
	// URL is the fotoembed service's base URL, such as
	// "https://img.example.com"; required.
	URL string
	// APIKey is sent as X-API-Key to /v1/resolve (never with image
	// downloads); required.
	APIKey string
	// FotoWebURL is the FotoWeb origin, if known: full FotoWeb URLs on it
	// then share one resolution with href references to the same asset.
	FotoWebURL string
	// HTTPClient sends the requests; nil means a client of its own.
	HTTPClient *http.Client
	// BatchSize is the number of items per request; 0 means
	// DefaultBatchSize, negative is an error.
	BatchSize int
	// Timeout bounds each request; 0 means DefaultServiceTimeout,
	// negative is an error.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service resolves placeholders through a running fotoembed service's
// POST /v1/resolve, so the build machine needs no FotoWeb credentials and
// no signing keys. Create it with [NewService].
type Service struct {
	cfg      ServiceConfig
	endpoint string
	origin   *url.URL // nil when FotoWebURL is not set
	calls    atomic.Int64
}

// NewService returns a Service source for cfg.
func NewService(cfg ServiceConfig) (*Service, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("rewrite: service URL %q must be an http(s) URL without query, fragment or user info", cfg.URL)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("rewrite: the service needs an API key")
	}
	if cfg.BatchSize < 0 {
		return nil, fmt.Errorf("rewrite: ServiceConfig.BatchSize is negative (%d): give 0 for the default (%d), or more", cfg.BatchSize, DefaultBatchSize)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("rewrite: ServiceConfig.Timeout is negative (%v): give 0 for the default (%v), or more", cfg.Timeout, DefaultServiceTimeout)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultServiceTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg}
	if cfg.FotoWebURL != "" {
		o, err := url.Parse(cfg.FotoWebURL)
		if err != nil || (o.Scheme != "http" && o.Scheme != "https") || o.Host == "" {
			return nil, fmt.Errorf("rewrite: FotoWeb URL %q must be an http(s) origin", cfg.FotoWebURL)
		}
		s.origin = &url.URL{Scheme: o.Scheme, Host: o.Host}
	}
	s.cfg.URL = strings.TrimRight(cfg.URL, "/")
	s.endpoint = s.cfg.URL + "/v1/resolve"
	return s, nil
}

// Canonical returns the asset's canonical href; a full URL that is not on
// ServiceConfig.FotoWebURL is keyed with its origin in front (the service
// checks the origin, this side need not know it).
func (s *Service) Canonical(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "/") {
		return fotoweb.ParseAssetRef(nil, ref)
	}
	if s.origin != nil {
		if p, err := fotoweb.ParseAssetRef(s.origin, ref); err == nil {
			return p, nil
		}
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fotoweb.ParseAssetRef(nil, ref) // says what is wrong
	}
	origin := &url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host)}
	p, err := fotoweb.ParseAssetRef(origin, ref)
	if err != nil {
		return "", err
	}
	return origin.String() + p, nil
}

func (s *Service) check(Mode) error { return nil }

// fingerprint tells export answers from signed ones: the record keeps the
// service's URLs, and signed and download mode both keep signed URLs.
func (s *Service) fingerprint(m Mode) string {
	if m == ModeExport {
		return "service " + s.cfg.URL + " export"
	}
	return "service " + s.cfg.URL
}

func (s *Service) upstream() int { return int(s.calls.Load()) }

// serviceItem is one /v1/resolve answer, as kept in the record.
type serviceItem struct {
	URL     string    `json:"url"`
	Srcset  string    `json:"srcset"`
	Width   int       `json:"width"`
	Height  int       `json:"height"`
	Alt     string    `json:"alt,omitempty"`
	Caption string    `json:"caption,omitempty"`
	Credit  string    `json:"credit,omitempty"`
	Fetched time.Time `json:"fetched"`
}

// resolve answers the requests the record does not, in batches.
func (s *Service) resolve(ctx context.Context, reqs []Request, env resolveEnv) []Result {
	out := make([]Result, len(reqs))
	var todo []int
	for i, r := range reqs {
		if it, ok := env.rec.item(r.id()); ok {
			out[i].Image, out[i].Err = it.image()
			env.progress(1, len(reqs))
			continue
		}
		todo = append(todo, i)
	}
	n := s.cfg.BatchSize
	batches := (len(todo) + n - 1) / n
	answered := make([]bool, len(reqs))
	forEach(ctx, batches, env.concurrency, func(b int) {
		idx := todo[b*n : min(len(todo), (b+1)*n)]
		items, err := s.post(ctx, reqs, idx, env.mode)
		for k, i := range idx {
			answered[i] = true
			if err != nil {
				out[i].Err = err
				continue
			}
			out[i].Image, out[i].Err = s.answer(items[k], reqs[i], env.rec)
		}
		env.progress(len(idx), len(reqs))
	})
	for _, i := range todo {
		if !answered[i] {
			out[i].Err = interrupted(ctx)
		}
	}
	return out
}

// answer turns one item of a /v1/resolve answer into an image.
func (s *Service) answer(r resolveResult, req Request, rec *record) (*Image, error) {
	if r.Error != "" {
		return nil, &reasonError{"the service says: " + r.Error, nil}
	}
	// A figure's alt text is "" when its caption, read instead, repeats
	// its alt and title texts (embed.Text.FigureAlt).
	if req.NeedAlt && r.Alt == "" && (!req.Figure || r.Caption == "") {
		return nil, fmt.Errorf("%w in FotoWeb: write alt=\"...\" on the tag, or alt=\"\" for a decorative image", ErrNoAlt)
	}
	it := &serviceItem{URL: r.URL, Srcset: r.Srcset, Width: r.Width, Height: r.Height,
		Alt: r.Alt, Caption: r.Caption, Credit: r.Credit, Fetched: s.cfg.Now()}
	img, err := it.image()
	if err == nil {
		rec.setItem(req.id(), it)
	}
	return img, err
}

// image turns a kept answer into an image.
func (it *serviceItem) image() (*Image, error) {
	img, ok := linkedImage(it.URL, it.Srcset, it.Width, it.Height)
	if !ok {
		return nil, errors.New("rewrite: the service's answer lacks url or srcset")
	}
	img.Alt, img.Caption, img.Credit = it.Alt, it.Caption, it.Credit
	return img, nil
}

// linkedImage makes the image of a src URL, a srcset value ("URL 400w,
// URL 800w") and the width and height attributes (0 when left out: a
// size FotoWeb does not know); ok is false when src or srcset is
// missing, or a dimension is negative.
func linkedImage(src, srcset string, width, height int) (img *Image, ok bool) {
	img = &Image{Src: Candidate{URL: src}, Width: width, Height: height}
	for _, part := range strings.Split(srcset, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		c := Candidate{URL: f[0]}
		if len(f) == 2 && strings.HasSuffix(f[1], "w") {
			fmt.Sscanf(f[1], "%dw", &c.Width)
		}
		if c.URL == img.Src.URL {
			img.Src.Width = c.Width
		}
		img.Srcset = append(img.Srcset, c)
	}
	return img, img.Src.URL != "" && len(img.Srcset) > 0 && img.Width >= 0 && img.Height >= 0
}
