// Package purge tells a CDN in front of fotoembed to drop what it cached
// for an asset when the asset changes, is deleted or may no longer be
// shown. Every /i/ answer names its asset in cache-tag headers
// (Surrogate-Key for Fastly and Varnish, Cache-Tag for Cloudflare), keyed
// by [Tag], so that one purge drops every size of the asset.
package purge

import "github.com/fotoembed/fotoembed/embed"

// TagPrefix starts every cache tag fotoembed sets, so that a CDN shared
// with other applications can tell them apart.
const TagPrefix = "fe-"

// Tag is the cache tag of the asset with canonical href asset: TagPrefix
// and the first 16 bytes of its SHA-256, base64url ([embed.CacheTag]). The
// href itself is not exposed.
func Tag(asset string) string { return embed.CacheTag(asset) }
