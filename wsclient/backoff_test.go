package wsclient

import (
	"testing"
	"time"
)

func TestBackoffWindowGrowsAndCaps(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, Factor: 2}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := b.Window(i + 1); got != w*time.Millisecond {
			t.Errorf("Window(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := b.Window(10_000); got != time.Second {
		t.Errorf("Window(10000) = %v, want the cap", got)
	}
}

func TestBackoffDelayIsFullJitter(t *testing.T) {
	b := Backoff{Min: time.Second, Max: time.Second}
	var low, high int
	for range 2000 {
		d := b.Delay(1)
		if d < 0 || d >= time.Second {
			t.Fatalf("Delay = %v, outside [0, 1s)", d)
		}
		if d < 500*time.Millisecond {
			low++
		} else {
			high++
		}
	}
	// Uniform: both halves get a fair share (the bound is very loose).
	if low < 700 || high < 700 {
		t.Fatalf("delays not spread over the window: %d below half, %d above", low, high)
	}
}

func TestBackoffDefaults(t *testing.T) {
	b := Backoff{}.withDefaults()
	if b.Min != DefaultBackoffMin || b.Max != DefaultBackoffMax || b.Factor != DefaultBackoffFactor || b.ResetAfter != DefaultBackoffResetAfter {
		t.Fatalf("defaults = %+v", b)
	}
}
