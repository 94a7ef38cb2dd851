package embed

import "github.com/fotoembed/fotoembed/internal/origin"

// OnOrigin reports whether loc is an absolute http(s) URL without user
// info, white space, control characters or backslashes whose scheme and
// host (default port dropped, case ignored) equal those of fotoWeb, an
// absolute URL such as the FotoWeb origin.
func OnOrigin(loc, fotoWeb string) bool { return origin.On(loc, fotoWeb) }
