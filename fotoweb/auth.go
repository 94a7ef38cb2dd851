package fotoweb

import (
	"context"

	"golang.org/x/oauth2"
)

// TokenSource supplies access tokens; it is x/oauth2's interface, so any
// oauth2.TokenSource works.
type TokenSource = oauth2.TokenSource

// ContextTokenSource is implemented by token sources whose callers can
// stop waiting for a token when their context ends (*tokens.Source is
// one). The client asks such a source with the request's context, so that
// a request whose context ends stops waiting for a token fetch.
type ContextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// TokenContext returns ts's current token, giving up when ctx ends: by
// TokenContext when ts is a [ContextTokenSource], else by Token (which
// cannot be stopped) unless ctx has already ended.
func TokenContext(ctx context.Context, ts TokenSource) (*oauth2.Token, error) {
	if tc, ok := ts.(ContextTokenSource); ok {
		return tc.TokenContext(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ts.Token()
}

// Invalidator is implemented by token sources that can drop a token FotoWeb
// rejected (401), so that the next Token call fetches a new one. The client
// calls it before its single retry after a 401.
type Invalidator interface {
	Invalidate(rejected *oauth2.Token)
}
