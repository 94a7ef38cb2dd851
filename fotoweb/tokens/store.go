package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/oauth2"
)

// TokenStore persists a user's token, above all its refresh token, which
// FotoWeb rotates: once a refresh returned a new one, only the saved copy
// can keep the login alive.
type TokenStore interface {
	// Load returns the stored token, or an error matching ErrNoToken when
	// nothing is stored.
	Load(ctx context.Context) (*oauth2.Token, error)
	// Save replaces the stored token. It must not return before the token
	// is durable.
	Save(ctx context.Context, t *oauth2.Token) error
}

// Locker is optionally implemented by a TokenStore shared between
// replicas. RefreshSource holds the lock around a refresh and, once it has
// it, re-Loads: when another replica already refreshed, it uses the stored
// token instead of refreshing again (which would kill the other's refresh
// token).
type Locker interface {
	// Lock blocks until the lock is held or ctx is done; unlock releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}

// FileStore keeps the token, with its standby (see [Standby]), as JSON in
// the file Path (mode 0600). Save replaces the file atomically: a crash at
// any moment leaves either the old or the new complete file. It is a
// [Locker]: on Unix systems Lock takes an exclusive lock (flock) on the
// file Path+".lock", so that processes on one host sharing the token file
// refresh one at a time and each re-reads what the other saved (on other
// systems Lock does nothing, and such processes need a shared store).
type FileStore struct {
	Path string // the token file; its directory is created (0700) on Save

	// beforeRename, when set (tests only), runs after the temporary file
	// is written and synced, just before it replaces Path.
	beforeRename func(tmp string) error
}

// fileToken is the file format.
type fileToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	ExpiresIn    int64     `json:"expires_in,omitempty"` // the lifetime it was issued with, in seconds
	// Standby is the refresh token of a second, independent login (see
	// [Standby]); StandbyIssued is when it was issued.
	Standby       string    `json:"standby_refresh_token,omitempty"`
	StandbyIssued time.Time `json:"standby_issued,omitzero"`
}

// fileTokenOf is the file form of t.
func fileTokenOf(t *oauth2.Token) fileToken {
	sb, issued := Standby(t)
	return fileToken{t.AccessToken, t.TokenType, t.RefreshToken, t.Expiry, t.ExpiresIn, sb, issued}
}

// token is the token ft holds.
func (ft fileToken) token() *oauth2.Token {
	t := &oauth2.Token{AccessToken: ft.AccessToken, TokenType: ft.TokenType, RefreshToken: ft.RefreshToken, Expiry: ft.Expiry, ExpiresIn: ft.ExpiresIn}
	return WithStandby(t, ft.Standby, ft.StandbyIssued)
}

// Load reads the token. A missing file gives an error matching
// ErrNoToken; an unreadable or corrupt one an error naming the path.
func (s *FileStore) Load(ctx context.Context) (*oauth2.Token, error) {
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoToken, s.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: reading token file: %w", err)
	}
	var ft fileToken
	if err := json.Unmarshal(b, &ft); err != nil {
		return nil, fmt.Errorf("tokens: token file %s is corrupt (%v); run `fotoembed login` again", s.Path, err)
	}
	if ft.AccessToken == "" && ft.RefreshToken == "" && ft.Standby == "" {
		return nil, fmt.Errorf("tokens: token file %s holds no token; run `fotoembed login` again", s.Path)
	}
	return ft.token(), nil
}

// Save writes t atomically: a temporary file in the same directory (mode
// 0600) is written, synced and closed, renamed over Path, and the
// directory is synced.
func (s *FileStore) Save(ctx context.Context, t *oauth2.Token) error {
	if t == nil {
		return errors.New("tokens: saving a nil token")
	}
	b, err := json.MarshalIndent(fileTokenOf(t), "", "  ")
	if err != nil {
		return fmt.Errorf("tokens: encoding token: %w", err)
	}
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tokens: saving token: %w", err)
	}
	if err := s.writeTemp(dir, append(b, '\n')); err != nil {
		return fmt.Errorf("tokens: saving token to %s: %w", s.Path, err)
	}
	return nil
}

func (s *FileStore) writeTemp(dir string, b []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.Path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if s.beforeRename != nil {
		if err = s.beforeRename(tmp); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, s.Path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Some systems cannot sync a
// directory; that is not an error there.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
