package urlsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// Signer configuration limits and defaults.
const (
	// DefaultPrefix is the route prefix used when Config.Prefix is "".
	DefaultPrefix = "/i"
	// MinKeyLen is the minimum key length in bytes.
	MinKeyLen = 16
	// MinMACLength is the smallest accepted Config.MACLength, in bytes.
	MinMACLength = 8
	// MaxMACLength is the largest accepted Config.MACLength, in bytes:
	// the full HMAC-SHA256. It is the default.
	MaxMACLength = sha256.Size
	// MaxPrefixLen is the longest accepted Config.Prefix.
	MaxPrefixLen = 64
	// MaxPathLen is the longest path Verify looks at; longer paths are
	// ErrMalformed. Every path Sign produces is shorter.
	MaxPathLen = 4096
)

// maxSigChars is the encoded length of a full-length MAC.
const maxSigChars = (MaxMACLength*8 + 5) / 6

// Config configures a [Signer].
type Config struct {
	// Keys are the HMAC keys, each at least MinKeyLen bytes. The first
	// key signs; every key verifies, so a new key can be put first while
	// URLs signed with older keys keep working.
	Keys [][]byte
	// MACLength is the number of leading HMAC-SHA256 bytes carried in
	// the signature, MinMACLength..MaxMACLength; 0 means MaxMACLength.
	// Verify accepts only signatures of exactly this length.
	MACLength int
	// Prefix is the route prefix, such as "/i" or "/img/v1": "/"
	// followed by segments of [A-Za-z0-9_-] separated by single "/",
	// at most MaxPrefixLen bytes, without a trailing "/". "" means
	// DefaultPrefix. The prefix is not covered by the signature.
	Prefix string
}

// Signer mints and verifies signed image paths. Create one with [New];
// it is safe for concurrent use.
type Signer struct {
	prefix string
	macLen int
	sigLen int
	macs   []*sync.Pool // one per key, holding *macState
}

// macState is a reusable HMAC for one key with room for its sum.
type macState struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// scratch holds reusable buffers for one Sign or Verify call.
type scratch struct{ a, b []byte }

var scratchPool = sync.Pool{New: func() any {
	return &scratch{a: make([]byte, 0, 512), b: make([]byte, 0, 512)}
}}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(sc *scratch) {
	if cap(sc.a) > 2*MaxPathLen || cap(sc.b) > 2*MaxPathLen {
		return // grown by an oversized CheckSignature call; let it go
	}
	scratchPool.Put(sc)
}

// New returns a Signer for cfg. It copies the keys. Errors describe the
// problem by key index and length, never by content.
func New(cfg Config) (*Signer, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("urlsig: no keys configured")
	}
	s := &Signer{prefix: cfg.Prefix, macLen: cfg.MACLength}
	if s.macLen == 0 {
		s.macLen = MaxMACLength
	}
	if s.macLen < MinMACLength || s.macLen > MaxMACLength {
		return nil, fmt.Errorf("urlsig: MAC length %d outside %d..%d", cfg.MACLength, MinMACLength, MaxMACLength)
	}
	s.sigLen = b64.EncodedLen(s.macLen)
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if err := checkPrefix(s.prefix); err != nil {
		return nil, err
	}
	for i, k := range cfg.Keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("urlsig: key %d is %d bytes, need at least %d", i, len(k), MinKeyLen)
		}
		key := append([]byte(nil), k...)
		s.macs = append(s.macs, &sync.Pool{New: func() any {
			return &macState{h: hmac.New(sha256.New, key)}
		}})
	}
	return s, nil
}

// checkPrefix validates a route prefix; see Config.Prefix.
func checkPrefix(p string) error {
	if len(p) > MaxPrefixLen {
		return fmt.Errorf("urlsig: prefix longer than %d bytes", MaxPrefixLen)
	}
	if p[0] != '/' || p[len(p)-1] == '/' || strings.Contains(p, "//") {
		return fmt.Errorf("urlsig: prefix %q must start with \"/\", not end with \"/\" and have no empty segment", p)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '/') {
			return fmt.Errorf("urlsig: prefix %q has a character outside [A-Za-z0-9_-/]", p)
		}
	}
	return nil
}

// Prefix returns the route prefix, such as "/i".
func (s *Signer) Prefix() string { return s.prefix }

// MACLength returns the number of MAC bytes in a signature.
func (s *Signer) MACLength() int { return s.macLen }

// encodeSig writes the signature segment for msg under the first key to
// dst and returns its length.
func (s *Signer) encodeSig(msg []byte, dst *[maxSigChars]byte) int {
	p := s.macs[0]
	st := p.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	sum := st.h.Sum(st.sum[:0])
	b64.Encode(dst[:s.sigLen], sum[:s.macLen])
	p.Put(st)
	return s.sigLen
}

// macEqual reports whether mac is the (truncated) MAC of msg under key k.
func (s *Signer) macEqual(k int, msg, mac []byte) bool {
	p := s.macs[k]
	st := p.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	sum := st.h.Sum(st.sum[:0])
	ok := hmac.Equal(sum[:s.macLen], mac)
	p.Put(st)
	return ok
}

// check verifies the signature segment sig against msg.
func (s *Signer) check(sig string, msg []byte) error {
	if len(sig) != s.sigLen {
		return errSigLength
	}
	var enc [maxSigChars]byte
	copy(enc[:], sig)
	var mac [MaxMACLength]byte
	n, err := b64.Decode(mac[:], enc[:len(sig)])
	// The decoder skips '\r' and '\n'; a signature containing them
	// decodes to fewer than macLen bytes and fails the length check.
	if err != nil || n != s.macLen {
		return errSigEncoding
	}
	for k := range s.macs {
		if s.macEqual(k, msg, mac[:n]) {
			return nil
		}
	}
	return ErrBadSignature
}

// SignString returns the signature segment for rest, the part of a path
// after the signature segment ("{options}/{asset}[.ext]"). Most callers
// want [Signer.Sign].
func (s *Signer) SignString(rest string) string {
	sc := getScratch()
	sc.a = append(sc.a[:0], rest...)
	var sig [maxSigChars]byte
	n := s.encodeSig(sc.a, &sig)
	putScratch(sc)
	return string(sig[:n])
}

// CheckSignature reports whether sig is a valid signature segment for
// rest under any configured key. It returns nil or an error matching
// [ErrBadSignature].
func (s *Signer) CheckSignature(sig, rest string) error {
	sc := getScratch()
	sc.a = append(sc.a[:0], rest...)
	err := s.check(sig, sc.a)
	putScratch(sc)
	return err
}
