//go:build !unix

package tokens

import "context"

// Lock implements [Locker]. On this system it does nothing: processes
// sharing one token file cannot coordinate through it, and need a shared
// store (Redis) instead.
func (s *FileStore) Lock(ctx context.Context) (unlock func(), err error) {
	return func() {}, nil
}
