package rewrite

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// siteFile is one file of the site tree.
type siteFile struct {
	rel     string // slash-separated path inside the root
	info    fs.FileInfo
	html    bool // a page to scan
	symlink bool
}

// walkSite lists the files under root in lexical order, leaving out
// temporary files of interrupted runs and the paths skip reports.
func walkSite(root string, exts map[string]bool, skip func(rel string, dir bool) bool) ([]siteFile, error) {
	var files []siteFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skip(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || isTemp(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		f := siteFile{rel: rel, info: info, symlink: d.Type()&fs.ModeSymlink != 0}
		f.html = info.Mode().IsRegular() && exts[strings.ToLower(filepath.Ext(p))]
		if f.html || f.symlink || info.Mode().IsRegular() {
			files = append(files, f)
		}
		return nil
	})
	return files, err
}

// isTemp reports a temporary file of this package.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".fotoembed-") && strings.HasSuffix(name, ".tmp")
}

// normExts turns ["html", ".HTM"] into {".html": true, ".htm": true}.
func normExts(list []string) map[string]bool {
	m := map[string]bool{}
	for _, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		m[e] = true
	}
	return m
}

// inside reports whether path is dir or below it (both absolute, clean).
func inside(path, dir string) bool {
	if path == dir {
		return true
	}
	return strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
