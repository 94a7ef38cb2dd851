package fotowebtest

import (
	"strconv"
	"strings"
	"time"
)

// match evaluates a term against an asset; callers hold f.mu (read).
func (t termNode) match(a *asset) bool {
	v := strings.ToLower(t.value)
	switch t.field {
	case "":
		if matchText(v, a.filename) {
			return true
		}
		md := a.md()
		for _, id := range freeTextFields {
			if anyMatch(v, md[id]) {
				return true
			}
		}
		return false
	case "fn":
		return matchText(v, a.filename)
	case "dn":
		return a.folder != "" && (matchText(v, a.folder) || anyMatch(v, strings.Split(a.folder, "/")))
	case "fp":
		return matchText(v, a.relPath)
	case "dt":
		return strings.EqualFold(a.doctype, v)
	case "o":
		return strings.EqualFold(orientation(a), v)
	case "pw", "ph", "fs":
		dw, dh := a.dims()
		if dw == 0 && t.field != "fs" {
			return false // no pixel dimensions (documents)
		}
		n := map[string]int64{"pw": int64(dw), "ph": int64(dh), "fs": a.filesize}[t.field]
		return inRange(v, n, strconv.ParseInt)
	case "mt":
		return inRange(v, a.modified.Unix(), parseUnix(false))
	case "mtf":
		from, err := parseUnix(false)(v, 10, 64)
		return err == nil && a.modified.Unix() >= from
	case "mtt":
		to, err := parseUnix(true)(v, 10, 64)
		return err == nil && a.modified.Unix() <= to
	}
	id, err := strconv.Atoi(t.field)
	if err != nil {
		return false // unknown predicate
	}
	vals := a.md()[id]
	if t.quoted && v == "" {
		return len(vals) == 0
	}
	return anyMatch(v, vals)
}

func orientation(a *asset) string {
	dw, dh := a.dims()
	switch {
	case dw > dh:
		return "landscape"
	case dw < dh:
		return "portrait"
	}
	return "square"
}

func anyMatch(pattern string, values []string) bool {
	for _, s := range values {
		if matchText(pattern, s) {
			return true
		}
	}
	return false
}

// matchText: case-insensitive containment, or a whole-value glob match
// when the pattern has * or ?.
func matchText(pattern, value string) bool {
	value = strings.ToLower(value)
	if strings.ContainsAny(pattern, "*?") {
		return glob([]rune(pattern), []rune(value))
	}
	return strings.Contains(value, pattern)
}

// glob matches p (with * and ?) against the whole of s.
func glob(p, s []rune) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// inRange matches "n", "a~~b", "a~~" or "~~b".
func inRange(v string, n int64, parse func(string, int, int) (int64, error)) bool {
	lo, hi, isRange := strings.Cut(v, "~~")
	if !isRange {
		x, err := parse(v, 10, 64)
		return err == nil && x == n
	}
	if lo != "" {
		x, err := parse(lo, 10, 64)
		if err != nil || n < x {
			return false
		}
	}
	if hi != "" {
		x, err := parse(hi, 10, 64)
		if err != nil || n > x {
			return false
		}
	}
	return true
}

// parseUnix returns a parser of dates (2023-06-19, 20230619 or RFC 3339)
// to Unix seconds; end picks the last second of a bare date.
func parseUnix(end bool) func(string, int, int) (int64, error) {
	return func(s string, _, _ int) (int64, error) {
		if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
			return t.Unix(), nil
		}
		var t time.Time
		var err error
		for _, layout := range []string{"2006-01-02", "20060102"} {
			if t, err = time.Parse(layout, s); err == nil {
				break
			}
		}
		if err != nil {
			return 0, err
		}
		if end {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t.Unix(), nil
	}
}
