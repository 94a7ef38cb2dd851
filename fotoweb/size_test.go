package fotoweb

import (
	"encoding/json"
	"fmt"
	"testing"
)

// sizeAsset decodes an asset with image attributes w×h (rotation rot,
// none when w < 0) and non-square previews given as size:width:height.
func sizeAsset(t *testing.T, w, h, rot int, previews ...[3]int) *Asset {
	t.Helper()
	doc := `{"href": "/fotoweb/archives/5000-All-files/a.jpg.info"`
	if w >= 0 {
		doc += fmt.Sprintf(`, "attributes": {"imageattributes": {"pixelwidth": %d, "pixelheight": %d, "rotation": %d}}`, w, h, rot)
	}
	doc += `, "previews": [`
	for i, p := range previews {
		if i > 0 {
			doc += ","
		}
		doc += fmt.Sprintf(`{"size": %d, "width": %d, "height": %d, "square": false, "href": "/fotoweb/cache/v2/p%d.jpg"}`, p[0], p[1], p[2], i)
	}
	sq := 200 // a square crop, no larger than the first preview
	if len(previews) > 0 {
		sq = min(sq, previews[0][0])
	}
	doc += fmt.Sprintf(`, {"size": %d, "width": %d, "height": %d, "square": true, "href": "/fotoweb/cache/v2/q.jpg"}]}`, sq, sq, sq)
	var a Asset
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestSizeKnown(t *testing.T) {
	claims := [][3]int{{800, 800, 800}, {200, 200, 200}, {2400, 2400, 2400}} // the recorded WebP's previews
	tests := []struct {
		name         string
		a            *Asset
		w, h         int
		known        bool
		previewsKnow bool
	}{
		{"measured", sizeAsset(t, 5472, 3648, 0, [3]int{800, 800, 533}), 5472, 3648, true, true},
		{"rotated", sizeAsset(t, 4000, 3000, 90, [3]int{800, 600, 800}), 3000, 4000, true, true},
		{"square original", sizeAsset(t, 3000, 3000, 0, [3]int{800, 800, 800}), 3000, 3000, true, true},
		{"upscaled previews of a small original", sizeAsset(t, 370, 136, 0, [3]int{2400, 2400, 882}), 370, 136, true, true},
		{"FotoWeb's 1x1 marker (recorded)", sizeAsset(t, 1, 1, 0, claims...), 0, 0, false, false},
		{"1x1 marker with measured previews", sizeAsset(t, 1, 1, 0, [3]int{800, 800, 533}), 0, 0, false, true},
		{"a genuine 1x1 image", sizeAsset(t, 1, 1, 0, [3]int{1, 1, 1}), 1, 1, true, true},
		{"a line 1 pixel high", sizeAsset(t, 500, 1, 0, [3]int{500, 500, 1}), 500, 1, true, true},
		{"0x0", sizeAsset(t, 0, 0, 0, claims...), 0, 0, false, false},
		{"no image attributes", sizeAsset(t, -1, 0, 0, [3]int{800, 800, 450}), 0, 0, false, true},
		{"no image attributes, no preview sizes", sizeAsset(t, -1, 0, 0, [3]int{800, 0, 0}), 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := tt.a.PixelSize()
			if w != tt.w || h != tt.h || ok != tt.known || tt.a.SizeKnown() != tt.known {
				t.Errorf("PixelSize() = %d, %d, %v; want %d, %d, %v", w, h, ok, tt.w, tt.h, tt.known)
			}
			if got := tt.a.PreviewSizesKnown(); got != tt.previewsKnow {
				t.Errorf("PreviewSizesKnown() = %v, want %v", got, tt.previewsKnow)
			}
		})
	}
}
