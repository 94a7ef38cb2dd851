package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// The rights fields of the audit tests (free field ids in the fake).
var auditFieldFlags = []string{"--rights-expiry-field", "230", "--withdrawn-field", "10"}

// auditFake is a fake FotoWeb in which PortraitAsset's licence ended in
// 2020, SquareAsset was withdrawn and PanoramaAsset's licence ends in
// ten days (by the real clock).
func auditFake(t *testing.T) *fotowebtest.Server {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	fake.SetMetadata(fotowebtest.PortraitAsset, 230, "2020-01-01")
	fake.SetMetadata(fotowebtest.SquareAsset, 10, "withdrawn")
	fake.SetMetadata(fotowebtest.PanoramaAsset, 230, time.Now().Add(10*24*time.Hour).UTC().Format(time.RFC3339))
	return fake
}

// auditSite writes a site whose index.html holds lines (numbered from 1)
// and returns its folder.
func auditSite(t *testing.T, lines ...string) string {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// signedImg is an <img> linking rewriteBase's signed URL of asset.
func signedImg(t *testing.T, asset, alt string) string {
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte(rewriteKey)}})
	if err != nil {
		t.Fatal(err)
	}
	return `<img src="` + rewriteBase + s.Sign(urlsig.Options{Width: 800}, asset, ".jpg") + `" alt="` + alt + `">`
}

// brokenSite has a healthy placeholder and signed URL, an expired, a
// withdrawn and a soon expiring (decorative) asset, and a placeholder
// without alt whose asset has no alt text.
func brokenSite(t *testing.T) string {
	return auditSite(t, "<!doctype html>",
		`<img src="fotoweb:`+fotowebtest.LandscapeAsset+`" alt="Boats">`,
		`<img src="fotoweb:`+fotowebtest.PortraitAsset+`" alt="Lighthouse">`,
		`<img data-fotoweb="`+fotowebtest.SquareAsset+`" alt="Moss">`,
		`<img src="fotoweb:`+fotowebtest.PanoramaAsset+`" alt="">`,
		`<img src="fotoweb:`+fotowebtest.NoCaptionAsset+`">`,
		signedImg(t, fotowebtest.LandscapeAsset, "Harbour"))
}

// TestAuditCommand: `audit` (and `rewrite --audit`) prints each problem
// as file:line: ASSET: problem and exits 1, and writes nothing.
func TestAuditCommand(t *testing.T) {
	fake := auditFake(t)
	root := brokenSite(t)
	before := snapshot(t, root)
	page := filepath.Join(root, "index.html")
	want := []string{
		page + ":3: " + fotowebtest.PortraitAsset + ": not published: its licence expired at 2020-01-02T00:00:00Z",
		page + ":4: " + fotowebtest.SquareAsset + ": not published: it was withdrawn (withdrawn)",
		page + ":6: " + fotowebtest.NoCaptionAsset + `: no alt text in FotoWeb (alt and title fields are empty): write alt="..." on the tag, or alt="" for a decorative image`,
		page + ":5: " + fotowebtest.PanoramaAsset + ": warning: its licence expires at ",
		"audit: 6 images of 5 assets in 1 of 1 page: 1 expired, 1 withdrawn, 1 without alt text, 1 expiring within 30 days; 3 images with problems, 1 with warnings",
	}
	for _, args := range [][]string{{"audit", root}, {"rewrite", "--audit", root}} {
		var out, errb bytes.Buffer
		if code := cli(append(args, auditFieldFlags...), directEnv(fake), &out, &errb); code != 1 {
			t.Fatalf("%s: exit %d, want 1:\n%s%s", args[0], code, out.String(), errb.String())
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines, want %d:\n%s", args[0], len(lines), len(want), out.String())
		}
		for i, l := range lines {
			if !strings.HasPrefix(l, want[i]) {
				t.Errorf("%s: line %d:\n  got  %s\n  want %s", args[0], i+1, l, want[i])
			}
		}
		if got := errb.String(); got != "fotoembed: rewrite: the audit found problems: 3 of 6 images\n" {
			t.Errorf("%s: stderr %q", args[0], got)
		}
		assertNoSecrets(t, out.String()+errb.String(), rewriteSecrets...)
	}
	if after := snapshot(t, root); len(after) != len(before) || after["index.html"] != before["index.html"] {
		t.Error("the audit changed the site")
	}
}

