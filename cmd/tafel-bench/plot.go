package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// series is one latency distribution to draw.
type series struct {
	label string
	hist  Hist
}

var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xff, 0x7f, 0x0e, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0x17, 0xbe, 0xcf, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x00, 0x00, 0x00, 0xff}, {0x00, 0x66, 0x33, 0xff},
}

// canvas is an RGBA image with a few drawing primitives.
type canvas struct{ img *image.RGBA }

func (c canvas) set(x, y int, col color.RGBA) {
	if image.Pt(x, y).In(c.img.Rect) {
		c.img.SetRGBA(x, y, col)
	}
}

// line draws a line (Bresenham), thick pixels wide.
func (c canvas) line(x0, y0, x1, y1 int, col color.RGBA, thick int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for {
		for i := 0; i < thick; i++ {
			for j := 0; j < thick; j++ {
				c.set(x0+i-thick/2, y0+j-thick/2, col)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func (c canvas) text(x, y int, s string, col color.RGBA) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int { return len([]rune(s)) * 7 }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// plotLatency draws two panels: the CDF of latency (log time axis) and latency by percentile
// (the tail: 50 %, 90 %, 99 %, 99.9 %, 99.99 % on a log(1/(1−q)) axis), and writes a PNG.
func plotLatency(path, title, unit string, all []series) error {
	var ss []series
	for _, s := range all {
		if s.hist.N > 0 {
			ss = append(ss, s)
		}
	}
	const W = 1400
	H := 625 + 16*len(ss)
	scale := 1.0
	if unit == "s" {
		scale = 1.0 / 1000
	}
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	c := canvas{img}
	black := color.RGBA{0, 0, 0, 0xff}
	grid := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	c.text(20, 24, title, black)

	// Common log range of the values.
	lo, hi := math.Inf(1), 0.0
	for _, s := range ss {
		xs, _ := s.hist.CDF()
		for _, x := range xs {
			x *= scale
			if x > 0 {
				lo = math.Min(lo, x)
			}
			hi = math.Max(hi, x)
		}
	}
	if math.IsInf(lo, 1) || hi <= 0 {
		return fmt.Errorf("plot %s: no data", path)
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi/lo < 100 {
		lo = hi / 100
	}
	decades := func(f func(v float64)) {
		for v := lo; v <= hi*1.0001; v *= 10 {
			f(v)
		}
	}
	fmtV := func(v float64) string {
		if v >= 1 {
			return fmt.Sprintf("%g", v)
		}
		return fmt.Sprintf("%.3g", v)
	}

	// Left panel: CDF.
	L := image.Rect(80, 50, 660, 540)
	lx := func(v float64) int {
		return L.Min.X + int(float64(L.Dx())*(math.Log10(math.Max(v, lo))-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo)))
	}
	ly := func(q float64) int { return L.Max.Y - int(float64(L.Dy())*q) }
	for q := 0.0; q <= 1.0001; q += 0.1 {
		c.line(L.Min.X, ly(q), L.Max.X, ly(q), grid, 1)
		c.text(L.Min.X-40, ly(q)+4, fmt.Sprintf("%.1f", q), black)
	}
	decades(func(v float64) {
		c.line(lx(v), L.Min.Y, lx(v), L.Max.Y, grid, 1)
		lbl := fmtV(v)
		c.text(lx(v)-textWidth(lbl)/2, L.Max.Y+18, lbl, black)
	})
	c.line(L.Min.X, L.Max.Y, L.Max.X, L.Max.Y, black, 1)
	c.line(L.Min.X, L.Min.Y, L.Min.X, L.Max.Y, black, 1)
	c.text(L.Min.X+L.Dx()/2-60, L.Max.Y+40, "latency ("+unit+", log)", black)
	c.text(L.Min.X, L.Min.Y-8, "CDF: fraction delivered within", black)
	for i, s := range ss {
		col := palette[i%len(palette)]
		xs, ys := s.hist.CDF()
		px, py := lx(xs[0]*scale), ly(0)
		for j := range xs {
			x, y := lx(xs[j]*scale), ly(ys[j])
			c.line(px, py, x, py, col, 2) // step
			c.line(x, py, x, y, col, 2)
			px, py = x, y
		}
	}

	// Right panel: latency by percentile.
	R := image.Rect(760, 50, 1340, 540)
	const maxNines = 4.0 // up to 99.99 %
	rx := func(q float64) int {
		n := math.Min(-math.Log10(math.Max(1-q, 1e-9)), maxNines)
		return R.Min.X + int(float64(R.Dx())*n/maxNines)
	}
	ry := func(v float64) int {
		return R.Max.Y - int(float64(R.Dy())*(math.Log10(math.Max(v, lo))-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo)))
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999} {
		c.line(rx(q), R.Min.Y, rx(q), R.Max.Y, grid, 1)
		lbl := fmt.Sprintf("%g%%", q*100)
		c.text(rx(q)-textWidth(lbl)/2, R.Max.Y+18, lbl, black)
	}
	decades(func(v float64) {
		c.line(R.Min.X, ry(v), R.Max.X, ry(v), grid, 1)
		lbl := fmtV(v)
		c.text(R.Min.X-8-textWidth(lbl), ry(v)+4, lbl, black)
	})
	c.line(R.Min.X, R.Max.Y, R.Max.X, R.Max.Y, black, 1)
	c.line(R.Min.X, R.Min.Y, R.Min.X, R.Max.Y, black, 1)
	c.text(R.Min.X+R.Dx()/2-50, R.Max.Y+40, "percentile", black)
	c.text(R.Min.X, R.Min.Y-8, "latency ("+unit+", log) by percentile", black)
	for i, s := range ss {
		col := palette[i%len(palette)]
		var px, py int
		first := true
		for k := 0; k <= 400; k++ {
			q := 1 - math.Pow(10, -maxNines*float64(k)/400)
			v := s.hist.Quantile(q) * scale
			x, y := rx(q), ry(v)
			if !first {
				c.line(px, py, x, y, col, 2)
			}
			px, py, first = x, y, false
		}
	}

	// Legend under the panels.
	for i, s := range ss {
		col := palette[i%len(palette)]
		lbl := fmt.Sprintf("%-44s p50 %7s  p99 %7s  p99.9 %7s %s   n=%d", s.label, fmtQ(s.hist.Quantile(0.5), unit),
			fmtQ(s.hist.Quantile(0.99), unit), fmtQ(s.hist.Quantile(0.999), unit), unit, s.hist.N)
		y := 615 + 16*i
		c.line(80, y-4, 100, y-4, col, 3)
		c.text(106, y, lbl, black)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fmtQ formats a quantile given in milliseconds in the plot's unit.
func fmtQ(ms float64, unit string) string {
	if unit == "s" {
		return fmt.Sprintf("%.2f", ms/1000)
	}
	return fmt.Sprintf("%.2f", ms)
}
