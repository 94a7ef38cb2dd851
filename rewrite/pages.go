package rewrite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// page is a page that holds placeholders.
type page struct {
	file siteFile
	path string // as the user names it: Config.Root joined with file.rel
	abs  string
	doc  []byte
	scanResult
	reqs []int // per placeholder: index of its Request, -1 when it failed
}

// scanPages reads the pages among files and returns those that hold
// placeholders, in tree order.
func (r *run) scanPages(ctx context.Context, files []siteFile) ([]*page, error) {
	var htmls []siteFile
	for _, f := range files {
		if f.html {
			htmls = append(htmls, f)
		}
	}
	r.rep.Files = len(htmls)
	found := make([]*page, len(htmls))
	var mu sync.Mutex
	var errs []error
	forEach(ctx, len(htmls), max(r.cfg.Concurrency, 4), func(i int) {
		p, err := r.scanPage(htmls[i])
		mu.Lock()
		found[i] = p
		if err != nil {
			errs = append(errs, err)
		}
		mu.Unlock()
		r.progress("scan", 1, len(htmls))
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var pages []*page
	for _, p := range found {
		if p != nil {
			pages = append(pages, p)
		}
	}
	return pages, nil
}

// scanPage reads one page; it returns nil when it holds no placeholder.
func (r *run) scanPage(f siteFile) (*page, error) {
	p := &page{file: f, path: filepath.Join(r.cfg.Root, filepath.FromSlash(f.rel)),
		abs: filepath.Join(r.root, filepath.FromSlash(f.rel))}
	doc, err := os.ReadFile(p.abs)
	if err != nil {
		return nil, fmt.Errorf("rewrite: %w", err)
	}
	sr, err := findPlaceholders(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.path, err)
	}
	if len(sr.phs) == 0 {
		return nil, nil
	}
	p.doc, p.scanResult = doc, sr
	return p, nil
}

// requests turns the placeholders into distinct requests; placeholders
// that cannot be asked for become failures.
func (r *run) requests(pages []*page) []Request {
	var reqs []Request
	index := map[string]int{}
	assets := map[string]bool{}
	for _, p := range pages {
		p.reqs = make([]int, len(p.phs))
		for k := range p.phs {
			ph := &p.phs[k]
			r.rep.Images++
			p.reqs[k] = -1
			key, err := r.cfg.Source.Canonical(ph.ref)
			switch {
			case ph.err != nil:
				r.fail(p, ph, ph.err)
				continue
			case err != nil:
				r.fail(p, ph, explain(err))
				continue
			case p.hasBase && r.cfg.Mode == ModeDownload:
				r.fail(p, ph, errors.New("the page has a <base> element, against which the relative paths of downloaded images would resolve; use signed links"))
				continue
			}
			q := Request{Ref: ph.ref, Key: key, Width: ph.opts.width, NeedAlt: !ph.opts.hasAlt,
				Figure: !ph.opts.hasAlt && ph.opts.figure}
			if r.cfg.Mode == ModeExport {
				q.Publication = pageURL(r.cfg.SiteURL, p.file.rel)
			}
			id := q.id()
			i, ok := index[id]
			if !ok {
				i = len(reqs)
				index[id] = i
				reqs = append(reqs, q)
			}
			p.reqs[k] = i
			assets[key] = true
			r.noteUse(key, p)
		}
	}
	r.rep.Assets = len(assets)
	return reqs
}

// fail records a failed placeholder.
func (r *run) fail(p *page, ph *placeholder, err error) {
	r.rep.Failures = append(r.rep.Failures, Failure{File: p.path, Line: ph.line, Ref: ph.ref, Err: err})
}
