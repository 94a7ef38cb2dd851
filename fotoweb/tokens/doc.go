// Package tokens supplies OAuth 2.0 access tokens for a FotoWeb client.
//
// A [Source] caches one token, hands it to any number of goroutines and
// fetches a new one shortly before it expires, making exactly one token
// request however many callers are waiting. Sources come in three kinds:
//
//   - [ClientCredentials]: a non-interactive FotoWeb application. Its tokens
//     have full administrative access to the tenant; FotoWeb no longer
//     issues refresh tokens to such applications, so the grant is simply
//     repeated.
//   - [RefreshSource]: a least-privilege user who logged in once with the
//     authorization-code + PKCE flow ([AuthCodeConfig.AuthCodeURL],
//     [AuthCodeConfig.Exchange]). The token, above all its refresh token,
//     lives in a [TokenStore] such as [FileStore]. FotoWeb rotates refresh
//     tokens, so every refreshed token is saved before its access token is
//     used.
//   - [Static]: a fixed access token, for tests and experiments.
//
// FotoWeb has been seen answering "expires_in": 28800.000000, which
// golang.org/x/oauth2 rejects; every token request made here goes through
// [HTTPClient], whose transport rewrites such a value to an integer.
//
// Errors start with "tokens: ". They carry the RFC 6749 error code and
// description of a failed token request ([Error]) and never a client
// secret, access token or refresh token.
package tokens
