// Package urltoken decides what goes on the FotoWeb URLs fotoembed hands
// to browsers (a redirect's Location, a direct <img src>): nothing, the
// asset's previewToken, or the live access token, narrowest first.
//
// A [Prober] finds out which of these the FotoWeb instance accepts by
// fetching one real preview the way a browser would (no token, then the
// previewToken as access_token, then the access token), uses the
// narrowest that works, and checks again on a schedule and when told that
// FotoWeb refused a server-side fetch. [CheckReadOnly] finds out from
// FotoWeb whether the token's user could change anything, which must be
// known before the access token is handed to every visitor.
package urltoken
