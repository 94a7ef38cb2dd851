package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
)

// run performs the phases: scan, resolve, download, write.
func (r *run) run(ctx context.Context) error {
	files, err := walkSite(r.root, r.exts, r.skip)
	if err != nil {
		return fmt.Errorf("rewrite: reading the site: %w", err)
	}
	pages, err := r.scanPages(ctx, files)
	if err != nil {
		return r.stopped(ctx, err)
	}
	reqs := r.requests(pages)
	rec, werr := loadRecord(r.cfg.CacheFile, r.cfg.Source.fingerprint(r.cfg.Mode), r.cfg.MaxAge, r.cfg.Now)
	if werr != nil {
		r.rep.Warnings = append(r.rep.Warnings, werr.Error())
	}
	results := r.cfg.Source.resolve(ctx, reqs, resolveEnv{mode: r.cfg.Mode, rec: rec,
		concurrency: r.cfg.Concurrency, progress: func(n, total int) { r.progress("resolve", n, total) }})
	r.failResults(pages, results)
	links := map[string]string{}
	if r.cfg.Mode == ModeDownload && len(r.rep.Failures) == 0 && !r.cfg.DryRun && ctx.Err() == nil {
		links = r.download(ctx, pages, results, rec)
	}
	if ctx.Err() != nil {
		return r.stopped(ctx, ctx.Err())
	}
	r.rep.Pages = len(pages)
	if len(r.rep.Failures) > 0 { // nothing is written, the record neither
		sort.SliceStable(r.rep.Failures, func(i, j int) bool {
			a, b := r.rep.Failures[i], r.rep.Failures[j]
			return a.File < b.File || a.File == b.File && a.Line < b.Line
		})
		return &UnresolvedError{Failures: r.rep.Failures, DryRun: r.cfg.DryRun}
	}
	saved := make(chan error, 1) // the record is written while the pages are
	if r.cfg.DryRun {
		saved <- nil
	} else {
		go func() { saved <- rec.save() }()
	}
	defer func() {
		if err := <-saved; err != nil {
			r.rep.Warnings = append(r.rep.Warnings, err.Error())
		}
	}()
	for _, p := range pages {
		r.rep.Changed = append(r.rep.Changed, p.path)
	}
	return r.write(ctx, files, pages, results, links)
}

// skip leaves out the record and, in place, the asset folder; with Out,
// the tree is copied whole except a record left at the site's root.
func (r *run) skip(rel string, dir bool) bool {
	if r.out == r.root && dir && rel == r.cfg.AssetDir {
		return true
	}
	return !dir && filepath.Join(r.root, filepath.FromSlash(rel)) == r.cfg.CacheFile ||
		!dir && r.out != r.root && rel == DefaultCacheFile
}

// stopped is the error of a run that ended before writing.
func (r *run) stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("rewrite: interrupted; no file was changed: %w", ctx.Err())
	}
	return err
}

// failResults records the failed requests against their placeholders.
func (r *run) failResults(pages []*page, results []Result) {
	for _, p := range pages {
		for k, i := range p.reqs {
			if i >= 0 && results[i].Err != nil {
				r.fail(p, &p.phs[k], results[i].Err)
			}
		}
	}
}

// download fetches every preview the images link to and returns the file
// name of each; a preview that fails fails its placeholders.
func (r *run) download(ctx context.Context, pages []*page, results []Result, rec *record) map[string]string {
	var urls []string
	seen := map[string]bool{}
	for _, res := range results {
		if res.Image == nil {
			continue
		}
		for _, c := range append([]Candidate{res.Image.Src}, res.Image.Srcset...) {
			if !seen[c.URL] {
				seen[c.URL] = true
				urls = append(urls, c.URL)
			}
		}
	}
	d := &downloader{src: r.cfg.Source, dir: r.assetDir, rec: rec}
	names, errs := d.fetchAll(ctx, urls, r.cfg.Concurrency, func(n, total int) { r.progress("download", n, total) })
	r.rep.Downloads = int(d.fetched.Load())
	for _, p := range pages {
		for k, i := range p.reqs {
			if i < 0 || results[i].Image == nil {
				continue
			}
			img := results[i].Image
			for _, c := range append([]Candidate{img.Src}, img.Srcset...) {
				if err := errs[c.URL]; err != nil {
					r.fail(p, &p.phs[k], &reasonError{fmt.Sprintf("downloading the %s preview: %v", widthOr(c.Width), reason(err)), err})
					break
				}
			}
		}
	}
	return names
}

// widthOr names a preview by its width.
func widthOr(w int) string {
	if w > 0 {
		return widthLabel(w)
	}
	return "chosen"
}

// render returns page p with its placeholders replaced.
func (r *run) render(p *page, results []Result, links map[string]string) []byte {
	link := func(c Candidate) string { return c.URL }
	if r.cfg.Mode == ModeDownload {
		link = func(c Candidate) string { return relURL(p.file.rel, r.cfg.AssetDir, links[c.URL]) }
	}
	return splice(p.doc, p.phs, func(k int, b *bytes.Buffer) {
		render(b, &p.phs[k], results[p.reqs[k]].Image, link)
	})
}
