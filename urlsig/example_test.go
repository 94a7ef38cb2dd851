package urlsig_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/fotoembed/fotoembed/urlsig"
)

// exampleSigner returns a signer with a fixed key. Real keys come from
// configuration and should be 32 random bytes.
func exampleSigner() *urlsig.Signer {
	s, err := urlsig.New(urlsig.Config{
		Keys:      [][]byte{[]byte("fotoembed-test-vector-key-0001")},
		MACLength: 16,
	})
	if err != nil {
		panic(err)
	}
	return s
}

func ExampleSigner_Sign() {
	s := exampleSigner()
	path := s.Sign(urlsig.Options{
		Width:   1200,
		Square:  true,
		Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}, "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info", ".jpg")
	fmt.Println(path)
	// Output:
	// /i/e3TSK645NfXtisbO94eCrw/w1200-sq-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg
}

func ExampleSigner_Verify() {
	s := exampleSigner()
	path := "/i/e3TSK645NfXtisbO94eCrw/w1200-sq-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg"

	p, err := s.Verify(path, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	fmt.Println(p.Asset, p.Ext, p.Options.Width, p.Options.Square, p.Options.Expires, err)

	_, err = s.Verify(path, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	fmt.Println(errors.Is(err, urlsig.ErrExpired), err)

	_, err = s.Verify("/i/e3TSK645NfXtisbO94eCrw/w1600-sq-x1767225600/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMC1BbGwtZmlsZXMvRm9sZGVyJTIwMTkvaGFyYm91ci5qcGcuaW5mbw.jpg", time.Now())
	fmt.Println(errors.Is(err, urlsig.ErrBadSignature), err)
	// Output:
	// /fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info .jpg 1200 true 2026-01-01 00:00:00 +0000 UTC <nil>
	// true urlsig: expired
	// true urlsig: bad signature
}

func ExampleOptions_Encode() {
	o := urlsig.Options{Width: 800, Rendition: "orig"}
	fmt.Println(o.Encode())
	fmt.Println(urlsig.Options{}.Encode())

	_, err := urlsig.DecodeOptions("w0800")
	fmt.Println(err)
	// Output:
	// w800-rorig
	// _
	// urlsig: non-canonical or invalid options: width "0800": zero or leading zero
}
