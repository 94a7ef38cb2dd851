package rewrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultAssetDir is the folder, at the root of the output, that
// downloaded previews go to.
const DefaultAssetDir = "_fotoweb"

// maxImageBytes bounds one downloaded preview.
const maxImageBytes = 64 << 20

// hashDigits is the number of hex digits of SHA-256 in a file name.
const hashDigits = 20

// downloader puts candidates' bytes into the asset folder, each once,
// under content-addressed names.
type downloader struct {
	src     Source
	dir     string // the asset folder
	rec     *record
	fetched atomic.Int64
}

// fetchAll makes sure every URL has a file in the folder, and returns the
// file name of each and the error of each that failed.
func (d *downloader) fetchAll(ctx context.Context, urls []string, workers int, progress func(n, total int)) (map[string]string, map[string]error) {
	names := make(map[string]string, len(urls))
	errs := map[string]error{}
	var mu sync.Mutex
	var todo []string
	for _, u := range urls {
		if f, ok := d.rec.file(u); ok && regularFile(filepath.Join(d.dir, f.File)) {
			names[u] = f.File
			progress(1, len(urls))
			continue
		}
		todo = append(todo, u)
	}
	if len(todo) > 0 {
		if err := os.MkdirAll(d.dir, 0o755); err != nil {
			for _, u := range todo {
				errs[u] = err
			}
			return names, errs
		}
	}
	forEach(ctx, len(todo), workers, func(i int) {
		name, err := d.fetch(ctx, todo[i])
		mu.Lock()
		if err != nil {
			errs[todo[i]] = err
		} else {
			names[todo[i]] = name
		}
		mu.Unlock()
		progress(1, len(urls))
	})
	for _, u := range todo {
		if _, ok := names[u]; !ok && errs[u] == nil {
			errs[u] = interrupted(ctx)
		}
	}
	return names, errs
}

// fetch downloads one URL into the folder and returns its file name.
func (d *downloader) fetch(ctx context.Context, u string) (string, error) {
	rc, ctype, err := d.src.open(ctx, u)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	ext, err := imageExt(ctype, u)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	lr := &io.LimitedReader{R: rc, N: maxImageBytes + 1}
	s, err := stage(filepath.Join(d.dir, "pending"), io.TeeReader(lr, h), 0o644)
	if err != nil {
		return "", err
	}
	if lr.N <= 0 {
		s.discard()
		return "", fmt.Errorf("larger than %d MiB", maxImageBytes>>20)
	}
	d.fetched.Add(1)
	name := hex.EncodeToString(h.Sum(nil))[:hashDigits] + ext
	s.dst = filepath.Join(d.dir, name)
	if regularFile(s.dst) {
		s.discard() // same bytes already there
		d.rec.setFile(u, fileEntry{File: name, Fetched: d.rec.now()})
		return name, nil
	}
	if err := s.commit(); err != nil {
		return "", err
	}
	d.rec.setFile(u, fileEntry{File: name, Fetched: d.rec.now()})
	return name, nil
}

// imageExt returns the file extension for an image of media type ctype
// fetched from u, or an error when it is not an image.
func imageExt(ctype, u string) (string, error) {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil || !strings.HasPrefix(mt, "image/") {
		return "", fmt.Errorf("not an image (Content-Type %q)", ctype)
	}
	switch mt {
	case "image/jpeg", "image/pjpeg":
		return ".jpg", nil
	case "image/png":
		return ".png", nil
	case "image/gif":
		return ".gif", nil
	case "image/webp":
		return ".webp", nil
	case "image/avif":
		return ".avif", nil
	case "image/svg+xml":
		return ".svg", nil
	}
	if p, err := url.Parse(u); err == nil {
		if ext := strings.ToLower(path.Ext(p.Path)); len(ext) > 1 && len(ext) <= 6 && alnum(ext[1:]) {
			return ext, nil
		}
	}
	return ".img", nil
}

// alnum reports whether s is only [a-z0-9].
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// regularFile reports whether p is an existing regular file.
func regularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// relURL returns the URL of file name in the asset folder assetDir (slash
// separated, relative to the root) as seen from the page at rel.
func relURL(rel, assetDir, name string) string {
	depth := 0
	if dir := path.Dir(rel); dir != "." {
		depth = strings.Count(dir, "/") + 1
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("../", depth))
	for _, seg := range strings.Split(assetDir, "/") {
		b.WriteString(url.PathEscape(seg))
		b.WriteByte('/')
	}
	b.WriteString(url.PathEscape(name))
	return b.String()
}
