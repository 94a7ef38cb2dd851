package purge_test

import (
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/fotoembed/fotoembed/purge"
)

// A purger that bans changed assets on two Varnish servers and purges
// them from Fastly. The service calls Purge from its FotoWeb webhook;
// Close drains the queue at shutdown.
func ExampleNew() {
	p, err := purge.New(purge.Config{
		Varnish: &purge.VarnishConfig{URLs: []string{"http://varnish-1:6081/", "http://varnish-2:6081/"}},
		Fastly:  &purge.FastlyConfig{ServiceID: "SU1Z0isxPaozGVKXdv0eY", Token: os.Getenv("FASTLY_TOKEN"), Soft: true},
		Logger:  slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	p.Purge("/fotoweb/archives/5001-Photos/harbour.jpg.info", "modified")
}

// Every /i/ answer names its asset in Surrogate-Key and Cache-Tag.
func ExampleTag() {
	fmt.Println(purge.Tag("/fotoweb/archives/5001-Photos/harbour.jpg.info"))
	// Output: fe-jgOrCpsIb6jpTHbVhalmJQ
}
