module github.com/fotoembed/fotoembed

go 1.26.0

require golang.org/x/oauth2 v0.38.0

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/patrickmn/go-cache v2.1.0+incompatible // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)
