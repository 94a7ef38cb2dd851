package embed

import (
	"context"
	"html/template"
	"strings"
	"testing"
	"time"
)

// benchEnv returns an env with landscapeRef resolved (so every call is a
// cache hit) and checks that Options{Width: 1200} gives eight candidates.
func benchEnv(b *testing.B) *env {
	b.Helper()
	v := newEnv(b, ResolverConfig{})
	h, err := v.emb.Img(context.Background(), landscapeRef, Options{Width: 1200})
	if err != nil {
		b.Fatal(err)
	}
	_, srcset, _ := strings.Cut(string(h), `srcset="`)
	srcset, _, _ = strings.Cut(srcset, `"`)
	if n := strings.Count(srcset, ", ") + 1; n != 8 {
		b.Fatalf("srcset has %d candidates, want 8", n)
	}
	return v
}

func BenchmarkResolveHit(b *testing.B) {
	v := benchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.res.Resolve(ctx, landscapeRef); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImgRender(b *testing.B) {
	v := benchEnv(b)
	ctx := context.Background()
	o := Options{Width: 1200}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.emb.Img(ctx, landscapeRef, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFigureRender(b *testing.B) {
	v := benchEnv(b)
	ctx := context.Background()
	o := Options{Width: 1200, FigureClass: "wide"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.emb.Figure(ctx, landscapeRef, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImgRenderInfo is the rendering alone, from a resolved Info.
func BenchmarkImgRenderInfo(b *testing.B) {
	e := testEmbedder(b)
	in := info(landscape())
	o := Options{Width: 1200}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.RenderImg(in, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFuncMapImg is a template helper call: options parsed from
// strings, then Img.
func BenchmarkFuncMapImg(b *testing.B) {
	v := benchEnv(b)
	img := v.emb.FuncMap()["fotowebImg"].(func(string, ...string) (template.HTML, error))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := img(landscapeRef, "width=1200", "class=hero"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImgRenderExpiring signs URLs that expire an hour after
// rendering (rounded to the minute).
func BenchmarkImgRenderExpiring(b *testing.B) {
	e := testEmbedder(b)
	in := info(landscape())
	o := Options{Width: 1200, ExpiresIn: time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.RenderImg(in, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender is Render from a resolved Info: the <img> and all its
// parts, as /v1/resolve needs them.
func BenchmarkRender(b *testing.B) {
	e := testEmbedder(b)
	in := info(landscape())
	o := Options{Width: 1200}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(in, o, false); err != nil {
			b.Fatal(err)
		}
	}
}
