package server

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parseExposition parses body with Prometheus's own text parser, with the
// classic (legacy) rules for names, and checks what the parser leaves to
// its callers: each sample belongs to a family declared by HELP and TYPE
// lines, no family is declared twice or has two samples with the same
// labels, and each histogram has cumulative buckets ending in +Inf whose
// count is its _count.
func parseExposition(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("Prometheus's parser rejects the exposition: %v\n%s", err, body)
	}
	declared := map[string]int{}
	helped := map[string]bool{}
	for line := range strings.SplitSeq(body, "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" {
			switch f[1] {
			case "TYPE":
				declared[f[2]]++
			case "HELP":
				helped[f[2]] = true
			}
		}
	}
	for name, mf := range families {
		if declared[name] != 1 || !helped[name] {
			t.Errorf("family %s: %d TYPE lines, HELP %v; want one of each", name, declared[name], helped[name])
		}
		if len(mf.GetMetric()) == 0 && mf.GetType() != dto.MetricType_COUNTER {
			t.Errorf("family %s has no sample", name)
		}
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			key := labelKey(m)
			if seen[key] {
				t.Errorf("family %s: two samples with labels {%s}", name, key)
			}
			seen[key] = true
			if h := m.GetHistogram(); h != nil {
				checkHistogram(t, name+"{"+key+"}", h)
			}
		}
	}
	return families
}

// labelKey returns the labels of m as one comparable string.
func labelKey(m *dto.Metric) string {
	var b strings.Builder
	for _, l := range m.GetLabel() {
		b.WriteString(l.GetName() + "=" + l.GetValue() + ",")
	}
	return b.String()
}

// checkHistogram checks that the buckets of h are cumulative with rising
// bounds, the last being +Inf with the sample count.
func checkHistogram(t *testing.T, name string, h *dto.Histogram) {
	t.Helper()
	buckets := h.GetBucket()
	if len(buckets) == 0 {
		t.Errorf("histogram %s has no buckets", name)
		return
	}
	for i := 1; i < len(buckets); i++ {
		if buckets[i].GetUpperBound() <= buckets[i-1].GetUpperBound() || buckets[i].GetCumulativeCount() < buckets[i-1].GetCumulativeCount() {
			t.Errorf("histogram %s: bucket %d (le %v, %d) after (le %v, %d)", name, i,
				buckets[i].GetUpperBound(), buckets[i].GetCumulativeCount(), buckets[i-1].GetUpperBound(), buckets[i-1].GetCumulativeCount())
		}
	}
	last := buckets[len(buckets)-1]
	if !math.IsInf(last.GetUpperBound(), 1) || last.GetCumulativeCount() != h.GetSampleCount() {
		t.Errorf("histogram %s: last bucket le=%v count %d, _count %d", name, last.GetUpperBound(), last.GetCumulativeCount(), h.GetSampleCount())
	}
	if h.GetSampleSum() < 0 {
		t.Errorf("histogram %s: negative sum", name)
	}
}

// The whole /metrics of a server that has served traffic passes
// Prometheus's text parser, and has the runtime, process and latency
// families an operator needs, with plausible values.
func TestMetricsExpositionParses(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{Routes: map[string]string{"/socket/server/startDaemon.php": "/echo"}})
	c := dial(t, ctx, ts.ws("/echo"), nil)
	for range 3 {
		echoOnce(t, ctx, c, "hello")
	}
	c.Close(websocket.StatusNormalClosure, "")
	dialStatus(t, ctx, ts.ws("/nowhere"), nil) // a rejected handshake
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 0)

	resp, body := httpGet(t, ctx, nil, ts.url("/metrics"), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	families := parseExposition(t, body)

	want := map[string]dto.MetricType{
		"duplex_connections_open":           dto.MetricType_GAUGE,
		"duplex_connections_total":          dto.MetricType_COUNTER,
		"duplex_handshakes_rejected_total":  dto.MetricType_COUNTER,
		"duplex_handshake_duration_seconds": dto.MetricType_HISTOGRAM,
		"duplex_echo_duration_seconds":      dto.MetricType_HISTOGRAM,
		"duplex_memory_releases_total":      dto.MetricType_COUNTER,
		"go_info":                           dto.MetricType_GAUGE,
		"go_goroutines":                     dto.MetricType_GAUGE,
		"go_threads":                        dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes":      dto.MetricType_GAUGE,
		"go_memstats_heap_released_bytes":   dto.MetricType_GAUGE,
		"go_memstats_alloc_bytes_total":     dto.MetricType_COUNTER,
		"go_gc_cycles_total":                dto.MetricType_COUNTER,
		"go_gc_duration_seconds":            dto.MetricType_SUMMARY,
		"go_gc_gomemlimit_bytes":            dto.MetricType_GAUGE,
		"process_start_time_seconds":        dto.MetricType_GAUGE,
		"process_cpu_seconds_total":         dto.MetricType_COUNTER,
		"process_resident_memory_bytes":     dto.MetricType_GAUGE,
		"process_open_fds":                  dto.MetricType_GAUGE,
		"process_max_fds":                   dto.MetricType_GAUGE,
	}
	for name, typ := range want {
		mf := families[name]
		if mf == nil {
			t.Errorf("/metrics lacks %s", name)
			continue
		}
		if mf.GetType() != typ {
			t.Errorf("%s is a %v, want a %v", name, mf.GetType(), typ)
		}
	}
	value := func(name string) float64 {
		mf := families[name]
		if mf == nil || len(mf.GetMetric()) != 1 {
			t.Fatalf("%s: want one sample", name)
		}
		m := mf.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		}
		t.Fatalf("%s is neither a gauge nor a counter", name)
		return 0
	}
	for _, name := range []string{"go_goroutines", "go_threads", "go_memstats_heap_alloc_bytes", "go_memstats_alloc_bytes_total",
		"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if v := value(name); v <= 0 {
			t.Errorf("%s = %v, want > 0", name, v)
		}
	}
	if open, max := value("process_open_fds"), value("process_max_fds"); open > max {
		t.Errorf("process_open_fds %v > process_max_fds %v", open, max)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	if start := value("process_start_time_seconds"); start > now || start < now-3600 {
		t.Errorf("process_start_time_seconds = %v, now is %v", start, now)
	}

	// The histograms saw the handshake (under its endpoint) and the echoes.
	for _, m := range families["duplex_handshake_duration_seconds"].GetMetric() {
		if labelKey(m) == "path=/echo,transport=websocket," && m.GetHistogram().GetSampleCount() != 1 {
			t.Errorf("handshakes observed on /echo: %d, want 1", m.GetHistogram().GetSampleCount())
		}
	}
	if n := families["duplex_echo_duration_seconds"].GetMetric()[0].GetHistogram().GetSampleCount(); n != 3 {
		t.Errorf("echoes observed: %d, want 3", n)
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="no_endpoint"}`); got != 1 {
		t.Errorf("handshakes rejected for no endpoint: %v, want 1", got)
	}
}
