package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordedIn(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "main")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := recordedIn(root); err == nil || !strings.Contains(err.Error(), "plain clone") {
		t.Errorf("absent folder: %v", err)
	}
	rec := filepath.Join(base, "shared", "reference", "recorded")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rec, "SOURCES.md"), []byte("# sources\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if dir, err := recordedIn(root); err != nil || dir != rec {
		t.Errorf("recordedIn = %q, %v; want %q", dir, err, rec)
	}
}