// auditJSON is the JSON document of `audit --json`.
type auditJSON struct {
	Images []struct {
		File, Asset, State, Alt, Credit, Kind, Signature string
		Line                                             int
		Expires                                          *time.Time
		Decorative                                       bool
		Problems, Warnings                               []string
	}
	Problems int
}

// TestAuditJSON: --json prints every image, resolving through a running
// service (which reads the rights fields) as well as with FotoWeb.
func TestAuditJSON(t *testing.T) {
	fake := auditFake(t)
	srv := start(t, envOf(map[string]string{
		"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_AUTH": "client_credentials",
		"FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID, "FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret,
		"FOTOEMBED_SIGNING_KEYS": rewriteKey, "FOTOEMBED_API_KEYS": testAPIKey,
		"FOTOEMBED_RIGHTS_EXPIRY_FIELD": "230", "FOTOEMBED_WITHDRAWN_FIELD": "10",
	}), "serve", "--addr", "127.0.0.1:0")
	base := srv.waitReady().URL
	root := brokenSite(t)
	for name, run := range map[string]struct {
		env  []string
		args []string
	}{
		"direct":  {directEnv(fake), auditFieldFlags},
		"service": {envOf(map[string]string{"FOTOEMBED_API_KEY": testAPIKey, "FOTOEMBED_SIGNING_KEYS": rewriteKey}), []string{"--service", base}},
	} {
		var out, errb bytes.Buffer
		if code := cli(append([]string{"audit", "--json", root}, run.args...), run.env, &out, &errb); code != 1 {
			t.Fatalf("%s: exit %d, want 1:\n%s", name, code, errb.String())
		}
		var doc auditJSON
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v:\n%s", name, err, out.String())
		}
		var got []string
		for _, im := range doc.Images {
			got = append(got, im.State+" "+im.Alt)
			if im.File != filepath.Join(root, "index.html") || len(im.Problems) > 0 != (im.Line == 3 || im.Line == 4 || im.Line == 6) {
				t.Errorf("%s: image %+v", name, im)
			}
		}
		if want := "ok Boats|expired Lighthouse|withdrawn Moss|expires soon |ok |ok Harbour"; strings.Join(got, "|") != want {
			t.Errorf("%s: images %q, want %q", name, strings.Join(got, "|"), want)
		}
		if im := doc.Images[5]; im.Kind != "signed" || im.Signature != "verified" || !strings.HasPrefix(im.Credit, "Photo: ") || im.Asset != fotowebtest.LandscapeAsset {
			t.Errorf("%s: signed image %+v", name, im)
		}
		if im := doc.Images[3]; !im.Decorative || im.Expires == nil || len(im.Warnings) != 1 {
			t.Errorf("%s: soon expiring image %+v", name, im)
		}
		if doc.Problems != 3 {
			t.Errorf("%s: %d problems, want 3", name, doc.Problems)
		}
	}
}

// TestAuditHealthy: a site whose images are all fine exits 0.
func TestAuditHealthy(t *testing.T) {
	fake := auditFake(t)
	root := auditSite(t, `<img src="fotoweb:`+fotowebtest.LandscapeAsset+`" alt="Boats">`, signedImg(t, fotowebtest.PortraitAsset, ""))
	var out, errb bytes.Buffer
	args := append([]string{"audit", root, "--withdrawn-field", "10"}, "--warn-within", "0")
	if code := cli(args, directEnv(fake), &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	if got := out.String(); got != "audit: 2 images of 2 assets in 1 of 1 page: 0 expired, 0 withdrawn, 0 without alt text; 0 images with problems, 0 with warnings\n" {
		t.Errorf("stdout %q", got)
	}
}
