package embed

import (
	"sort"
	"unsafe"
)

// Fixed parts of an entry's size estimate, in bytes.
const (
	// mapSlotBytes is a Go map slot holding a string key and a pointer
	// (24 bytes and a control byte) at the usual load, with the table's
	// growth slack.
	mapSlotBytes = 40
	// weakHandleBytes is the runtime's handle behind a node's weak
	// pointer to the entry it handed out last (a 16-byte block that
	// outlives the entry while the node points to it).
	weakHandleBytes = 16
	// tagBytes is Info.Tag's memoised cache tag ("fe-" and 22 characters
	// behind a pointer), for an Info kept as it is.
	tagBytes = 16 + 32
)

// entrySize estimates the heap bytes key and e hold while stored in a
// [MemoryStore]; see nodeSize.
func entrySize(key string, e *Entry) int64 { return newNode(key, e).size }

// nodeSize estimates the heap bytes n holds, each object rounded up to
// the allocator's size class: the node, its map slot and key, and an
// asset's packed Info and weak handle (pack.go); or the entry kept as it
// is. What an entry handed out holds (the unpacked Info, the signed URLs
// rendering memoises in it) is not counted: it is the garbage of the
// requests that use it, collected when they are done (see
// [MemoryStore.Get]). Measured against the live heap of 100,000 realistic
// entries (bench/cmd/memsize) it is within a few percent.
func nodeSize(n *lruNode) int64 {
	b := allocSize(int(unsafe.Sizeof(lruNode{}))) + mapSlotBytes + allocSize(len(n.key))
	if n.info != "" {
		b += allocSize(len(n.info)) + weakHandleBytes
	}
	if n.e != nil {
		b += allocSize(int(unsafe.Sizeof(Entry{})))
		if in := n.e.Info; in != nil {
			b += infoSize(n.key, in)
		}
	}
	return int64(b)
}

// infoSize estimates the bytes of an Info kept as it is (only a
// not-found marker that carries one; key is the store key, which
// usually shares its bytes with in.Href): the struct, its slices and
// strings (NewInfo's compacted block counted once) and its memoised tag.
func infoSize(key string, in *Info) int {
	n := allocSize(int(unsafe.Sizeof(Info{})))
	if in.Href != key {
		n += allocSize(len(in.Href))
	}
	block := 0
	var arr [48]*string
	for _, s := range infoStrings(arr[:0], in, false) {
		block += len(*s)
	}
	n += allocSize(block)
	n += allocSize(cap(in.Previews) * int(unsafe.Sizeof(Preview{})))
	n += allocSize(cap(in.Renditions) * int(unsafe.Sizeof(Rendition{})))
	return n + tagBytes
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
