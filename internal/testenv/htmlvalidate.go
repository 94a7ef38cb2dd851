package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// HTMLValidator returns the path of the pinned html-validate binary
// (tools/html-validate) and of the project's configuration for it
// (embed/testdata/.htmlvalidate.json), or calls Missing when it is not
// installed.
func HTMLValidator(t testing.TB) (bin, config string) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(root, "tools", "html-validate", "node_modules", ".bin", "html-validate")
	if _, err := os.Stat(bin); err != nil {
		Missing(t, "html-validate not installed: run npm ci --prefix tools/html-validate")
	}
	if _, err := exec.LookPath("node"); err != nil {
		Missing(t, "node is not on PATH (needed by html-validate)")
	}
	return bin, filepath.Join(root, "embed", "testdata", ".htmlvalidate.json")
}

// ValidateHTML wraps each fragment in a minimal HTML5 document and fails
// t with the validator's report unless every document is valid.
func ValidateHTML(t testing.TB, fragments map[string]string) {
	t.Helper()
	bin, cfg := HTMLValidator(t)
	dir := t.TempDir()
	var files []string
	for name, frag := range fragments {
		p := filepath.Join(dir, name+".html")
		if err := os.WriteFile(p, []byte(Document(name, frag)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out, err := exec.Command(bin, append([]string{"--config", cfg, "--formatter", "text"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("html-validate rejected the markup (%v):\n%s", err, strings.TrimSpace(string(out)))
	}
}

// Document wraps a fragment in a minimal valid HTML5 document.
func Document(title, fragment string) string {
	return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
		"</title>\n</head>\n<body>\n" + fragment + "\n</body>\n</html>\n"
}

// RepoRoot finds the directory holding go.mod above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
