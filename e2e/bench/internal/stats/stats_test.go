package stats

import (
	"math"
	"testing"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func TestMedian(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, nan},
		{[]float64{nan}, nan},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, nan, 1, 3}, 3},
		{[]float64{-1, -1, 10}, -1},
	} {
		if got := Median(tc.in); !near(got, tc.want) {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMedianDoesNotReorder(t *testing.T) {
	xs := []float64{3, 1, 2}
	Median(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Fatalf("input modified: %v", xs)
	}
}

func TestPercentile(t *testing.T) {
	// 1..100: the linear-interpolation percentile of p is 1 + p*99/100.
	xs := make([]float64, 100)
	for i := range xs {
		xs[len(xs)-1-i] = float64(i + 1) // reversed: must sort
	}
	for _, tc := range []struct{ p, want float64 }{
		{0, 1}, {50, 50.5}, {99, 99.01}, {100, 100}, {-5, 1}, {150, 100},
	} {
		if got := Percentile(xs, tc.p); !near(got, tc.want) {
			t.Errorf("Percentile(1..100, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	// A p99 of a small sample lies between its two largest values.
	if got := Percentile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99); !near(got, 9.91) {
		t.Errorf("p99 of 1..10 = %v, want 9.91", got)
	}
	if got := Percentile(nil, 99); !math.IsNaN(got) {
		t.Errorf("p99 of nothing = %v, want NaN", got)
	}
}

func TestSpread(t *testing.T) {
	xs := []float64{10, 12, 9, 11, 8}
	r := Range(xs)
	if r.Min != 8 || r.Max != 12 {
		t.Errorf("Range = %+v", r)
	}
	if got := RelSpread(xs); !near(got, 4.0/10) {
		t.Errorf("RelSpread = %v, want 0.4", got)
	}
	if got := RelSpread([]float64{0, 0}); !math.IsNaN(got) {
		t.Errorf("RelSpread of zeros = %v, want NaN", got)
	}
	s := Summarize([]float64{2, math.NaN(), 4, 3})
	if s.N != 3 || s.Median != 3 || s.Min != 2 || s.Max != 4 {
		t.Errorf("Summarize = %+v", s)
	}
}

func TestRatio(t *testing.T) {
	if got := Ratio(9, 10); !near(got, 0.9) {
		t.Errorf("Ratio(9, 10) = %v", got)
	}
	for _, tc := range [][2]float64{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}} {
		if got := Ratio(tc[0], tc[1]); !math.IsNaN(got) {
			t.Errorf("Ratio(%v, %v) = %v, want NaN", tc[0], tc[1], got)
		}
	}
	got := Ratios([]float64{2, 3, 8}, []float64{4, 3})
	if len(got) != 2 || got[0] != 0.5 || got[1] != 1 {
		t.Errorf("Ratios = %v", got)
	}
	// The median of per-round ratios, not the ratio of medians.
	a := []float64{100, 50, 210}
	b := []float64{100, 100, 200}
	if m := Median(Ratios(a, b)); !near(m, 1) {
		t.Errorf("median ratio = %v, want 1", m)
	}
	if m := Mean([]float64{1, 2, math.NaN(), 6}); !near(m, 3) {
		t.Errorf("Mean = %v, want 3", m)
	}
}
