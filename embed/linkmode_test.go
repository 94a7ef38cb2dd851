package embed

import (
	"errors"
	"testing"

	"golang.org/x/oauth2"
)

// TestDeprecatedDeliveryNames: programs written against the former
// names (the Delivery type, its constants and the Delivery fields of
// Options and Config) still get the link mode they ask for; Links wins
// when both are set.
func TestDeprecatedDeliveryNames(t *testing.T) {
	var old Delivery = DeliveryDirect
	if old != LinkDirect || DeliveryDefault != LinkDefault || DeliverySigned != LinkSigned || DeliveryExport != LinkExport {
		t.Fatal("the deprecated constants differ from the LinkMode ones")
	}
	e := testEmbedder(t)
	in := info(landscape())
	render := func(o Options) string {
		t.Helper()
		h, err := e.RenderImg(in, o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		return string(h)
	}
	signed, direct := render(Options{Width: 300}), render(Options{Width: 300, Links: LinkDirect})
	if signed == direct {
		t.Fatal("signed and direct HTML are the same")
	}
	if got := render(Options{Width: 300, Delivery: DeliveryDirect}); got != direct {
		t.Errorf("Options.Delivery direct:\n%s\nwant\n%s", got, direct)
	}
	if got := render(Options{Width: 300, Links: LinkSigned, Delivery: DeliveryDirect}); got != signed {
		t.Errorf("Links signed with Delivery direct:\n%s\nwant\n%s", got, signed)
	}
	if _, err := e.RenderImg(in, Options{Delivery: 7}); !errors.Is(err, ErrBadOption) {
		t.Errorf("Options.Delivery 7: %v, want ErrBadOption", err)
	}
	if _, err := New(Config{Delivery: DeliveryExport}); !errors.Is(err, ErrNoExporter) {
		t.Errorf("Config.Delivery export without exporter: %v, want ErrNoExporter", err)
	}
	ce, err := New(Config{Origin: "https://acme.fotoware.cloud", Delivery: DeliveryDirect,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok+en/with=chars"})})
	if err != nil {
		t.Fatal(err)
	}
	if m := ce.links(&Options{}); m != LinkDirect {
		t.Errorf("Config.Delivery direct: default link mode %v", m)
	}
}
