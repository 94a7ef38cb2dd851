package embed

import (
	"context"
	"html/template"
	"strconv"
	"strings"
)

// RefError is the error of a helper given an asset reference: it names the
// asset and wraps the problem.
type RefError struct {
	Ref string // the asset reference as given
	Err error  // what went wrong
}

// Error returns "embed: asset REF: PROBLEM".
func (e *RefError) Error() string {
	return "embed: asset " + strconv.Quote(e.Ref) + ": " + strings.TrimPrefix(e.Err.Error(), "embed: ")
}

// Unwrap returns the problem.
func (e *RefError) Unwrap() error { return e.Err }

// FuncMap returns the template helpers for html/template, resolving with
// context.Background(); see [Embedder.FuncMapContext].
func (e *Embedder) FuncMap() template.FuncMap {
	return e.FuncMapContext(context.Background())
}

// FuncMapContext returns the template helpers, resolving with ctx (use a
// request's context for per-request templates). Each takes an asset
// reference and options in the syntax of [ParseOptions]:
//
//	{{fotowebImg .Ref "width=600" "class=hero" "priority"}}    template.HTML
//	{{fotowebFigure .Ref "width=600" "figure-class=wide"}}     template.HTML
//	<img src="{{fotowebURL .Ref "width=300"}}" ...>             template.URL
//	<img srcset="{{fotowebSrcset .Ref "width=300"}}" ...>       template.Srcset
//
// On bad input the helper returns a [*RefError], which stops the template
// with a message naming the asset and the problem.
func (e *Embedder) FuncMapContext(ctx context.Context) template.FuncMap {
	return template.FuncMap{
		"fotowebImg": func(ref string, args ...string) (template.HTML, error) {
			return tplCall(ctx, ref, args, e.Img)
		},
		"fotowebFigure": func(ref string, args ...string) (template.HTML, error) {
			return tplCall(ctx, ref, args, e.Figure)
		},
		"fotowebURL": func(ref string, args ...string) (template.URL, error) {
			u, err := tplCall(ctx, ref, args, e.URL)
			return template.URL(u), err
		},
		"fotowebSrcset": func(ref string, args ...string) (template.Srcset, error) {
			s, err := tplCall(ctx, ref, args, e.Srcset)
			return template.Srcset(s), err
		},
	}
}

// tplCall parses args and calls f, wrapping any error in a RefError.
func tplCall[T ~string](ctx context.Context, ref string, args []string,
	f func(context.Context, string, Options) (T, error)) (T, error) {
	if strings.TrimSpace(ref) == "" {
		return "", &RefError{Ref: ref, Err: ErrBadRef}
	}
	o, err := ParseOptions(args...)
	if err != nil {
		return "", &RefError{Ref: ref, Err: err}
	}
	v, err := f(ctx, ref, o)
	if err != nil {
		return "", &RefError{Ref: ref, Err: err}
	}
	return v, nil
}
