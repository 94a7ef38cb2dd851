package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// RecordedDir is where the recorded FotoWeb responses live, relative to
// the repository root: other projects' data, kept beside the project for
// testing and never copied into it.
const RecordedDir = "../shared/reference/recorded"

// Recorded returns the absolute path of the folder of recorded FotoWeb
// responses (RecordedDir, with its SOURCES.md), or calls Missing when it
// is absent, as in a plain clone: the test skips saying so, or fails
// under FOTOEMBED_REQUIRE_INTEGRATION=1.
func Recorded(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := recordedIn(root)
	if err != nil {
		Missing(t, err.Error())
	}
	return dir
}

// recordedIn returns the recordings folder of the repository at root.
func recordedIn(root string) (string, error) {
	dir := filepath.Clean(filepath.Join(root, RecordedDir))
	if _, err := os.Stat(filepath.Join(dir, "SOURCES.md")); err != nil {
		return "", fmt.Errorf("no recorded FotoWeb responses at %s (they are kept beside the repository, "+
			"not in it; a plain clone has none)", dir)
	}
	return dir, nil
}
