package rewrite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/urlsig"
)

// Run rewrites a generated site in place. Here the site is one page, the
// FotoWeb server is the fake one, and the links are signed URLs of the
// service at https://img.example.com (signing key fixed, so the output
// is stable).
func ExampleRun() {
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	defer fake.Close()
	site, err := os.MkdirTemp("", "site")
	check(err)
	defer os.RemoveAll(site)
	page := filepath.Join(site, "index.html")
	check(os.WriteFile(page, []byte(`<p>Cabin:</p>
<img src="fotoweb:/fotoweb/archives/5001-Photos/Landscapes/tiny-150x100.png.info" width="100" class="icon">
`), 0o644))

	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{BaseURL: fake.URL,
		ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret}, tokens.Options{})
	check(err)
	client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: ts})
	check(err)
	signer, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("example-key-do-not-use-0123456789")}})
	check(err)
	src, err := rewrite.NewDirect(rewrite.DirectConfig{Client: client, Signer: signer, BaseURL: "https://img.example.com"})
	check(err)
	rep, err := rewrite.Run(context.Background(), rewrite.Config{Root: site, Source: src, Mode: rewrite.ModeSigned})
	check(err)
	b, err := os.ReadFile(page)
	check(err)
	fmt.Print(string(b))
	fmt.Println(rep.Pages, "page,", rep.Images, "image,", rep.Upstream, "upstream call")
	// Output:
	// <p>Cabin:</p>
	// <img src="https://img.example.com/i/RYnr5P7DEcwLXTppv5OT8Es3iQKq7-fUcHR6Ay8ulNU/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy90aW55LTE1MHgxMDAucG5nLmluZm8.jpg" srcset="https://img.example.com/i/RYnr5P7DEcwLXTppv5OT8Es3iQKq7-fUcHR6Ay8ulNU/w200/L2ZvdG93ZWIvYXJjaGl2ZXMvNTAwMS1QaG90b3MvTGFuZHNjYXBlcy90aW55LTE1MHgxMDAucG5nLmluZm8.jpg 200w" sizes="(max-width: 100px) 100vw, 100px" width="100" height="67" alt="A very small image, 150×100 pixels" loading="lazy" decoding="async" class="icon">
	// 1 page, 1 image, 1 upstream call
}
