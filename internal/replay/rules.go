package replay

import (
	"fmt"
	"strings"
)

// Rule says what one recording is: the response to a request (Method,
// Path, Query), a webhook FotoWeb posts, or the headers of one.
type Rule struct {
	// Method and Path are the request the body answers (Path escaped as
	// FotoWeb writes hrefs; a trailing "/" is optional); "" for a
	// recording that is not an answer.
	Method, Path string
	// Query is the search expression (the q parameter, decoded) of the
	// request; "" for a request without q.
	Query string
	// Pending is how many times the request is answered 202 with an
	// empty body before this answer (synthesised: a rendition task that
	// is not ready yet).
	Pending int
	// ContentType is the media type of a body recorded without meta (an
	// asset fixture), served with status 200.
	ContentType string
	// Placeholder is the length of the bytes served in place of a body
	// that was not kept (meta only).
	Placeholder int
	// Webhook marks a webhook body FotoWeb posts to the service; Headers
	// names the recording that holds its request headers ("" for none).
	Webhook bool
	Headers string
	// HeadersOf names the webhook whose request headers the recording
	// holds (Enonic's request wrapper or a .meta.json of its own).
	HeadersOf string
}

// Search expressions of the recorded searches (Enonic's query.ts).
const (
	// EnonicQuery is the search for one file of web image types in every
	// archive (collectionList.json) and in 5000-All-files (assetList.json).
	EnonicQuery = "((fn:.gif|fn:.jpg|fn:.jpeg|fn:.png|fn:*.svg)AND NOT(25:notforweb))AND(fn:Thuringia_Schmalkalden_asv2020-07_img18_Schloss_Wilhelmsburg.jpg.webp)"
	// EnonicPagedQuery is the search of collectionListWithPaging.json.
	EnonicPagedQuery = "fn:*.gif|fn:*.jpg|fn:*.jpeg|fn:*.png|fn:*.svg"
)

// Rules places every recording by name. A recording without a rule fails
// the replay tests (after its body is parsed as its media type), so that
// a new one is noticed: add a line here saying what it answers.
//
// Two kinds of answer need no line: every asset representation in any
// recording is answered at its own href (GET, asset+json), and a search
// of one archive that a recorded collection list points at but no
// recording answers gets an empty asset list (synthesised; SOURCES.md
// says so for the zero-hit archives of the recorded search).
var Rules = map[string]Rule{
	"enonic/token":                    {Method: "POST", Path: "/fotoweb/oauth2/token"},
	"enonic/fullApiDescriptor":        {Method: "GET", Path: "/fotoweb/me/"},
	"enonic/collectionList":           {Method: "GET", Path: "/fotoweb/archives/", Query: EnonicQuery},
	"enonic/collectionListWithPaging": {Method: "GET", Path: "/fotoweb/archives/", Query: EnonicPagedQuery},
	"enonic/assetList":                {Method: "GET", Path: "/fotoweb/archives/5000-All-files/", Query: EnonicQuery},
	"enonic/metadataEditor":           {Method: "GET", Path: "/fotoweb/editors/260ef215-1a1c-4218-b5fb-3837eeafa1a0"},
	"enonic/rendition":                {Method: "POST", Path: "/fotoweb/services/renditions"},
	"enonic/octetStream": {Method: "GET", Pending: 1, Placeholder: 4096,
		Path: "/fotoweb/me/background-tasks/647f4840-0f44-11ee-968b-000d3abcd05d/0/Thuringia_Schmalkalden_asv2020-07_img18_Schloss_Wilhelmsburg.jpg.webp"},
	"enonic/assetModifiedRequestBody": {Webhook: true, Headers: "enonic/assetModifiedRequest"},
	"enonic/assetModifiedRequest":     {HeadersOf: "enonic/assetModifiedRequestBody"},
	"enonic/assetIngestedRequestBody": {Webhook: true, Headers: "enonic/assetIngestedRequest"},
	"enonic/assetIngestedRequest":     {HeadersOf: "enonic/assetIngestedRequestBody"},
	"drupal/asset":                    {Method: "GET", Path: "/fotoweb/archives/testarchive/myimage.jpg.info", ContentType: "application/vnd.fotoware.asset+json"},
}

// Check reports every recording of s that Rules does not place, and every
// rule whose recording or header recording is missing.
func Check(s *Set) []error {
	var errs []error
	for _, r := range s.List {
		if _, ok := Rules[r.Name]; !ok {
			errs = append(errs, fmt.Errorf("replay: recording %s (%s) has no rule: add a line to replay.Rules saying which request it answers or what it is", r.Name, orNone(r.MediaType())))
		}
	}
	for name, rule := range Rules {
		r := s.Get(name)
		switch {
		case r == nil:
			errs = append(errs, fmt.Errorf("replay: rule for %s, but no such recording in %s", name, s.Dir))
		case rule.Headers != "" && s.Get(rule.Headers) == nil:
			errs = append(errs, fmt.Errorf("replay: %s: no recording %s of its headers", name, rule.Headers))
		case rule.Method != "" && r.Body == nil && rule.Placeholder == 0:
			errs = append(errs, fmt.Errorf("replay: %s answers %s %s but has no body", name, rule.Method, rule.Path))
		case rule.Method != "" && r.Meta == nil && rule.ContentType == "":
			errs = append(errs, fmt.Errorf("replay: %s answers %s %s but has neither meta nor a ContentType", name, rule.Method, rule.Path))
		}
	}
	return errs
}

func orNone(s string) string {
	if s == "" {
		return "no media type"
	}
	return s
}

// samePath reports whether a request path is a rule's, a trailing "/"
// aside.
func samePath(req, rule string) bool {
	return strings.TrimSuffix(req, "/") == strings.TrimSuffix(rule, "/")
}
