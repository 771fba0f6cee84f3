package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
)

// FmtNum formats x with three significant digits and a k or M suffix:
// 412k, 41.2k, 4.12k, 1.23M, 950.
func FmtNum(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	a := math.Abs(x)
	switch {
	case a >= 1e6:
		return sig3(x/1e6) + "M"
	case a >= 1e4:
		return sig3(x/1e3) + "k"
	case a >= 1000:
		return fmt.Sprintf("%.0f", x)
	default:
		return sig3(x)
	}
}

// sig3 formats x with three significant digits, without exponent.
func sig3(x float64) string {
	a := math.Abs(x)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// FmtValue formats a value with its unit.
func FmtValue(x float64, unit string) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return FmtNum(x) + " " + unit
}

// FmtSpread formats a summary as "median (min–max)".
func FmtSpread(s stats.Summary, unit string) string {
	if math.IsNaN(s.Median) {
		return "n/a"
	}
	if s.N < 2 {
		return FmtValue(s.Median, unit)
	}
	return fmt.Sprintf("%s (%s–%s)", FmtValue(s.Median, unit), FmtNum(s.Min), FmtNum(s.Max))
}

// FmtRatio formats a ratio as "0.93×".
func FmtRatio(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", x)
}

// FmtRatioSpread formats a ratio summary as "0.93× (0.88–0.97)".
func FmtRatioSpread(s stats.Summary) string {
	if math.IsNaN(s.Median) {
		return "n/a"
	}
	if s.N < 2 {
		return FmtRatio(s.Median)
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", s.Median, s.Min, s.Max)
}

// FmtMB formats bytes as decimal megabytes: "2.87 MB".
func FmtMB(b float64) string {
	if math.IsNaN(b) || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f MB", b/1e6)
}

// FmtKiB formats bytes as KiB: "12.3 KiB".
func FmtKiB(b float64) string {
	if math.IsNaN(b) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f KiB", b/1024)
}

// FmtMs formats milliseconds.
func FmtMs(s stats.Summary) string {
	if math.IsNaN(s.Median) {
		return "n/a"
	}
	if s.N < 2 {
		return fmt.Sprintf("%.0f ms", s.Median)
	}
	return fmt.Sprintf("%.0f ms (%.0f–%.0f)", s.Median, s.Min, s.Max)
}

// Table is a simple table rendered as Markdown or aligned text.
type Table struct {
	Header []string
	Rows   [][]string
}

// Markdown renders t as a GitHub Markdown table; the first column is left
// aligned, the others right aligned.
func (t Table) Markdown() string {
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	row(t.Header)
	b.WriteString("|")
	for i := range t.Header {
		if i == 0 {
			b.WriteString(" --- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		row(r)
	}
	return b.String()
}

// Text renders t with aligned columns for a terminal.
func (t Table) Text() string {
	widths := make([]int, len(t.Header))
	measure := func(cells []string) {
		for i, c := range cells {
			if i < len(widths) {
				widths[i] = max(widths[i], len([]rune(c)))
			}
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i >= len(widths) {
				break
			}
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
	line(t.Header)
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	b.WriteString(strings.Repeat("-", total-2) + "\n")
	for _, r := range t.Rows {
		line(r)
	}
	return b.String()
}
