package rewrite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/boolean"
)

// Placeholder syntax.
const (
	// Scheme starts a placeholder's src: src="fotoweb:ASSET".
	Scheme = "fotoweb:"
	// AttrAsset names the asset in a placeholder: data-fotoweb="ASSET".
	AttrAsset = "data-fotoweb"
	// AttrFigure asks for a <figure> with caption and credit; its value,
	// if any, is the figure's class.
	AttrFigure = "data-fotoweb-figure"
	// AttrPriority marks the page's main image (eager, high priority).
	// Present without a value it is true; a value is a boolean word
	// (1, true, yes or on; 0, false, no or off; any case).
	AttrPriority = "data-fotoweb-priority"
)

// options are what a placeholder asks for besides its asset.
type options struct {
	width       int  // CSS width from the width attribute; 0 when absent
	hasAlt      bool // the author wrote an alt attribute (alt="" = decorative)
	figure      bool
	figureClass string
	priority    bool
}

// tagParse collects one <img> tag's attributes.
type tagParse struct {
	ph                 placeholder
	srcRef, dataRef    string
	hasSrcRef, hasData bool
	hasOption          bool
	seen               map[string]bool
	errs               []error
}

// parsePlaceholder reads the attributes of the <img> tag z is at, which
// spans [start, end). It reports false when the tag is not a placeholder.
func parsePlaceholder(z *html.Tokenizer, start, end int) (placeholder, bool) {
	t := tagParse{ph: placeholder{start: start, end: end, tag: start}, seen: map[string]bool{}}
	for {
		k, v, more := z.TagAttr()
		if len(k) > 0 && !t.seen[string(k)] { // HTML keeps the first of repeated attributes
			t.seen[string(k)] = true
			t.attr(string(k), string(v))
		}
		if !more {
			break
		}
	}
	switch {
	case t.hasSrcRef && t.hasData && t.srcRef != t.dataRef:
		t.fail("src %q and %s %q name different assets", Scheme+t.srcRef, AttrAsset, t.dataRef)
		t.ph.ref = t.dataRef
	case t.hasData:
		t.ph.ref = t.dataRef
	case t.hasSrcRef:
		t.ph.ref = t.srcRef
	case t.hasOption:
		t.fail("data-fotoweb-* option on an <img> without %s=\"ASSET\" or src=\"%sASSET\"", AttrAsset, Scheme)
	default:
		return placeholder{}, false
	}
	if (t.hasSrcRef || t.hasData) && t.ph.ref == "" {
		t.fail("empty asset reference")
	}
	t.ph.err = errors.Join(t.errs...)
	return t.ph, true
}

// attr handles one attribute (name lower-cased, value unescaped).
func (t *tagParse) attr(key, val string) {
	o := &t.ph.opts
	switch {
	case key == "src" && hasPrefixFold(strings.TrimSpace(val), Scheme):
		t.srcRef, t.hasSrcRef = strings.TrimSpace(strings.TrimSpace(val)[len(Scheme):]), true
	case key == "src" || key == "srcset":
		// Always fotoembed's: an author's src is a stand-in.
	case key == AttrAsset:
		t.dataRef, t.hasData = strings.TrimSpace(val), true
	case key == AttrFigure:
		o.figure, o.figureClass, t.hasOption = true, strings.TrimSpace(val), true
	case key == AttrPriority:
		t.hasOption = true
		b, err := boolean.ParseAttr(val)
		if err != nil {
			t.fail("%s: %v; or leave it empty for true", AttrPriority, err)
		}
		o.priority = o.priority || b
	case strings.HasPrefix(key, AttrAsset+"-"):
		t.hasOption = true
		t.fail("unknown option %s (known: %s, %s)", key, AttrFigure, AttrPriority)
	default:
		t.keep(key, val)
	}
}

// keep records an attribute of the author's that goes into the output.
func (t *tagParse) keep(key, val string) {
	o := &t.ph.opts
	switch key {
	case "width":
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n < 1 || n > embed.MaxCSSWidth {
			t.fail("width=%q: give the CSS width as a whole number of pixels, 1 to %d", val, embed.MaxCSSWidth)
		}
		o.width = n
	case "alt":
		o.hasAlt = true
	case "fetchpriority":
		o.priority = o.priority || strings.EqualFold(strings.TrimSpace(val), "high")
	}
	if !validAttrName(key) {
		t.fail("attribute name %q cannot be written back safely", key)
		return
	}
	t.ph.attrs = append(t.ph.attrs, html.Attribute{Key: key, Val: val})
}

// fail records a problem with the tag.
func (t *tagParse) fail(format string, args ...any) {
	t.errs = append(t.errs, fmt.Errorf("%w: %s", ErrPlaceholder, fmt.Sprintf(format, args...)))
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// validAttrName reports whether name can be written as an attribute name:
// no white space, control characters, quotes, "<", ">", "/" or "=".
func validAttrName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("\"'<>/=", r) {
			return false
		}
	}
	return true
}
