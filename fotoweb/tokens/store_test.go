package tokens

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func testToken(n string) *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  "access-" + n,
		TokenType:    "bearer",
		RefreshToken: "refresh-" + n,
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		ExpiresIn:    28800,
	}
}

func sameToken(a, b *oauth2.Token) bool {
	return a.AccessToken == b.AccessToken && a.TokenType == b.TokenType && a.RefreshToken == b.RefreshToken &&
		a.Expiry.Equal(b.Expiry) && a.ExpiresIn == b.ExpiresIn
}

func TestFileStoreRoundTripAndMode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "config", "fotoembed", "token.json") // directories created on Save
	s := &FileStore{Path: path}
	if err := s.Save(ctx, testToken("1")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil || !sameToken(got, testToken("1")) {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	assertMode(t, path, 0o600)
	if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}

// TestFileStoreAtomicReplace: Save replaces the file by rename (a new
// inode), so a reader holding the old file sees the old complete content,
// and a too-open old file becomes 0600.
func TestFileStoreAtomicReplace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	s := &FileStore{Path: path}
	if err := s.Save(ctx, testToken("old")); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := s.Save(ctx, testToken("new")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4096)
	n, _ := old.Read(b)
	if !strings.Contains(string(b[:n]), "access-old") {
		t.Errorf("old handle reads %q, want the complete old file", b[:n])
	}
	if got, _ := s.Load(ctx); got.AccessToken != "access-new" {
		t.Errorf("after Save: %q", got.AccessToken)
	}
	assertMode(t, path, 0o600)
	assertOnlyFile(t, dir, "token.json")
}

func assertOnlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %v, want %v", got, names)
	}
}

// TestFileStoreCrashDuringWrite: a failure (crash) after the temporary
// file is written but before the rename, and a partial temporary file
// left by an earlier crash, leave the old token intact and loadable.
func TestFileStoreCrashDuringWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	if err := (&FileStore{Path: path}).Save(ctx, testToken("old")); err != nil {
		t.Fatal(err)
	}
	// A partial temp file from a process that died mid-write.
	leftover := filepath.Join(dir, ".token.json.tmp-123")
	os.WriteFile(leftover, []byte(`{"access_token":"access-ne`), 0o600)

	var sawTemp string
	crash := errors.New("simulated crash before rename")
	s := &FileStore{Path: path, beforeRename: func(tmp string) error {
		b, _ := os.ReadFile(tmp)
		if !strings.Contains(string(b), "access-new") {
			t.Errorf("temp file %s not complete before rename: %q", tmp, b)
		}
		assertMode(t, tmp, 0o600)
		sawTemp = tmp
		return crash
	}}
	if err := s.Save(ctx, testToken("new")); !errors.Is(err, crash) {
		t.Fatalf("Save = %v, want the crash", err)
	}
	if _, err := os.Stat(sawTemp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed Save left its temp file %s", sawTemp)
	}
	got, err := (&FileStore{Path: path}).Load(ctx)
	if err != nil || !sameToken(got, testToken("old")) {
		t.Fatalf("after failed Save: %+v, %v; want the old token", got, err)
	}
	// The next Save works despite the leftover.
	if err := (&FileStore{Path: path}).Save(ctx, testToken("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := (&FileStore{Path: path}).Load(ctx); got.AccessToken != "access-new" {
		t.Errorf("got %q", got.AccessToken)
	}
}

func TestFileStoreLoadErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	if _, err := (&FileStore{Path: missing}).Load(ctx); !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	for name, content := range map[string]string{
		"corrupt.json": `{"access_token": "abc`,
		"empty.json":   ``,
		"notoken.json": `{}`,
		"wrong.json":   `{"access_token": 12}`,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		_, err := (&FileStore{Path: path}).Load(ctx)
		if err == nil || errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), path) || !strings.HasPrefix(err.Error(), "tokens: ") {
			t.Errorf("%s: err = %v, want an error naming the path", name, err)
		}
		if strings.Contains(fmtErr(err), "abc") {
			t.Errorf("%s: error echoes file content: %v", name, err)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFileStoreSaveErrors(t *testing.T) {
	dir := t.TempDir()
	if err := (&FileStore{Path: filepath.Join(dir, "x")}).Save(context.Background(), nil); err == nil {
		t.Error("Save(nil) succeeded")
	}
	// Path is a directory: the rename fails, nothing is left behind.
	os.Mkdir(filepath.Join(dir, "isdir"), 0o700)
	os.WriteFile(filepath.Join(dir, "isdir", "keep"), nil, 0o600)
	err := (&FileStore{Path: filepath.Join(dir, "isdir")}).Save(context.Background(), testToken("1"))
	if err == nil || !strings.Contains(err.Error(), "isdir") {
		t.Errorf("Save over a directory: %v", err)
	}
	assertOnlyFile(t, dir, "isdir")
}
