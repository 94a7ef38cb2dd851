package embed

import (
	"errors"
	"sync"
	"time"
	"unsafe"
)

// The packed form of an Info is what a [MemoryStore] keeps per asset: one
// string holding every field of the Info, from which an Info equal to
// the stored one is made again when it is needed (see memstore.go). An
// Info is some thirty short strings (twelve preview hrefs of some 80
// bytes above all), a dozen small numbers and three times; as Go values
// with their slices and headers that is about 2.5 KB, packed 600 to 700
// bytes:
//
//   - numbers as varints (a preview's width relative to its size, its
//     height relative to its width: one or two bytes each);
//   - times as seconds and nanoseconds with a zone tag;
//   - the strings concatenated and compressed with a small LZ77 whose
//     dictionary is the asset's href (the store key): a preview href
//     repeats the previous one but for its few distinct characters
//     (FotoWeb's "/fotoweb/cache/v2/x/y/<path>.<info>.<signature>.jpg"
//     keeps about 25 of its 80), a rendition href is the asset href and
//     a suffix, the caption usually repeats the alt text.
//
// Layout, in order: the version byte; flags; width and height; the
// times Modified, Rights.Expires and PreviewTokenExpires; the preview
// count and per preview its size (with the square flag), width and
// height; the rendition count and per rendition its width, height and
// flags; the length of every string (see infoStrings); the compressed
// strings to the end.

// packVersion is the first byte of a packed Info.
const packVersion = 1

// Flags of a packed Info.
const (
	packHrefNotKey    = 1 << iota // Href is not the store key: it is the first string
	packPreviewsNil               // Previews is nil (not merely empty)
	packRenditionsNil             // Renditions is nil
	packWithdrawn                 // Rights.Withdrawn
)

// Flags of a packed rendition.
const (
	packOriginal = 1 << iota
	packDefault
)

// errPacked reports a packed Info that does not unpack. Packed Infos are
// made in this process and never leave it, so it means a bug; the store
// then answers a miss.
var errPacked = errors.New("embed: corrupt packed entry")

// infoStrings appends to dst a pointer to every string field of in, in
// the packed order: Href (only withHref: when it is not the store key),
// Filename, Doctype, the six texts, Rights.Value, PreviewToken, every
// preview's Href, and every rendition's Href, Name and Profile.
func infoStrings(dst []*string, in *Info, withHref bool) []*string {
	if withHref {
		dst = append(dst, &in.Href)
	}
	t := &in.Text
	dst = append(dst, &in.Filename, &in.Doctype, &t.Title, &t.Alt, &t.Caption, &t.Byline, &t.Credit, &t.Copyright,
		&in.Rights.Value, &in.PreviewToken)
	for i := range in.Previews {
		dst = append(dst, &in.Previews[i].Href)
	}
	for i := range in.Renditions {
		r := &in.Renditions[i]
		dst = append(dst, &r.Href, &r.Name, &r.Profile)
	}
	return dst
}

// packInfo returns the packed form of in, stored under key. Times lose
// their monotonic clock reading (as through JSON); a zone other than UTC
// and Local is kept as its name and offset.
func packInfo(key string, in *Info) string {
	b := make([]byte, 0, 512)
	b = append(b, packVersion)
	flags := uint64(0)
	if in.Href != key {
		flags |= packHrefNotKey
	}
	if in.Previews == nil {
		flags |= packPreviewsNil
	}
	if in.Renditions == nil {
		flags |= packRenditionsNil
	}
	if in.Rights.Withdrawn {
		flags |= packWithdrawn
	}
	b = appendUvarint(b, flags)
	b = appendVarint(b, int64(in.Width))
	b = appendVarint(b, int64(in.Height))
	b = appendTime(b, in.Modified)
	b = appendTime(b, in.Rights.Expires)
	b = appendTime(b, in.PreviewTokenExpires)
	b = appendUvarint(b, uint64(len(in.Previews)))
	for _, p := range in.Previews {
		sq := int64(0)
		if p.Square {
			sq = 1
		}
		b = appendVarint(b, int64(p.Size)<<1|sq)
		b = appendVarint(b, int64(p.Width)-int64(p.Size))
		b = appendVarint(b, int64(p.Height)-int64(p.Width))
	}
	b = appendUvarint(b, uint64(len(in.Renditions)))
	for _, r := range in.Renditions {
		b = appendVarint(b, int64(r.Width))
		b = appendVarint(b, int64(r.Height))
		f := byte(0)
		if r.Original {
			f |= packOriginal
		}
		if r.Default {
			f |= packDefault
		}
		b = append(b, f)
	}
	var arr [48]*string
	strs := infoStrings(arr[:0], in, in.Href != key)
	n := 0
	for _, s := range strs {
		b = appendUvarint(b, uint64(len(*s)))
		n += len(*s)
	}
	win := make([]byte, 0, len(key)+n)
	win = append(win, key...)
	for _, s := range strs {
		win = append(win, *s...)
	}
	b = lzAppend(b, win, len(key))
	return string(b) // exactly sized: b's spare capacity is not kept
}

