package server

import (
	"sync"
	"testing"
)

func TestConnLimiter(t *testing.T) {
	l := newConnLimiter(2)
	if !l.acquire() || !l.acquire() {
		t.Fatal("acquire below the limit failed")
	}
	if l.acquire() {
		t.Fatal("acquire beyond the limit succeeded")
	}
	l.release()
	if !l.acquire() {
		t.Fatal("acquire after release failed")
	}
	if got := l.open(); got != 2 {
		t.Fatalf("open = %d, want 2", got)
	}
}

func TestConnLimiterConcurrent(t *testing.T) {
	const max = 10
	l := newConnLimiter(max)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 100 {
		wg.Go(func() {
			if l.acquire() {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != max {
		t.Fatalf("granted %d slots, want %d", granted, max)
	}
}

func TestConnLimiterUnlimited(t *testing.T) {
	l := newConnLimiter(-1)
	for range 1000 {
		if !l.acquire() {
			t.Fatal("unlimited limiter refused")
		}
	}
}
