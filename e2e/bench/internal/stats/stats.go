// Package stats holds the small statistics the benchmarks report: medians,
// percentiles, the spread of repeated rounds and ratios between clients.
//
// Every function takes its input by value and never modifies it; empty input
// gives NaN rather than a panic, so a missing measurement shows up as "n/a"
// in the report instead of stopping it.
package stats

import (
	"math"
	"slices"
)

// sorted returns a sorted copy of xs without the NaNs.
func sorted(xs []float64) []float64 {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	slices.Sort(s)
	return s
}

// Median returns the median of xs: the middle value, or the mean of the two
// middle values for an even count. NaNs are ignored; empty input gives NaN.
func Median(xs []float64) float64 {
	return Percentile(xs, 50)
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of xs, interpolating
// linearly between the closest ranks (the method of NumPy's default and of
// spreadsheets' PERCENTILE.INC). NaNs are ignored; empty input gives NaN.
func Percentile(xs []float64, p float64) float64 {
	s := sorted(xs)
	if len(s) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	p = min(max(p, 0), 100)
	pos := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	if lo == hi {
		return s[lo]
	}
	frac := pos - float64(lo)
	return s[lo] + frac*(s[hi]-s[lo])
}

// Spread is the range of a set of repeated measurements.
type Spread struct {
	Min, Max float64
}

// Range returns the minimum and maximum of xs (NaNs ignored; NaN, NaN when
// empty).
func Range(xs []float64) Spread {
	s := sorted(xs)
	if len(s) == 0 {
		return Spread{math.NaN(), math.NaN()}
	}
	return Spread{s[0], s[len(s)-1]}
}

// RelSpread returns (max − min) / median of xs: how far apart the rounds
// were, relative to the reported value. 0.1 means the rounds spanned ±5% of
// the median. NaN when empty or when the median is 0.
func RelSpread(xs []float64) float64 {
	m := Median(xs)
	if math.IsNaN(m) || m == 0 {
		return math.NaN()
	}
	r := Range(xs)
	return (r.Max - r.Min) / math.Abs(m)
}

// Ratio returns a / b, or NaN when either is NaN or b is 0.
func Ratio(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return math.NaN()
	}
	return a / b
}

// Ratios returns the element-wise ratios a[i] / b[i] of two series measured
// in the same rounds (the shorter length wins). Pairing by round cancels the
// machine's drift between rounds.
func Ratios(a, b []float64) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, n)
	for i := range n {
		out[i] = Ratio(a[i], b[i])
	}
	return out
}

// Summary describes repeated measurements of one quantity.
type Summary struct {
	N      int     `json:"n"`      // measurements that are not NaN
	Median float64 `json:"median"` // the reported value
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarize returns the summary of xs.
func Summarize(xs []float64) Summary {
	r := Range(xs)
	return Summary{N: len(sorted(xs)), Median: Median(xs), Min: r.Min, Max: r.Max}
}

// Mean returns the arithmetic mean of xs (NaNs ignored; NaN when empty).
func Mean(xs []float64) float64 {
	s := sorted(xs)
	if len(s) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, x := range s {
		sum += x
	}
	return sum / float64(len(s))
}
