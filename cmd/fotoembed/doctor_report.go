package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fotoembed/fotoembed/internal/redact"
)

// Statuses of a doctor check, best first.
const (
	checkOK      = "ok"
	checkSkipped = "skipped"
	checkWarn    = "warn"
	checkFail    = "fail"
)

// doctorReport is what `doctor` prints: in plain words, or as JSON for a
// bug report. It holds no token or secret: every string in it has been
// through the redaction of package internal/redact with every secret the
// run has seen.
type doctorReport struct {
	// Fotoembed is the version of fotoembed that made the report.
	Fotoembed string `json:"fotoembed"`
	// FotoWeb is the FotoWeb origin checked.
	FotoWeb string `json:"fotoweb"`
	// Auth is the kind of token used (--auth).
	Auth string `json:"auth"`
	// Started is when the checks started (UTC).
	Started time.Time `json:"started"`
	// Status is the worst status of the checks: fail, warn or ok.
	Status string `json:"status"`
	// Checks are the checks in order.
	Checks []*doctorCheck `json:"checks"`
}

// doctorCheck is the result of one check.
type doctorCheck struct {
	// ID names the check for programs: token, descriptor, preview_auth,
	// rotation, paging, export, read_only, webhook.
	ID string `json:"id"`
	// Title names the check for people.
	Title string `json:"title"`
	// Status is ok, warn, fail or skipped.
	Status string `json:"status"`
	// Summary says in plain words what was seen and what it means.
	Summary string `json:"summary"`
	// Details are the observations, by name: strings, numbers, booleans
	// and lists of strings.
	Details map[string]any `json:"details,omitempty"`
}

// set sets the status and the summary (a format).
func (ch *doctorCheck) set(status, format string, args ...any) {
	ch.Status, ch.Summary = status, fmt.Sprintf(format, args...)
}

// skip marks the check skipped, saying why.
func (ch *doctorCheck) skip(why string) { ch.Status, ch.Summary = checkSkipped, why }

// failErr fails the check: what went wrong, then the error.
func (ch *doctorCheck) failErr(what string, err error) {
	ch.set(checkFail, "%s: %v", what, err)
}

// rank orders statuses by severity.
func rank(status string) int {
	switch status {
	case checkFail:
		return 3
	case checkWarn:
		return 2
	case checkOK:
		return 1
	}
	return 0
}

// finish sets the overall status and redacts every string.
func (r *doctorReport) finish(red *redact.Redactor) {
	r.Status = checkOK
	for _, ch := range r.Checks {
		if rank(ch.Status) > rank(r.Status) {
			r.Status = ch.Status
		}
		ch.Summary = red.String(ch.Summary)
		for k, v := range ch.Details {
			ch.Details[k] = redactValue(red, v)
		}
		if len(ch.Details) == 0 {
			ch.Details = nil
		}
	}
	r.FotoWeb = red.String(r.FotoWeb)
}

// redactValue redacts the strings in a detail value.
func redactValue(red *redact.Redactor, v any) any {
	switch v := v.(type) {
	case string:
		return red.String(v)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = red.String(s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = redactValue(red, x)
		}
		return out
	}
	return v
}

// failed lists the ids of the failed checks.
func (r *doctorReport) failed() []string {
	var out []string
	for _, ch := range r.Checks {
		if ch.Status == checkFail {
			out = append(out, ch.ID)
		}
	}
	return out
}

// write prints the report as --json asks.
func (d *doctor) write(r *doctorReport) error {
	if d.c.JSON {
		enc := json.NewEncoder(d.a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	return r.writeText(d.a.stdout)
}

// writeText prints the report in plain words: one block per check, its
// status, title and summary, then its details indented.
func (r *doctorReport) writeText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "fotoembed doctor: %s (--auth %s), %s\n", r.FotoWeb, r.Auth, r.Fotoembed)
	counts := map[string]int{}
	for _, ch := range r.Checks {
		counts[ch.Status]++
		fmt.Fprintf(&b, "\n%-7s  %s\n", strings.ToUpper(ch.Status), ch.Title)
		wrapTo(&b, ch.Summary, "         ", 100)
		keys := make([]string, 0, len(ch.Details))
		for k := range ch.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			writeDetail(&b, "           ", k, ch.Details[k])
		}
	}
	fmt.Fprintf(&b, "\n%d ok, %d warnings, %d failed, %d skipped. For a bug report, attach the output of "+
		"`fotoembed doctor --json`: it holds no token or secret.\n", counts[checkOK], counts[checkWarn], counts[checkFail], counts[checkSkipped])
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDetail writes one detail line, a nested map as an indented block.
func writeDetail(b *strings.Builder, indent, k string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		fmt.Fprintf(b, "%s%s: %s\n", indent, k, detailText(v))
		return
	}
	fmt.Fprintf(b, "%s%s:\n", indent, k)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		writeDetail(b, indent+"  ", k, m[k])
	}
}

// detailText formats a detail value for the plain report.
func detailText(v any) string {
	switch v := v.(type) {
	case []string:
		if len(v) == 0 {
			return "(none)"
		}
		return strings.Join(v, "; ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + detailText(v[k])
		}
		return strings.Join(parts, ", ")
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// wrapTo writes text to b in lines of at most width characters (longer
// words stay whole), each starting with indent.
func wrapTo(b *strings.Builder, text, indent string, width int) {
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
}

// secretList collects every secret a run meets (configured secrets,
// access and refresh tokens), so that the report can be redacted of them
// in every form. It is safe for concurrent use.
type secretList struct {
	mu   sync.Mutex
	list []string
}

// add adds the non-empty secrets.
func (s *secretList) add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range secrets {
		if v != "" && !slices.Contains(s.list, v) {
			s.list = append(s.list, v)
		}
	}
}

// redactor returns a redactor of the secrets added so far.
func (s *secretList) redactor() *redact.Redactor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return redact.New(s.list...)
}
