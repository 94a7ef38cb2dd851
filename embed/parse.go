package embed

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/internal/boolean"
)

// ParseOptions parses template options: each argument is "key=value" or
// a bare flag "key", split at the first "=". Keys:
//
//	width=600            CSS width in pixels (Options.Width)
//	sizes=50vw           sizes attribute
//	dpr=1,2,3            device pixel ratios (comma-separated)
//	square               square-cropped previews
//	alt=Text             alt text instead of metadata
//	decorative           alt="" (no alt text)
//	priority             loading="eager" fetchpriority="high"
//	class=a b  id=x  style=...   passed to the <img>
//	data-NAME=value      data-* attribute (NAME: [a-z0-9][a-z0-9._-]*)
//	figure-class=wide    class of the <figure>
//	expires=2h           signed URLs expire after a Go duration ...
//	expires=2030-01-01T00:00:00Z   ... or at an RFC 3339 instant
//	delivery=signed|direct|export   link mode (Options.Links)
//	publication=URL      where the image is published (export links)
//
// A flag may also be given a boolean value: 1, true, yes or on; 0,
// false, no or off (in any case). A key may appear once (each data-*
// name once). Errors name the offending argument and wrap
// [ErrBadOption]; the result is checked with [Options.Validate].
func ParseOptions(args ...string) (Options, error) {
	var o Options
	var seen []string
	for _, arg := range args {
		key, val, hasVal := strings.Cut(arg, "=")
		for _, k := range seen {
			if k == key {
				return Options{}, fmt.Errorf("%w %q: %s given twice", ErrBadOption, arg, key)
			}
		}
		seen = append(seen, key)
		if err := o.set(key, val, hasVal); err != nil {
			return Options{}, fmt.Errorf("%w %q: %w", ErrBadOption, arg, err)
		}
	}
	if err := o.Validate(); err != nil {
		return Options{}, err
	}
	return o, nil
}

// set applies one option.
func (o *Options) set(key, val string, hasVal bool) error {
	if flag := o.flag(key); flag != nil {
		b := true
		if hasVal {
			var err error
			if b, err = boolean.Parse(val); err != nil {
				return fmt.Errorf("flag %s: %w", key, err)
			}
		}
		*flag = b
		return nil
	}
	if !hasVal {
		return errors.New("unknown flag (or missing =value)")
	}
	switch key {
	case "width":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > MaxCSSWidth {
			return fmt.Errorf("width must be a whole number 1..%d", MaxCSSWidth)
		}
		o.Width = n
	case "dpr":
		return o.setRatios(val)
	case "expires":
		return o.setExpiry(val)
	case "delivery":
		return o.setLinks(val)
	default:
		return o.setText(key, val)
	}
	return nil
}

// flag returns the boolean option called key, or nil.
func (o *Options) flag(key string) *bool {
	switch key {
	case "square":
		return &o.Square
	case "decorative":
		return &o.Decorative
	case "priority":
		return &o.Priority
	}
	return nil
}

// setText sets a text option or a data-* attribute.
func (o *Options) setText(key, val string) error {
	switch key {
	case "sizes":
		o.Sizes = val
	case "alt":
		o.Alt = val
	case "class":
		o.Class = val
	case "id":
		o.ID = val
	case "style":
		o.Style = val
	case "figure-class":
		o.FigureClass = val
	case "publication":
		o.Publication = val
	default:
		if !strings.HasPrefix(key, "data-") {
			return fmt.Errorf("unknown option %q", key)
		}
		if !validDataName(key) {
			return errors.New("attribute name must be data- followed by [a-z0-9][a-z0-9._-]*")
		}
		o.Data = append(o.Data, Attr{Name: key, Value: val})
	}
	return nil
}

// setRatios parses "1,2,3".
func (o *Options) setRatios(val string) error {
	parts := strings.Split(val, ",")
	if len(parts) > maxRatios {
		return fmt.Errorf("at most %d pixel ratios", maxRatios)
	}
	o.PixelRatios = make([]float64, 0, len(parts))
	for _, p := range parts {
		r, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(r > 0 && r <= MaxPixelRatio) {
			return fmt.Errorf("pixel ratios must be numbers in (0, %d]", MaxPixelRatio)
		}
		o.PixelRatios = append(o.PixelRatios, r)
	}
	return nil
}

// setExpiry parses a duration or an RFC 3339 instant.
func (o *Options) setExpiry(val string) error {
	if d, err := time.ParseDuration(val); err == nil {
		if d <= 0 {
			return errors.New("expiry must be positive")
		}
		o.ExpiresIn = d
		return nil
	}
	t, err := time.Parse(time.RFC3339, val)
	if err != nil {
		return errors.New("expires must be a duration (2h) or an RFC 3339 time")
	}
	if u := t.Unix(); u < 1 || u > maxExpiry {
		return errors.New("expiry out of range")
	}
	o.ExpiresAt = t
	return nil
}

// setLinks parses the delivery option: "signed", "direct" or "export".
func (o *Options) setLinks(val string) error {
	switch val {
	case "signed":
		o.Links = LinkSigned
	case "direct":
		o.Links = LinkDirect
	case "export":
		o.Links = LinkExport
	default:
		return errors.New("delivery must be signed, direct or export")
	}
	return nil
}
