package rewrite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors for errors.Is.
var (
	// ErrUnresolved is matched by the error of a run in which at least one
	// placeholder could not be resolved (see [UnresolvedError]).
	ErrUnresolved = errors.New("rewrite: unresolved placeholders")
	// ErrNoAlt reports a placeholder without alt attribute whose asset has
	// no alt text (nor title) in FotoWeb.
	ErrNoAlt = errors.New("rewrite: no alt text")
	// ErrPlaceholder reports a malformed placeholder tag.
	ErrPlaceholder = errors.New("rewrite: bad placeholder")
)

// Failure is one placeholder that could not be resolved.
type Failure struct {
	// File is the page's path: Config.Root joined with its path inside.
	File string
	// Line is the 1-based line of the tag's "<".
	Line int
	// Ref is the asset reference as written (character references
	// decoded).
	Ref string
	// Err says why.
	Err error
}

// String returns "file:line: ASSET: reason".
func (f Failure) String() string {
	ref := f.Ref
	if strings.TrimSpace(ref) == "" || strings.ContainsAny(ref, " \t\r\n") {
		ref = strconv.Quote(ref)
	}
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, ref, reason(f.Err))
}

// reason returns err's message without the package prefixes that repeat
// what the line already says.
func reason(err error) string {
	if err == nil {
		return "unknown error"
	}
	msg := err.Error()
	for _, p := range []string{"rewrite: ", "embed: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// UnresolvedError is returned by [Run] when placeholders failed. No page
// was written.
type UnresolvedError struct {
	// Failures are every failed placeholder, by file and line.
	Failures []Failure
	// DryRun reports that the run was a dry run.
	DryRun bool
}

// Error summarises the failures; each is in Failures.
func (e *UnresolvedError) Error() string {
	files := map[string]bool{}
	for _, f := range e.Failures {
		files[f.File] = true
	}
	what := "no file was changed"
	if e.DryRun {
		what = "dry run"
	}
	return fmt.Sprintf("rewrite: %d %s in %d %s could not be resolved; %s",
		len(e.Failures), plural(len(e.Failures), "placeholder"), len(files), plural(len(files), "file"), what)
}

// Is makes errors.Is(err, ErrUnresolved) true.
func (e *UnresolvedError) Is(target error) bool { return target == ErrUnresolved }

// plural returns word with an "s" unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
