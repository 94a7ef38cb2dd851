package server

import (
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/urlsig"
)

// archivesPrefix starts every asset href.
const archivesPrefix = "/fotoweb/archives/"

// pagePrefix is the path of the per-asset pages.
const pagePrefix = "/p/"

// archiveKey returns the archive id named by a Config.PublicArchives
// entry: an id ("5001"), an href segment ("5001-Photos") or an href
// ("/fotoweb/archives/5001-Photos/", absolute or not); "" if none.
func archiveKey(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, archivesPrefix); i >= 0 {
		s = s[i+len(archivesPrefix):]
	}
	s = strings.Trim(s, "/")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	id, _, _ := strings.Cut(s, "-")
	if id == "" || strings.TrimLeft(id, "0123456789") != "" {
		return ""
	}
	return id
}

// publicSet returns the ids of the public archives.
func publicSet(archives []string) map[string]bool {
	m := map[string]bool{}
	for _, a := range archives {
		if k := archiveKey(a); k != "" {
			m[k] = true
		}
	}
	return m
}

// isPublic reports whether the asset with canonical href lies in a
// public archive.
func (s *Server) isPublic(href string) bool {
	if !strings.HasPrefix(href, archivesPrefix) {
		return false
	}
	return s.public[archiveKey(href)]
}

// pageURL returns the absolute URL of an asset's page.
func (s *Server) pageURL(href string) string {
	return s.cfg.BaseURL + pagePrefix + urlsig.EncodeAsset(href)
}

// oembedURL returns the absolute oEmbed (JSON) URL of a page.
func (s *Server) oembedURL(page string) string {
	return s.cfg.BaseURL + "/oembed?format=json&url=" + url.QueryEscape(page)
}

// pageHref returns the asset href of one of the service's page URLs, or
// false if u is not one.
func (s *Server) pageHref(u string) (string, bool) {
	base, err := url.Parse(s.cfg.BaseURL)
	if err != nil || !embed.OnOrigin(strings.TrimSpace(u), origin.Parse(s.cfg.BaseURL)) {
		return "", false
	}
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(pu.EscapedPath(), strings.TrimRight(base.EscapedPath(), "/")+pagePrefix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	href, err := urlsig.DecodeAsset(rest)
	if err != nil {
		return "", false
	}
	return href, true
}
