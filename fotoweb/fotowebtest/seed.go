package fotowebtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// seedBase is the newest modification time in the seed data.
var seedBase = time.Date(2023, 6, 19, 12, 47, 59, 0, time.UTC)

// spec describes one explicit seed asset.
type spec struct {
	arch     *archive
	folder   string
	file     string
	doctype  string
	w, h     int
	rotation int
	meta     metadata
	decimal  bool // resolution written as 300.0
	res      int  // resolution (default 300)
	synth    int  // k of a synthetic asset
	quick    bool
}

// md builds metadata: title (5), caption (120), keywords (25), byline (80),
// credit (110), copyright (116). Empty values are left out.
func md(title, caption string, keywords []string, byline ...string) metadata {
	m := metadata{}
	setField(m, 5, []string{title})
	setField(m, 120, []string{caption})
	setField(m, 25, keywords)
	setField(m, 80, byline)
	setField(m, 110, []string{"Fotoembed Test Agency"})
	setField(m, 116, []string{"© Fotoembed 2023"})
	return m
}

// seed fills s with the deterministic seed data.
func seed(s *store, extra int) {
	photos := s.addArchive(5001, "Photos", true, true, seedBase.Add(-time.Hour))
	press := s.addArchive(5002, "Press", true, false, seedBase.Add(-2*time.Hour))
	internal := s.addArchive(5003, "Internal", false, false, seedBase.Add(-3*time.Hour))

	harbour := md("Harbour at dawn", "Fishing boats in the harbour at dawn", []string{"harbour", "boats"}, "Kari Nordmann")
	harbour[90] = []string{"Bergen"}
	harbour[105] = []string{"Morning in Bergen"}
	fjord := md("Blåbær og fjell ved fjorden", "Ærlig talt: øyeblikket ved Geirangerfjorden var perfekt. Blåbærturen endte på Dalsnibba.",
		[]string{"fjord", "blåbær", "Ålesund", "sommer"}, "Åse Ødegård")
	fjord[90] = []string{"Geiranger"}
	specs := []spec{
		{arch: photos, folder: "Folder 19", file: "harbour.jpg", w: 5472, h: 3648, meta: harbour, quick: true},
		{arch: photos, folder: "Folder 19", file: "lighthouse-portrait.jpg", w: 3000, h: 4500, decimal: true,
			meta: md("Lighthouse at Lindesnes", "The southernmost lighthouse in Norway, seen from the rocks", []string{"lighthouse", "coast"}, "Ola Nordmann", "Kari Nordmann")},
		{arch: photos, folder: "Folder 19", file: "moss-square.jpg", w: 2000, h: 2000,
			meta: md("Moss", "Reindeer moss on the Hardangervidda plateau", []string{"moss", "macro"}, "Siri Æsøy")},
		{arch: photos, folder: "Folder 19", file: "summer party 2023.jpg", w: 4032, h: 3024,
			meta: md("Summer party 2023", "The staff summer party on the quay", []string{"party", "summer"}, "Ola Nordmann")},
		{arch: photos, folder: "Folder 19", file: "tokyo-night.jpg", w: 1920, h: 1080,
			meta: md("東京タワーの夜景", "夜の東京タワーと街の灯り。撮影：山田太郎", []string{"東京", "夜景", "Tokyo"}, "山田太郎")},
		{arch: photos, folder: "Folder 19", file: "celebration-emoji.jpg", w: 1600, h: 1067,
			meta: md("Fest 🎉 på kaia", "Konfetti og ballonger 🎈🎈 – 17. mai 🇳🇴", []string{"🎉", "17. mai", "feiring"}, "Jürgen Müller")},
		{arch: photos, folder: "Folder 19", file: "script-caption.jpg", w: 1200, h: 800,
			meta: md(`Tom & Jerry's "Best" <Friends>`, `<script>alert("xss")</script> Fish & chips <b>bold</b> "quoted" 5 < 6 > 4 &amp;`, []string{"<tag>", "a&b", `"quoted"`}, `O'Brien & "Sons"`)},
		{arch: photos, folder: "Landscapes", file: "lofoten-panorama.jpg", w: 6000, h: 1500,
			meta: md("Lofoten panorama", "Reinebringen and the fishing village of Reine, panorama", []string{"Lofoten", "panorama", "mountains"}, "Kari Nordmann")},
		{arch: photos, folder: "Landscapes", file: "small-640x480.jpg", w: 640, h: 480,
			meta: md("Small snapshot", "An old 640×480 camera phone picture of a cabin", []string{"cabin", "retro"}, "Ola Nordmann")},
		{arch: photos, folder: "Landscapes", file: "tiny-150x100.png", w: 150, h: 100,
			meta: md("Tiny icon", "A very small image, 150×100 pixels", []string{"icon"}, "Siri Æsøy")},
		{arch: photos, folder: "Landscapes", file: "rotated-cliff.jpg", w: 4000, h: 3000, rotation: 90,
			meta: md("Preikestolen", "Pulpit Rock, shot in portrait with the camera rotated", []string{"cliff", "Preikestolen"}, "Åse Ødegård")},
		{arch: photos, folder: "Landscapes", file: "untitled-dunes.jpg", w: 3000, h: 2000,
			meta: md("", "", []string{"dunes"}, "Ola Nordmann")},
		{arch: photos, folder: "Nordic/Fjords", file: "fjord-blåbær-æøå.jpg", w: 2400, h: 1600, meta: fjord},
		{arch: press, folder: "Press Kit 2023", file: "press-release-2023.pdf", doctype: "document",
			meta: md("Press release 2023", "Annual results press release (PDF)", []string{"press", "report"}, "Communications")},
		{arch: press, folder: "Press Kit 2023", file: "ferry-timelapse.mp4", doctype: "movie", w: 1920, h: 1080,
			meta: md("Ferry timelapse", "Timelapse of the Hurtigruten ferry leaving Bergen", []string{"ferry", "video"}, "Ola Nordmann")},
		{arch: press, folder: "Logos", file: "fotoembed-logo.eps", doctype: "graphic", w: 1000, h: 400,
			meta: md("Fotoembed logo", "The Fotoembed logo on white", []string{"logo", "brand"}, "Design Team")},
		{arch: press, folder: "Press Kit 2023", file: "ceo-portrait.jpg", w: 2667, h: 4000, decimal: true,
			meta: md("CEO portrait", "Portrait of the CEO in the Oslo office", []string{"portrait", "management"}, "Jürgen Müller")},
		{arch: internal, folder: "HR", file: "staff-party-01.jpg", w: 3000, h: 2000,
			meta: md("Staff party", "Internal only: the staff party", []string{"internal", "party"}, "HR")},
	}
	i := 0
	for _, sp := range specs {
		addSpec(s, sp, i)
		i++
	}
	fillers := []struct {
		arch    *archive
		folders []string
		n       int
	}{
		{photos, []string{"Folder 19", "Landscapes", "Nordic", "Nordic/Fjords", ""}, 28},
		{press, []string{"Press Kit 2023", "Events", ""}, 12},
		{internal, []string{"HR", "Finance"}, 7},
	}
	for _, fl := range fillers {
		for k := 0; k < fl.n; k++ {
			addSpec(s, filler(fl.arch, fl.folders[k%len(fl.folders)], i), i)
			i++
		}
	}
	for k := 1; k <= extra; k++ {
		w, h := shape(k)
		addSpec(s, spec{arch: photos, folder: "Synthetic", file: fmt.Sprintf("synthetic-%05d.jpg", k), w: w, h: h, synth: k}, i)
		i++
	}
}

