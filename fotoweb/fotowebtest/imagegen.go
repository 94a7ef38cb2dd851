package fotowebtest

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/jpeg"
	"image/png"
)

// encodeImage encodes img as JPEG (quality q) or PNG.
func encodeImage(img image.Image, format string, q int) []byte {
	var buf bytes.Buffer
	if format == "png" {
		png.Encode(&buf, img)
	} else {
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: q})
	}
	return buf.Bytes()
}

// renderImage draws the asset's deterministic picture at w×h: a diagonal
// gradient seeded by the asset, stripes, a centred disc and a dark frame,
// all in the coordinates of the displayed original, so every size (and
// the centre crop of square previews) shows the same picture. It draws
// straight into YCbCr 4:2:0, which the JPEG encoder takes without
// conversion.
func renderImage(a *asset, w, h int, square bool) image.Image {
	dw, dh := a.dims()
	fw, fh := float64(dw), float64(dh)
	rx, ry, rw, rh := 0.0, 0.0, fw, fh
	if square {
		side := float64(min(dw, dh))
		rx, ry, rw, rh = (fw-side)/2, (fh-side)/2, side, side
	}
	hs := fnv.New64a()
	fmt.Fprintf(hs, "%s|%d", a.relPath, a.arch.id)
	s := hs.Sum64()
	p := painter{
		c0:  [3]float64{float64(40 + s&0x7f), float64(s >> 8 & 0xff), float64(s >> 16 & 0xff)},
		c1:  [3]float64{float64(110 + s>>24&0x7f), float64(s >> 32 & 0xff), float64(s >> 40 & 0xff)},
		ifw: 0.5 / fw, ifh: 0.5 / fh, cx: fw / 2, cy: fh / 2,
		rad2:   float64(min(dw, dh)*min(dw, dh)) / 16,
		istr:   16 / float64(max(dw, dh)),
		border: float64(max(dw, dh))/100 + 1, fw: fw, fh: fh,
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	sx, sy := rw/float64(w), rh/float64(h)
	for y := 0; y < h; y++ {
		p.paintRow(img.Y[y*img.YStride:y*img.YStride+w], 0, rx+0.5*sx, sx, ry+(float64(y)+0.5)*sy)
	}
	cw, ch := (w+1)/2, (h+1)/2
	for y := 0; y < ch; y++ {
		v := ry + (float64(2*y)+1)*sy
		p.paintRow(img.Cb[y*img.CStride:y*img.CStride+cw], 1, rx+sx, 2*sx, v)
		p.paintRow(img.Cr[y*img.CStride:y*img.CStride+cw], 2, rx+sx, 2*sx, v)
	}
	return img
}

// painter holds the picture's parameters in original coordinates.
type painter struct {
	c0, c1       [3]float64 // Y, Cb, Cr at the two ends of the gradient
	ifw, ifh     float64
	cx, cy, rad2 float64
	istr, border float64
	fw, fh       float64
}

// paintRow fills one row of plane ch (0 Y, 1 Cb, 2 Cr); u0 is the
// original x of the first sample, du the step, v the original y.
func (p *painter) paintRow(row []byte, ch int, u0, du, v float64) {
	frameRow := v < p.border || v > p.fh-p.border
	dy2 := (v - p.cy) * (v - p.cy)
	c0, dc := p.c0[ch], p.c1[ch]-p.c0[ch]
	u := u0
	for x := range row {
		c := c0 + dc*(u*p.ifw+v*p.ifh)
		if int((u+v)*p.istr)&1 == 0 {
			c = c*0.75 + 32
		}
		if (u-p.cx)*(u-p.cx)+dy2 < p.rad2 {
			c = 255 - c
		}
		if frameRow || u < p.border || u > p.fw-p.border {
			c = [3]float64{24, 128, 128}[ch]
		}
		row[x] = uint8(c)
		u += du
	}
}
