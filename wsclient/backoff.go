package wsclient

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is the reconnect schedule of a Client: exponential with full
// jitter, so that many clients cut at once spread their reconnects over the
// window instead of arriving together.
type Backoff struct {
	// Min is the window of the first retry (default 500ms).
	Min time.Duration
	// Max caps the window (default 30s).
	Max time.Duration
	// Factor multiplies the window after each failed attempt (default 2).
	Factor float64
	// MaxAttempts stops reconnecting after that many consecutive failed
	// attempts (0: never stop).
	MaxAttempts int
	// ResetAfter is how long a connection must stay open before the
	// schedule starts again from Min (default 5s): a server that accepts and
	// drops at once is not hammered.
	ResetAfter time.Duration
}

// Backoff defaults.
const (
	DefaultBackoffMin        = 500 * time.Millisecond
	DefaultBackoffMax        = 30 * time.Second
	DefaultBackoffFactor     = 2.0
	DefaultBackoffResetAfter = 5 * time.Second
)

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = DefaultBackoffMin
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if b.Factor < 1 {
		b.Factor = DefaultBackoffFactor
	}
	if b.ResetAfter <= 0 {
		b.ResetAfter = DefaultBackoffResetAfter
	}
	return b
}

// Window returns the upper bound of the wait before retry number attempt
// (1 for the first retry): Min·Factor^(attempt-1), capped at Max.
func (b Backoff) Window(attempt int) time.Duration {
	b = b.withDefaults()
	w := float64(b.Min) * math.Pow(b.Factor, float64(max(attempt-1, 0)))
	if w > float64(b.Max) || math.IsInf(w, 0) || math.IsNaN(w) {
		return b.Max
	}
	return time.Duration(w)
}

// Delay returns a uniformly random wait in [0, Window(attempt)) ("full
// jitter").
func (b Backoff) Delay(attempt int) time.Duration {
	w := b.Window(attempt)
	if w <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(w)))
}
