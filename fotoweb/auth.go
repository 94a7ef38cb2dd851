package fotoweb

import "golang.org/x/oauth2"

// TokenSource supplies access tokens; it is x/oauth2's interface, so any
// oauth2.TokenSource works.
type TokenSource = oauth2.TokenSource

// Invalidator is implemented by token sources that can drop a token FotoWeb
// rejected (401), so that the next Token call fetches a new one. The client
// calls it before its single retry after a 401.
type Invalidator interface {
	Invalidate(rejected *oauth2.Token)
}
