package server

import (
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// releaseMinDrop is the smallest fall in open connections, from their peak,
// that gives memory back: fewer connections hold too little memory to be
// worth a forced collection.
var releaseMinDrop = 500 // a variable for the tests; read by newMemoryReleaser

// memoryReleaser gives memory back to the operating system after a spike of
// connections has gone.
//
// Go's runtime returns freed memory by itself, but only after a garbage
// collection has found it free, and an idle server allocates too little to
// start one: after 15,000 idle connections closed, duplexd's resident memory
// stayed at its peak (about 470 MB) for minutes. So every interval the
// releaser compares the open connections with their peak since its last
// release; when they have fallen to half of it or less (and by at least
// releaseMinDrop), it calls debug.FreeOSMemory, which collects and returns
// every free page at once.
type memoryReleaser struct {
	conns    func() (peak, now int) // registry.takePeak
	free     func()                 // debug.FreeOSMemory, replaced in tests
	log      *slog.Logger
	minDrop  int // releaseMinDrop
	peak     int // touched by check only
	releases atomic.Uint64

	mu      sync.Mutex
	started bool
	halted  bool
	stop    chan struct{} // closed by halt
	done    chan struct{} // closed when run has returned
}

// newMemoryReleaser returns a releaser watching conns, which returns the
// most connections open at once since its last call and the number open now.
func newMemoryReleaser(conns func() (peak, now int), log *slog.Logger) *memoryReleaser {
	return &memoryReleaser{conns: conns, free: debug.FreeOSMemory, log: log, minDrop: releaseMinDrop}
}

// check compares the open connections with their peak and releases memory
// after a sharp fall. It reports whether it did. Calls must not overlap.
func (m *memoryReleaser) check() bool {
	peak, n := m.conns()
	m.peak = max(m.peak, peak)
	if m.peak-n < m.minDrop || n > m.peak/2 {
		return false
	}
	start := time.Now()
	m.free()
	m.releases.Add(1)
	m.log.Info("memory returned to the OS after connections closed",
		"peak_connections", m.peak, "connections", n, "duration", time.Since(start).Round(time.Millisecond))
	m.peak = n
	return true
}

// start runs the checks every interval in a goroutine, until halt. It does
// nothing for an interval <= 0, after halt, or when already started.
func (m *memoryReleaser) start(interval time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started || m.halted || interval <= 0 {
		return
	}
	m.started = true
	stop, done := make(chan struct{}), make(chan struct{})
	m.stop, m.done = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m.check()
			case <-stop:
				return
			}
		}
	}()
}

// halt stops the checks and waits for the goroutine of start to return.
func (m *memoryReleaser) halt() {
	m.mu.Lock()
	m.halted = true
	stop, done := m.stop, m.done
	m.stop = nil
	m.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
