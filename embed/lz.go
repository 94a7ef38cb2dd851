package embed

import "encoding/binary"

// A small LZ77 for the strings of a packed Info (pack.go). The input is
// a window whose first bytes are a dictionary (the asset href) that the
// decoder is given too; the rest is encoded as a sequence of
//
//	token byte: literal count (high nibble), match length - lzMinMatch (low nibble)
//	[literal count - 15, uvarint, when the nibble is 15]
//	literals
//	[match length - lzMinMatch - 15, uvarint, when the nibble is 15]
//	match distance back from the current position, uvarint
//
// where the last token has literals only: the decoder knows the length
// of the output and stops when it is full. A match may overlap the bytes
// it makes (distance less than length), and reach into the dictionary.
// There is no entropy coding: a preview href is mostly repeats of the
// one before it, and decoding stays a few hundred nanoseconds.

const (
	lzMinMatch = 4  // shortest match worth a token (one to three bytes)
	lzHashBits = 10 // hash table of 1024 heads
	lzMaxChain = 32 // candidates tried per position
)

// lzHash hashes the lzMinMatch bytes at b.
func lzHash(b []byte) uint32 {
	return (binary.LittleEndian.Uint32(b) * 2654435761) >> (32 - lzHashBits)
}

// lzAppend appends to dst the encoding of win[start:], with win[:start]
// as the dictionary: greedy longest matches over hash chains.
func lzAppend(dst, win []byte, start int) []byte {
	var head [1 << lzHashBits]int32
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(win))
	insert := func(p int) {
		if p+lzMinMatch <= len(win) {
			h := lzHash(win[p:])
			prev[p], head[h] = head[h], int32(p)
		}
	}
	for p := range start {
		insert(p)
	}
	lit, p := start, start
	for p < len(win) {
		best, from := 0, 0
		if p+lzMinMatch <= len(win) {
			c := head[lzHash(win[p:])]
			for depth := 0; c >= 0 && depth < lzMaxChain; depth++ {
				if n := matchLen(win[c:], win[p:]); n > best {
					best, from = n, int(c)
				}
				c = prev[c]
			}
		}
		if best < lzMinMatch {
			insert(p)
			p++
			continue
		}
		dst = lzToken(dst, win[lit:p], best)
		dst = appendUvarint(dst, uint64(p-from))
		for q := p; q < p+best; q++ {
			insert(q)
		}
		p += best
		lit = p
	}
	if lit < len(win) {
		dst = lzToken(dst, win[lit:], lzMinMatch) // literals only: the low nibble is not read
	}
	return dst
}

// lzToken appends a token for literals lits and a match of length n
// (at least lzMinMatch), and the literals; the distance is the caller's.
func lzToken(dst, lits []byte, n int) []byte {
	ll, ml := len(lits), n-lzMinMatch
	dst = append(dst, byte(min(ll, 15)<<4|min(ml, 15)))
	if ll >= 15 {
		dst = appendUvarint(dst, uint64(ll-15))
	}
	dst = append(dst, lits...)
	if ml >= 15 {
		dst = appendUvarint(dst, uint64(ml-15))
	}
	return dst
}

// matchLen is the length of the common prefix of a and b, at most
// len(b).
func matchLen(a, b []byte) int {
	n := 0
	for n < len(b) && n < len(a) && a[n] == b[n] {
		n++
	}
	return n
}

// lzDecode fills buf[start:] from the encoding src, with buf[:start]
// holding the dictionary it was encoded with.
func lzDecode(buf []byte, start int, src string) error {
	out, i := start, 0
	uvarint := func() int {
		d := packReader{s: src, i: i}
		v := d.uvarint()
		i = d.i
		if d.err != nil || v > uint64(len(buf)) {
			return -1
		}
		return int(v)
	}
	for out < len(buf) {
		if i >= len(src) {
			return errPacked
		}
		tok := src[i]
		i++
		ll := int(tok >> 4)
		if ll == 15 {
			x := uvarint()
			if x < 0 {
				return errPacked
			}
			ll += x
		}
		if ll > len(buf)-out || ll > len(src)-i {
			return errPacked
		}
		out += copy(buf[out:out+ll], src[i:i+ll])
		i += ll
		if out == len(buf) {
			break
		}
		ml := int(tok&15) + lzMinMatch
		if tok&15 == 15 {
			x := uvarint()
			if x < 0 {
				return errPacked
			}
			ml += x
		}
		dist := uvarint()
		if dist <= 0 || dist > out || ml > len(buf)-out {
			return errPacked
		}
		from := out - dist
		if dist >= ml {
			out += copy(buf[out:out+ml], buf[from:from+ml])
			continue
		}
		for k := range ml { // overlapping: each byte may be one just made
			buf[out+k] = buf[from+k]
		}
		out += ml
	}
	if i != len(src) {
		return errPacked
	}
	return nil
}
