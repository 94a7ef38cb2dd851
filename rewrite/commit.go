package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// job is one file to write.
type job struct {
	dst     string
	data    []byte // a rewritten page
	src     string // a file to copy (Out), when data is nil
	link    string // a symlink's target (Out)
	perm    fs.FileMode
	verify  *siteFile // in place: the page must still be as read
	symlink bool
}

// write writes the rewritten pages (and, with Out, copies the rest of the
// tree) in two steps: every file is first written to a temporary file
// beside its destination and flushed to disk (several at once); only when
// all were written are they renamed into place. An error or an
// interruption in the first step leaves every destination as it was.
func (r *run) write(ctx context.Context, files []siteFile, pages []*page, results []Result, links map[string]string) error {
	jobs, err := r.jobs(files, pages, results, links)
	if err != nil {
		return err
	}
	r.rep.Written = len(jobs)
	if r.cfg.DryRun || len(jobs) == 0 {
		return nil
	}
	temps := make([]staged, len(jobs))
	var mu sync.Mutex
	var errs []error
	forEach(ctx, len(jobs), max(r.cfg.Concurrency, 4), func(i int) {
		s, err := jobs[i].stage()
		mu.Lock()
		temps[i] = s
		if err != nil {
			errs = append(errs, err)
		}
		mu.Unlock()
		r.progress("write", 1, 2*len(jobs))
	})
	if err := ctx.Err(); err != nil || len(errs) > 0 {
		for _, s := range temps {
			if s.tmp != "" {
				s.discard()
			}
		}
		if err != nil {
			return r.stopped(ctx, err)
		}
		return fmt.Errorf("rewrite: %w; no file was changed", errors.Join(errs...))
	}
	for _, s := range temps { // past this point the run finishes
		if err := s.commit(); err != nil {
			errs = append(errs, fmt.Errorf("rewrite: %s: %w", s.dst, err))
		}
		r.progress("write", 1, 2*len(jobs))
	}
	return errors.Join(errs...)
}

// jobs lists the files to write: the rewritten pages, and with Out every
// other file that is not already identical there.
func (r *run) jobs(files []siteFile, pages []*page, results []Result, links map[string]string) ([]job, error) {
	out := make([][]byte, len(pages))
	forEach(context.Background(), len(pages), max(r.cfg.Concurrency, 4), func(i int) {
		out[i] = r.render(pages[i], results, links)
	})
	rendered := make(map[string][]byte, len(pages))
	for i, p := range pages {
		rendered[p.file.rel] = out[i]
	}
	var jobs []job
	for _, f := range files {
		dst := filepath.Join(r.out, filepath.FromSlash(f.rel))
		src := filepath.Join(r.root, filepath.FromSlash(f.rel))
		data, isPage := rendered[f.rel]
		j := job{dst: dst, data: data, perm: f.info.Mode().Perm()}
		switch {
		case r.out == r.root && !isPage:
			continue
		case r.out == r.root:
			j.verify = &f
		case f.symlink:
			target, err := os.Readlink(src)
			if err != nil {
				return nil, fmt.Errorf("rewrite: %w", err)
			}
			if cur, err := os.Readlink(dst); err == nil && cur == target {
				continue
			}
			j.symlink, j.link = true, target
		case isPage:
			if cur, err := os.ReadFile(dst); err == nil && bytes.Equal(cur, data) {
				continue
			}
		default:
			if same, err := sameContent(src, dst, f.info.Size()); err != nil {
				return nil, fmt.Errorf("rewrite: %w", err)
			} else if same {
				continue
			}
			j.src = src
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// stage writes the job's temporary file.
func (j job) stage() (staged, error) {
	if err := os.MkdirAll(filepath.Dir(j.dst), 0o755); err != nil {
		return staged{}, err
	}
	if j.verify != nil {
		fi, err := os.Stat(j.dst)
		if err != nil || fi.Size() != j.verify.info.Size() || !fi.ModTime().Equal(j.verify.info.ModTime()) {
			return staged{}, fmt.Errorf("%s changed while it was being rewritten; run again", j.dst)
		}
	}
	if j.symlink {
		tmp := filepath.Join(filepath.Dir(j.dst), fmt.Sprintf(".fotoembed-%d-%s.tmp", os.Getpid(), filepath.Base(j.dst)))
		os.Remove(tmp)
		if err := os.Symlink(j.link, tmp); err != nil {
			return staged{}, err
		}
		return staged{tmp: tmp, dst: j.dst}, nil
	}
	if j.data != nil {
		return stage(j.dst, bytes.NewReader(j.data), j.perm)
	}
	f, err := os.Open(j.src)
	if err != nil {
		return staged{}, err
	}
	defer f.Close()
	return stage(j.dst, f, j.perm)
}

// sameContent reports whether the file dst exists with the bytes of src.
func sameContent(src, dst string, size int64) (bool, error) {
	fi, err := os.Stat(dst)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size {
		return false, nil
	}
	a, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer a.Close()
	b, err := os.Open(dst)
	if err != nil {
		return false, nil
	}
	defer b.Close()
	bufA, bufB := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(a, bufA)
		nb, eb := io.ReadFull(b, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if ea != nil || eb != nil {
			return ea != nil && eb != nil, nil
		}
	}
}