// unpackInfo makes the Info packed as p under key. Its strings are one
// block; its Href is key itself unless it differed.
func unpackInfo(key, p string, in *Info) error {
	d := packReader{s: p}
	if d.byte() != packVersion {
		return errPacked
	}
	flags := d.uvarint()
	in.Width, in.Height = d.int(), d.int()
	in.Modified = d.time()
	in.Rights.Expires = d.time()
	in.PreviewTokenExpires = d.time()
	in.Rights.Withdrawn = flags&packWithdrawn != 0
	np := d.count(3)
	if flags&packPreviewsNil == 0 {
		in.Previews = make([]Preview, np)
	} else if np > 0 {
		return errPacked
	}
	for i := range np {
		sz := d.varint()
		w := sz>>1 + d.varint()
		h := w + d.varint()
		if d.err != nil {
			return d.err
		}
		in.Previews[i] = Preview{Size: int(sz >> 1), Width: int(w), Height: int(h), Square: sz&1 != 0}
	}
	nr := d.count(3)
	if flags&packRenditionsNil == 0 {
		in.Renditions = make([]Rendition, nr)
	} else if nr > 0 {
		return errPacked
	}
	for i := range nr {
		r := &in.Renditions[i]
		r.Width, r.Height = d.int(), d.int()
		f := d.byte()
		r.Original, r.Default = f&packOriginal != 0, f&packDefault != 0
	}
	if d.err != nil {
		return errPacked
	}
	in.Href = key // unless packed apart
	var arr [48]*string
	strs := infoStrings(arr[:0], in, flags&packHrefNotKey != 0)
	var larr [48]int
	lens := larr[:0]
	total := 0
	for range strs {
		n := d.count(0)
		lens = append(lens, n)
		total += n
	}
	if d.err != nil || total > maxUnpacked {
		return errPacked
	}
	buf := make([]byte, len(key)+total)
	copy(buf, key)
	if err := lzDecode(buf, len(key), p[d.i:]); err != nil {
		return err
	}
	all := unsafe.String(unsafe.SliceData(buf[len(key):]), total) // buf is never written again
	off := 0
	for i, s := range strs {
		*s = all[off : off+lens[i]]
		off += lens[i]
	}
	return nil
}

// maxUnpacked bounds the strings of one unpacked Info, against a length
// that a bug could make absurd.
const maxUnpacked = 64 << 20

// appendUvarint appends v in 7-bit groups, low first.
func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendVarint appends v zigzag-encoded.
func appendVarint(b []byte, v int64) []byte {
	return appendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

// Time tags of a packed time.
const (
	timeZero  = iota // time.Time{}
	timeUTC          // in UTC
	timeLocal        // in time.Local
	timeZone         // in another zone: its offset and name follow
)

// appendTime appends t: a tag, then for a non-zero time its zone (tag
// timeZone only), its Unix seconds and its nanoseconds.
func appendTime(b []byte, t time.Time) []byte {
	if t == (time.Time{}) {
		return append(b, timeZero)
	}
	switch loc := t.Location(); loc {
	case time.UTC:
		b = append(b, timeUTC)
	case time.Local:
		b = append(b, timeLocal)
	default:
		name, off := t.Zone()
		b = append(b, timeZone)
		b = appendVarint(b, int64(off))
		b = appendUvarint(b, uint64(len(name)))
		b = append(b, name...)
	}
	b = appendVarint(b, t.Unix())
	return appendUvarint(b, uint64(t.Nanosecond()))
}

// packReader reads a packed Info; the first error sticks, and reads
// after it return zero values.
type packReader struct {
	s   string
	i   int
	err error
}

func (d *packReader) fail() { d.err, d.i = errPacked, len(d.s) }

func (d *packReader) byte() byte {
	if d.i >= len(d.s) {
		d.fail()
		return 0
	}
	d.i++
	return d.s[d.i-1]
}

func (d *packReader) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := d.byte()
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail()
	return 0
}

func (d *packReader) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *packReader) int() int { return int(d.varint()) }

// count reads a count or a length, and fails on one that cannot be
// right: over maxUnpacked, or, for things that take at least per bytes
// each (per > 0), more than what is left could hold.
func (d *packReader) count(per int) int {
	n := d.uvarint()
	if n > maxUnpacked || per > 0 && n > uint64(len(d.s)-d.i)/uint64(per) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *packReader) time() time.Time {
	tag := d.byte()
	var loc *time.Location
	switch tag {
	case timeZero:
		return time.Time{}
	case timeUTC:
		loc = time.UTC
	case timeLocal:
		loc = time.Local
	case timeZone:
		off := d.int()
		n := d.count(1)
		if d.err != nil {
			d.fail()
			return time.Time{}
		}
		name := d.s[d.i : d.i+n]
		d.i += n
		loc = fixedZone(name, off)
	default:
		d.fail()
		return time.Time{}
	}
	sec, nsec := d.varint(), d.uvarint()
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).In(loc)
}

// zones interns the fixed zones of unpacked times (a FotoWeb server
// answers in one or two), so that unpacking does not make a Location
// each time; it stops growing at maxZones.
var zones struct {
	sync.Mutex
	m map[zoneKey]*time.Location
}

type zoneKey struct {
	name string
	off  int
}

const maxZones = 64

// fixedZone returns time.FixedZone(name, off), interned.
func fixedZone(name string, off int) *time.Location {
	k := zoneKey{name, off}
	zones.Lock()
	defer zones.Unlock()
	if loc := zones.m[k]; loc != nil {
		return loc
	}
	loc := time.FixedZone(name, off)
	if len(zones.m) < maxZones {
		if zones.m == nil {
			zones.m = make(map[zoneKey]*time.Location)
		}
		k.name = string([]byte(name)) // not a substring of a packed entry
		zones.m[k] = loc
	}
	return loc
}
