package rewrite

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// forEach calls fn(i) for i in [0, n) on at most workers goroutines. Once
// ctx is done no new call starts.
func forEach(ctx context.Context, n, workers int, fn func(i int)) {
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
}

// failAll answers every request with err.
func failAll(reqs []Request, err error) []Result {
	out := make([]Result, len(reqs))
	for i := range out {
		out[i].Err = err
	}
	return out
}

// reasonError is an error with a message for people that still matches
// its cause with errors.Is.
type reasonError struct {
	msg string
	err error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.err }

// interrupted is the error of work not done because ctx ended.
func interrupted(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		err = context.Canceled
	}
	return &reasonError{"interrupted before it was resolved", err}
}

// explain turns a resolution error into the reason a person reads.
func explain(err error) error {
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &reasonError{"interrupted before it was resolved", err}
	case errors.Is(err, fotoweb.ErrNotFound) || errors.Is(err, fotoweb.ErrGone):
		return &reasonError{"not found in FotoWeb (or not visible to this application)", err}
	case errors.Is(err, fotoweb.ErrBadRef), errors.Is(err, embed.ErrNoImage), errors.Is(err, embed.ErrUpstream):
		msg := err.Error()
		for _, p := range []string{"embed: ", "fotoweb: "} {
			msg = strings.ReplaceAll(msg, p, "")
		}
		return &reasonError{msg, err}
	}
	return err
}
