package fotoweb_test

import (
	"fmt"
	"net/url"

	"github.com/fotoembed/fotoembed/fotoweb"
)

func ExampleParseAssetRef() {
	origin, _ := url.Parse("https://acme.fotoware.cloud")
	for _, ref := range []string{
		"/fotoweb/archives/5000-All-files/Folder 19/harbour.jpg.info",
		"https://acme.fotoware.cloud/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info?access_token=x",
		"https://evil.example/fotoweb/archives/5000-All-files/x.jpg.info",
		"/fotoweb/archives/5000-All-files/../../me.info",
	} {
		href, err := fotoweb.ParseAssetRef(origin, ref)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(href)
	}
	// Output:
	// /fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info
	// /fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info
	// error: fotoweb: bad asset reference: not on the origin https://acme.fotoware.cloud: "https://evil.example/fotoweb/archives/5000-All-files/x.jpg.info"
	// error: fotoweb: bad asset reference: dot segment: "/fotoweb/archives/5000-All-files/../../me.info"
}
