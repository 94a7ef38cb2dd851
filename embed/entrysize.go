package embed

import (
	"encoding/base64"
	"sort"
	"unsafe"
)

// Fixed parts of an entry's size estimate, in bytes.
const (
	// mapSlotBytes is a Go map slot holding a string key and a pointer
	// (24 bytes and a control byte) at the usual load, with the table's
	// growth slack.
	mapSlotBytes = 40
	// tagBytes is Info.Tag's memoised cache tag ("fe-" and 22 characters
	// behind a pointer).
	tagBytes = 16 + 32
	// signedPathOverhead is what a memoised signed preview path holds
	// beside the base64url asset href: the image route, a full-length
	// signature (43), the options segment and the extension.
	signedPathOverhead = 3 + 43 + 1 + 16 + 1 + 5
)

// entrySize estimates the heap bytes key and e hold while stored in a
// [MemoryStore]: the store's node and map slot, the key, the Entry and
// its Info with every string and slice they reference, each rounded up
// to the allocator's size class, and an allowance for what rendering
// adds later (the memoised signed preview paths and cache tag; see
// memo.go). Strings shared within an Info (its compacted block, the key
// that is its Href) are counted once. Measured against the live heap of
// 100,000 realistic entries (bench/cmd/memsize) it is within a few
// percent; see the README's "Caching".
func entrySize(key string, e *Entry) int64 {
	n := allocSize(int(unsafe.Sizeof(lruNode{}))) + mapSlotBytes + allocSize(len(key))
	if e == nil {
		return int64(n)
	}
	n += allocSize(int(unsafe.Sizeof(Entry{})))
	if in := e.Info; in != nil {
		n += infoSize(key, in)
	}
	return int64(n)
}

// infoSize estimates the bytes of one Info (key is the store key, which
// usually shares its bytes with in.Href).
func infoSize(key string, in *Info) int {
	n := allocSize(int(unsafe.Sizeof(Info{})))
	if in.Href != key {
		n += allocSize(len(in.Href))
	}
	t := in.Text
	block := len(in.Filename) + len(in.Doctype)
	texts := []string{t.Title, t.Alt, t.Caption, t.Byline, t.Credit, t.Copyright}
	for i, s := range texts {
		dup := false
		for _, prev := range texts[:i] {
			dup = dup || prev == s
		}
		if !dup {
			block += len(s)
		}
	}
	for _, p := range in.Previews {
		block += len(p.Href)
	}
	for _, r := range in.Renditions {
		block += len(r.Href) + len(r.Name) + len(r.Profile)
	}
	n += allocSize(block) // compact: one block
	n += allocSize(len(in.Rights.Value)) + allocSize(len(in.PreviewToken))
	n += allocSize(cap(in.Previews) * int(unsafe.Sizeof(Preview{})))
	n += allocSize(cap(in.Renditions) * int(unsafe.Sizeof(Rendition{})))
	n += tagBytes
	if len(in.Previews) > 0 { // the signed paths of one memo (memo.go)
		path := allocSize(signedPathOverhead + base64.RawURLEncoding.EncodedLen(len(in.Href)))
		n += allocSize(int(unsafe.Sizeof(urlMemo{}))) + allocSize(len(in.Previews)*16) + len(in.Previews)*path
	}
	if in.PreviewToken != "" { // "access_token=" and the escaped token, made once
		n += 16 + allocSize(len("access_token=")+len(in.PreviewToken)+8)
	}
	return n
}

// sizeClasses are the Go allocator's small object size classes
// (runtime/sizeclasses.go); larger objects take whole 8 KiB pages.
var sizeClasses = []int{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
	1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
	6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432,
	19072, 20480, 21760, 24576, 27264, 28672, 32768,
}

// allocSize is the bytes the allocator hands out for an object of n bytes.
func allocSize(n int) int {
	if n <= 0 {
		return 0
	}
	if n > sizeClasses[len(sizeClasses)-1] {
		return (n + 8191) &^ 8191
	}
	return sizeClasses[sort.SearchInts(sizeClasses, n)]
}
