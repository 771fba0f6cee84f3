package server

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// Bucket bounds, in seconds, of the server's histograms.
var (
	// handshakeBuckets: a handshake on loopback takes tens of microseconds;
	// hundreds of milliseconds mean a starved server.
	handshakeBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2}
	// echoBuckets: a small echo is written in microseconds; a 16 MiB one to
	// a slow reader may take seconds.
	echoBuckets = []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 2, 10}
)

// histogram is a Prometheus histogram of durations with fixed buckets,
// updated with atomics: observing costs a binary search and two atomic adds.
type histogram struct {
	bounds []float64       // upper bounds in seconds, ascending
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Int64    // nanoseconds
}

// newHistogram returns a histogram with the given bucket bounds (seconds,
// ascending).
func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

// observe records one duration.
func (h *histogram) observe(d time.Duration) {
	i, _ := slices.BinarySearch(h.bounds, d.Seconds()) // the first bound >= d
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// count returns the number of observations.
func (h *histogram) count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// write writes the samples of the histogram: name_bucket with cumulative
// counts, name_sum and name_count. label is empty or one `k="v"` pair. The
// count is the +Inf bucket's, so the two always agree.
func (h *histogram) write(w io.Writer, name, label string) {
	sep := ""
	if label != "" {
		sep = ","
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		le := "+Inf"
		if i < len(h.bounds) {
			le = strconv.FormatFloat(h.bounds[i], 'f', -1, 64)
		}
		fmt.Fprintf(w, "%s_bucket{%s%sle=%q} %d\n", name, label, sep, le, cum)
	}
	braces := ""
	if label != "" {
		braces = "{" + label + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %s\n", name, braces, formatFloat(time.Duration(h.sum.Load()).Seconds()))
	fmt.Fprintf(w, "%s_count%s %d\n", name, braces, cum)
}

// writeHeader writes the HELP and TYPE lines of a metric family.
func writeHeader(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// formatFloat formats a sample value.
func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
