package fotowebtest

import (
	"slices"
	"testing"
)

func TestSeedData(t *testing.T) {
	f := New(Options{})
	hrefs := f.Assets()
	for _, h := range []string{LandscapeAsset, PortraitAsset, SquareAsset, SpaceNameAsset, CJKAsset, EmojiAsset, ScriptAsset,
		PanoramaAsset, SmallAsset, TinyAsset, RotatedAsset, NoCaptionAsset, NorwegianAsset, DocumentAsset, VideoAsset,
		GraphicAsset, PressPortraitAsset, HiddenAsset} {
		if !slices.Contains(hrefs, h) {
			t.Errorf("%s is not a seed asset", h)
		}
	}
	images := 0
	for _, a := range f.assets {
		if a.doctype == "image" {
			images++
		}
	}
	if images < 50 {
		t.Errorf("%d images, want ≥ 50", images)
	}
	if got := f.Archives(); !slices.Equal(got, []string{PhotosArchive, PressArchive, InternalArchive}) {
		t.Errorf("Archives %v", got)
	}
	if got := f.UserArchives(); !slices.Equal(got, []string{PhotosArchive, PressArchive}) {
		t.Errorf("UserArchives %v", got)
	}
	if !slices.Equal(New(Options{}).Assets(), hrefs) {
		t.Error("seed data is not deterministic")
	}
	extra := New(Options{ExtraAssets: 2500}).Assets()
	if len(extra) != len(hrefs)+2500 || !slices.Equal(extra[:len(hrefs)], hrefs) ||
		extra[len(extra)-1] != PhotosArchive+"Synthetic/synthetic-02500.jpg.info" {
		t.Errorf("ExtraAssets: %d assets, last %s", len(extra), extra[len(extra)-1])
	}
}

// BenchmarkAssetGET measures asset GETs over 2,000 distinct assets.
func BenchmarkAssetGET(b *testing.B) {
	s := NewServer(Options{ExtraAssets: 2000})
	defer s.Close()
	hrefs := s.Assets()
	tok := s.ServiceToken()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r := getBench(s.URL+hrefs[i%len(hrefs)], tok)
			if r != 200 {
				b.Fatalf("status %d", r)
			}
			i++
		}
	})
}
