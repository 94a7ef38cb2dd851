package rewrite

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Alt text problems.
const (
	noAltMetadata = `no alt text in FotoWeb (alt and title fields are empty): write alt="..." on the tag, or alt="" for a decorative image`
	noAltTag      = `no alt text: the <img> has no alt attribute; write alt="...", or alt="" for a decorative image`
	noAltSource   = `no alt text: the <picture>'s <img> has no alt attribute; write alt="...", or alt="" for a decorative image`
	noAltPicture  = `no alt text: the <picture> has no <img> to carry it`
)

// apply fills in what the asset's facts say about image e.
func (a *auditRun) apply(e *auditEntry, f *assetFacts) {
	im := &e.img
	im.Credit = f.credit
	if e.needAlt {
		alt := &f.alt
		if e.figure {
			alt = &f.figAlt
		}
		im.Alt, e.altKnown, im.CaptionAlt = alt.text, alt.known, alt.caption
	}
	if !f.expires.IsZero() {
		t := f.expires.UTC()
		im.Expires = &t
	}
	switch {
	case f.withdrawn:
		im.State = StateWithdrawn
		im.Problems = append(im.Problems, "not published: "+f.reason)
	case f.expired || !f.expires.IsZero() && !a.now.Before(f.expires):
		im.State = StateExpired
		why := f.reason
		if why == "" {
			why = "its licence expired at " + stamp(f.expires)
		}
		im.Problems = append(im.Problems, "not published: "+why)
	case !f.expires.IsZero() && a.soon(f.expires):
		im.State = StateExpiresSoon
		im.Warnings = append(im.Warnings, "its licence expires at "+stamp(f.expires)+" (in "+inTime(f.expires.Sub(a.now))+")")
	case f.err != nil:
		im.State = StateUnknown
	default:
		im.State = StateOK
	}
	if f.err != nil {
		im.Problems = append(im.Problems, reason(f.err))
	}
}

// finish judges image e's alt text and counts it in the report.
func (a *auditRun) finish(e *auditEntry) {
	im := &e.img
	if e.fail != nil {
		im.Problems = append(im.Problems, reason(e.fail))
	}
	if im.State == "" {
		im.State = StateUnknown
	}
	noAlt := ""
	switch {
	case e.hasAlt:
		im.Decorative = strings.TrimSpace(im.Alt) == ""
	case e.needAlt:
		if e.altKnown && im.Alt == "" && !im.CaptionAlt && e.fail == nil {
			noAlt = noAltMetadata
		}
	case e.altOf != nil: // a <source> sharing its picture's placeholder's alt
		im.Alt, im.CaptionAlt = e.altOf.img.Alt, e.altOf.img.CaptionAlt
		if e.altOf.altKnown && im.Alt == "" && !im.CaptionAlt {
			noAlt = noAltMetadata
		}
	case e.noImg:
		noAlt = noAltPicture
	case e.source:
		noAlt = noAltSource
	default:
		noAlt = noAltTag
	}
	if noAlt != "" {
		im.Problems = append(im.Problems, noAlt)
		a.rep.NoAlt++
	}
	switch im.State {
	case StateExpired:
		a.rep.Expired++
	case StateWithdrawn:
		a.rep.Withdrawn++
	case StateExpiresSoon:
		a.rep.ExpiresSoon++
	}
	if len(im.Problems) > 0 {
		a.rep.Problems++
	}
	if len(im.Warnings) > 0 {
		a.rep.Warnings++
	}
	if im.Problems == nil {
		im.Problems = []string{}
	}
	if im.Warnings == nil {
		im.Warnings = []string{}
	}
}

// Lines returns "file:line: ASSET: problem" for every problem, then
// "file:line: ASSET: warning: ..." for every warning, by page and line.
func (r *AuditReport) Lines() []string {
	var problems, warnings []string
	for _, im := range r.Images {
		for _, p := range im.Problems {
			problems = append(problems, Failure{File: im.File, Line: im.Line, Ref: im.Asset, Err: errors.New(p)}.String())
		}
		for _, w := range im.Warnings {
			warnings = append(warnings, Failure{File: im.File, Line: im.Line, Ref: im.Asset, Err: errors.New("warning: " + w)}.String())
		}
	}
	return append(problems, warnings...)
}

// Summary is the one-line summary of the audit.
func (r *AuditReport) Summary() string {
	n := len(r.Images)
	soon := ""
	if r.WarnWithin > 0 {
		soon = fmt.Sprintf(", %d expiring within %s", r.ExpiresSoon, inTime(r.WarnWithin))
	}
	return fmt.Sprintf("audit: %d %s of %d %s in %d of %d %s: %d expired, %d withdrawn, %d without alt text%s; %d %s with problems, %d with warnings",
		n, plural(n, "image"), r.Assets, plural(r.Assets, "asset"), r.Pages, r.Files, plural(r.Files, "page"),
		r.Expired, r.Withdrawn, r.NoAlt, soon, r.Problems, plural(r.Problems, "image"), r.Warnings)
}

// soon reports whether t is within the warning horizon.
func (a *auditRun) soon(t time.Time) bool {
	return a.cfg.WarnWithin > 0 && t.Sub(a.now) <= a.cfg.WarnWithin
}

// stamp formats an instant for a message.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// inTime says how long d is, roughly: "12 days", "5 hours", "1 minute".
func inTime(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		n := int(d / (24 * time.Hour))
		return fmt.Sprintf("%d %s", n, plural(n, "day"))
	case d >= 2*time.Hour:
		n := int(d / time.Hour)
		return fmt.Sprintf("%d %s", n, plural(n, "hour"))
	}
	n := max(1, int(d/time.Minute))
	return fmt.Sprintf("%d %s", n, plural(n, "minute"))
}
