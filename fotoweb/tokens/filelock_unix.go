//go:build unix

package tokens

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockPoll is how often Lock tries again while another process holds the
// lock.
const lockPoll = 20 * time.Millisecond

// Lock implements [Locker] with an exclusive flock on Path+".lock"
// (created, mode 0600, and never removed: removing it would let two
// processes lock two different files). It waits while another process
// holds it, until ctx is done. The lock dies with the process that holds
// it, so a crash never leaves it held.
func (s *FileStore) Lock(ctx context.Context) (unlock func(), err error) {
	path := s.Path + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("tokens: locking the token file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("tokens: locking the token file: %w", err)
	}
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("tokens: locking %s: %w", path, err)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("tokens: waiting for the lock on %s (another process is refreshing the token): %w", path, ctx.Err())
		}
	}
}
