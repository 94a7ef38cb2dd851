// Package boolean is the module's one reading of a yes/no value written
// as text: a query parameter, an HTML attribute, a template option, a
// command-line flag or an environment variable. Everywhere the same
// words are accepted: 1, true, yes and on for true; 0, false, no and
// off for false; case is ignored, and so is surrounding white space.
// Whether an empty value means true (an attribute or parameter that is
// present without a value) or is an error is the caller's choice:
// [ParseAttr] or [Parse].
package boolean

import (
	"fmt"
	"strings"
)

// Words lists the accepted words, true ones first, for messages and help
// texts.
const Words = "1, true, yes, on / 0, false, no, off"

// Parse returns the boolean s stands for (see the package comment); an
// empty s is an error. The error quotes s: the caller adds the name of
// the setting.
func Parse(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (%s)", s, Words)
}

// ParseAttr is Parse for attribute-style flags, whose presence alone
// means true: an empty (or white-space) s is true.
func ParseAttr(s string) (bool, error) {
	if strings.TrimSpace(s) == "" {
		return true, nil
	}
	return Parse(s)
}
