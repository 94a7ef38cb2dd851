package embed

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// Rights is what an asset's metadata says about whether it may be shown:
// when its licence ends and whether it was withdrawn (consent revoked,
// taken down). The fields are read as configured in [Fields].
type Rights struct {
	// Expires is when the asset may no longer be shown; zero for never.
	Expires time.Time `json:"expires,omitzero"`
	// Withdrawn reports that the withdrawn field holds one of the values
	// that mean "do not publish".
	Withdrawn bool `json:"withdrawn,omitempty"`
	// Value is the withdrawn field's value that withdrew it (for the
	// reason given to callers).
	Value string `json:"value,omitempty"`
}

// DefaultWithdrawnValues are the values of the withdrawn field that mean
// "do not publish" when [Fields].WithdrawnValues names none (compared
// without regard to case or surrounding space).
var DefaultWithdrawnValues = []string{"withdrawn", "revoked", "consent withdrawn", "do not publish", "not for publication", "no"}

// ErrUnpublished is wrapped by the error of an asset that may not be
// shown: its licence has expired or it was withdrawn. It is never
// retried; the server answers 410.
var ErrUnpublished = errors.New("embed: not published")

// UnpublishedError says why an asset may not be shown.
type UnpublishedError struct {
	Href   string
	Rights Rights
	At     time.Time // the moment it was asked for
}

// Error names the asset and the reason.
func (e *UnpublishedError) Error() string {
	return fmt.Sprintf("embed: asset %q is not published: %s", e.Href, e.Reason())
}

// Reason is the reason alone, for callers: "withdrawn (Consent:
// withdrawn)" or "its licence expired on 2026-12-31T00:00:00Z".
func (e *UnpublishedError) Reason() string {
	if e.Rights.Withdrawn {
		return "it was withdrawn (" + e.Rights.Value + ")"
	}
	return "its licence expired at " + e.Rights.Expires.UTC().Format(time.RFC3339)
}

// Unwrap makes errors.Is(err, ErrUnpublished) true.
func (e *UnpublishedError) Unwrap() error { return ErrUnpublished }

// Check returns an *UnpublishedError when the asset may not be shown at
// now, else nil.
func (in *Info) Check(now time.Time) error {
	r := in.Rights
	if r.Withdrawn || (!r.Expires.IsZero() && !now.Before(r.Expires)) {
		return &UnpublishedError{Href: in.Href, Rights: r, At: now}
	}
	return nil
}

// newRights reads the rights fields of f from m. An expiry that does not
// parse is taken as already past (fail closed: a licence date nobody can
// read is not a licence to publish), with the text as the reason.
func newRights(m fotoweb.Metadata, f Fields) Rights {
	var r Rights
	if f.RightsExpiry > 0 {
		if v := strings.TrimSpace(strings.Join(m.Values(f.RightsExpiry), " ")); v != "" {
			t, err := ParseExpiry(v)
			if err != nil {
				r.Withdrawn, r.Value = true, "unreadable expiry date "+fmt.Sprintf("%q", v)
			}
			r.Expires = t
		}
	}
	if f.Withdrawn > 0 {
		values := f.WithdrawnValues
		if len(values) == 0 {
			values = DefaultWithdrawnValues
		}
		for _, v := range m.Values(f.Withdrawn) {
			if slices.ContainsFunc(values, func(w string) bool { return strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(w)) }) {
				r.Withdrawn, r.Value = true, strings.TrimSpace(v)
				break
			}
		}
	}
	return r
}

// expiryLayouts are the date forms FotoWeb metadata holds: ISO 8601 dates
// with or without a time, a zone or fractions of a second.
var expiryLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04", "20060102T150405Z0700", "20060102T150405",
}

// ParseExpiry parses a rights-expiry date. A date without a time
// ("2026-12-31", "20261231") means the licence holds through that day: it
// expires when the next day starts, UTC. A time without a zone is UTC.
func ParseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, day := range []string{"2006-01-02", "20060102"} {
		if t, err := time.Parse(day, s); err == nil {
			return t.AddDate(0, 0, 1), nil
		}
	}
	for _, l := range expiryLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("embed: %q is not an ISO 8601 date", s)
}
