package server

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"strconv"
	"time"
)

// processStart is when the process started, as far as the server can tell:
// when its packages were initialised, milliseconds after exec.
var processStart = time.Now()

// runtimeSamples are the runtime/metrics the exposition reads, in this
// order.
var runtimeSamples = []string{
	"/sched/goroutines:goroutines",
	"/sched/gomaxprocs:threads",
	"/gc/cycles/total:gc-cycles",
	"/gc/gogc:percent",
	"/gc/gomemlimit:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/allocs:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/total:bytes",
}

// writeRuntime writes the Go runtime's metrics under the names of the
// Prometheus Go client (go_goroutines, go_memstats_*, go_gc_*). They come
// from runtime/metrics and debug.ReadGCStats, neither of which stops the
// world as runtime.ReadMemStats does.
func writeRuntime(w io.Writer) {
	samples := make([]rtmetrics.Sample, len(runtimeSamples))
	for i, name := range runtimeSamples {
		samples[i].Name = name
	}
	rtmetrics.Read(samples)
	v := make(map[string]uint64, len(samples))
	for _, s := range samples {
		if s.Value.Kind() == rtmetrics.KindUint64 {
			v[s.Name] = s.Value.Uint64()
		}
	}
	gauge := func(name, help string, value uint64) {
		writeHeader(w, name, "gauge", help)
		fmt.Fprintf(w, "%s %d\n", name, value)
	}
	counter := func(name, help string, value uint64) {
		writeHeader(w, name, "counter", help)
		fmt.Fprintf(w, "%s %d\n", name, value)
	}

	writeHeader(w, "go_info", "gauge", "Information about the Go environment.")
	fmt.Fprintf(w, "go_info%s 1\n", labels("version", runtime.Version()))
	gauge("go_goroutines", "Number of goroutines that currently exist.", v["/sched/goroutines:goroutines"])
	threads, _ := runtime.ThreadCreateProfile(nil)
	gauge("go_threads", "Number of OS threads created.", uint64(threads))
	gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", v["/sched/gomaxprocs:threads"])

	heap := v["/memory/classes/heap/objects:bytes"]
	unused := v["/memory/classes/heap/unused:bytes"]
	free := v["/memory/classes/heap/free:bytes"]
	released := v["/memory/classes/heap/released:bytes"]
	counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in the heap, even if freed.", v["/gc/heap/allocs:bytes"])
	gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use (live objects and garbage not yet swept).", heap)
	gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes in spans that hold objects.", heap+unused)
	gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used, or released to the OS.", free+released)
	gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to the OS.", released)
	gauge("go_memstats_stack_inuse_bytes", "Number of bytes obtained from the heap for goroutine stacks.", v["/memory/classes/heap/stacks:bytes"])
	gauge("go_memstats_sys_bytes", "Number of bytes obtained from the OS.", v["/memory/classes/total:bytes"])
	gauge("go_gc_heap_goal_bytes", "Heap size target for the end of the GC cycle.", v["/gc/heap/goal:bytes"])
	gauge("go_gc_gogc_percent", "Heap size target percentage configured by GOGC or debug.SetGCPercent.", v["/gc/gogc:percent"])
	gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by GOMEMLIMIT or debug.SetMemoryLimit.", v["/gc/gomemlimit:bytes"])
	counter("go_gc_cycles_total", "Completed garbage collection cycles.", v["/gc/cycles/total:gc-cycles"])

	// The pause quantiles cover the last 256 collections at most.
	gc := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&gc)
	writeHeader(w, "go_gc_duration_seconds", "summary", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		fmt.Fprintf(w, "go_gc_duration_seconds{quantile=%q} %s\n", q, formatFloat(gc.PauseQuantiles[i].Seconds()))
	}
	fmt.Fprintf(w, "go_gc_duration_seconds_sum %s\n", formatFloat(gc.PauseTotal.Seconds()))
	fmt.Fprintf(w, "go_gc_duration_seconds_count %d\n", gc.NumGC)
	last := 0.0
	if !gc.LastGC.IsZero() {
		last = float64(gc.LastGC.UnixNano()) / 1e9
	}
	writeHeader(w, "go_memstats_last_gc_time_seconds", "gauge", "Number of seconds since 1970 of the last garbage collection.")
	fmt.Fprintf(w, "go_memstats_last_gc_time_seconds %s\n", formatFloat(last))
}

// writeProcess writes the process's metrics under the names of the
// Prometheus client: process_start_time_seconds everywhere, and on Linux
// CPU time, resident and virtual memory and file descriptors, from /proc.
func writeProcess(w io.Writer) {
	writeHeader(w, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
	fmt.Fprintf(w, "process_start_time_seconds %s\n", strconv.FormatFloat(float64(processStart.UnixMilli())/1e3, 'f', 3, 64))
	for _, s := range readProcess() {
		writeHeader(w, s.name, s.typ, s.help)
		fmt.Fprintf(w, "%s %s\n", s.name, formatFloat(s.value))
	}
}

// processSample is one process metric.
type processSample struct {
	name, typ, help string
	value           float64
}
