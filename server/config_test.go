package server

import (
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

func TestConfigValidate(t *testing.T) {
	err := Config{
		BaseURL: "img.example.com", Origin: "https://acme.fotoware.cloud/fotoweb",
		APIKeys: []string{"short"}, HookSecret: "tiny", Delivery: Delivery(7),
		HookAllow: []netip.Prefix{{}}, PublicArchives: []string{"Photos"}, MaxBatch: -1,
	}.Validate()
	if err == nil {
		t.Fatal("no error for an empty config")
	}
	for _, want := range []string{"FotoWeb", "Embedder", "Signer", "Config.Origin", "Config.BaseURL", "APIKeys",
		"HookSecret", "Delivery", "HookAllow", "PublicArchives", "MaxBatch"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

// TestAdminTokenInURLRefused: a client-credentials token in redirect
// delivery is refused at start-up unless acknowledged; proxy is fine.
func TestAdminTokenInURLRefused(t *testing.T) {
	cc, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: "https://acme.fotoware.cloud", ClientID: "id", ClientSecret: "secret"}, tokens.Options{})
	must(t, err)
	base := Config{Tokens: cc, Origin: "https://acme.fotoware.cloud", BaseURL: "https://img.example.com"}
	if err := base.Validate(); err == nil || !strings.Contains(err.Error(), "client-credentials") {
		t.Errorf("redirect with a client-credentials token: %v", err)
	}
	ack := base
	ack.AllowAdminTokenInURL = true
	if err := ack.Validate(); err != nil && strings.Contains(err.Error(), "client-credentials") {
		t.Errorf("acknowledged: %v", err)
	}
	proxy := base
	proxy.Delivery = DeliveryProxy
	if err := proxy.Validate(); err != nil && strings.Contains(err.Error(), "client-credentials") {
		t.Errorf("proxy: %v", err)
	}
	user := base
	user.Tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	if err := user.Validate(); err != nil && strings.Contains(err.Error(), "client-credentials") {
		t.Errorf("other token source: %v", err)
	}
}

func TestParseDelivery(t *testing.T) {
	for in, want := range map[string]Delivery{"": DeliveryRedirect, "redirect": DeliveryRedirect, "Proxy": DeliveryProxy} {
		if got, err := ParseDelivery(in); err != nil || got != want {
			t.Errorf("ParseDelivery(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseDelivery("direct"); err == nil {
		t.Error("direct is not a signed-URL delivery")
	}
}

func TestArchiveKey(t *testing.T) {
	for in, want := range map[string]string{
		"5001": "5001", "5001-Photos": "5001", "/fotoweb/archives/5001-Photos/": "5001",
		"https://acme.fotoware.cloud/fotoweb/archives/5002-Press/":   "5002",
		"/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info": "5001",
		"Photos": "", "": "", "/fotoweb/archives/": "",
	} {
		if got := archiveKey(in); got != want {
			t.Errorf("archiveKey(%q) = %q, want %q", in, got, want)
		}
	}
}