var (
	places        = []string{"Bergen", "Tromsø", "Ålesund", "Bodø", "Stavanger", "Røros", "Geiranger", "Lillehammer", "Kristiansand", "Hammerfest", "Svolvær", "Flåm", "Oslo"}
	subjects      = []string{"harbour", "mountain", "street", "market", "bridge", "forest", "coast", "festival", "cabin", "waterfall", "northern lights", "ferry"}
	seasons       = []string{"spring", "summer", "autumn", "winter"}
	photographers = []string{"Kari Nordmann", "Ola Nordmann", "Åse Ødegård", "Jürgen Müller", "Siri Æsøy", "山田太郎"}
	shapes        = [][2]int{{3000, 2000}, {2000, 3000}, {1800, 1800}, {3840, 2160}, {1024, 768}, {1536, 2048}, {2500, 2000}, {2520, 1080}, {1200, 1600}, {800, 533}}
)

// syntheticMeta is the metadata of the k-th synthetic asset.
func syntheticMeta(k int) metadata {
	return md("Synthetic image "+strconv.Itoa(k), "", []string{"synthetic"}, photographers[k%len(photographers)])
}

func shape(i int) (int, int) { s := shapes[i%len(shapes)]; return s[0], s[1] }

// filler makes the i-th generated seed asset.
func filler(arch *archive, folder string, i int) spec {
	place, subject := places[i%len(places)], subjects[(i*5)%len(subjects)]
	season := seasons[i%len(seasons)]
	w, h := shape(i)
	file := fmt.Sprintf("%s-%s-%02d.jpg", strings.ToLower(place), strings.ReplaceAll(subject, " ", "-"), i)
	title := strings.ToUpper(subject[:1]) + subject[1:] + " in " + place
	caption := fmt.Sprintf("%s photographed in %s, %s 2023.", strings.ToUpper(subject[:1])+subject[1:], place, season)
	if i%7 == 3 {
		title, caption = "", ""
	}
	res := 300
	if i%3 == 2 {
		res = 72
	}
	return spec{arch: arch, folder: folder, file: file, w: w, h: h, quick: i%4 == 0, decimal: i%3 == 0, res: res,
		meta: md(title, caption, []string{place, subject, season}, photographers[i%len(photographers)])}
}

func addSpec(s *store, sp spec, i int) {
	modified := seedBase.Add(-time.Duration(i) * (37*time.Hour + 13*time.Minute + 7*time.Second))
	switch i % 3 { // varied precisions, as FotoWeb sends
	case 1:
		modified = modified.Add(397 * time.Millisecond)
	case 2:
		modified = modified.Add(434841 * time.Microsecond)
	}
	doctype := sp.doctype
	if doctype == "" {
		doctype = "image"
	}
	if sp.res == 0 {
		sp.res = 300
	}
	a := &asset{
		arch: sp.arch, folder: sp.folder, filename: sp.file, doctype: doctype,
		w: sp.w, h: sp.h, rotation: sp.rotation,
		decimalRes: sp.decimal, resolution: sp.res,
		filesize: fileSize(doctype, sp.w, sp.h, i),
		created:  modified.Add(-72*time.Hour + 397*time.Millisecond),
		quick:    sp.quick, meta: sp.meta, synth: sp.synth, modified: modified, version: 1,
	}
	s.addAsset(a)
}

func fileSize(doctype string, w, h, i int) int64 {
	switch doctype {
	case "document":
		return 245760
	case "movie":
		return 52428800
	}
	return int64(w*h)/4 + int64(i*131) + 14336
}
