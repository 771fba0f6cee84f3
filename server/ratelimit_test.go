package server

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newTokenBucket(10, 3, t0)
	for i := range 3 {
		if !b.allow(t0) {
			t.Fatalf("burst token %d refused", i)
		}
	}
	if b.allow(t0) {
		t.Fatal("fourth token allowed without refill")
	}
	if b.allow(t0.Add(50 * time.Millisecond)) {
		t.Fatal("token allowed after half a refill period")
	}
	if !b.allow(t0.Add(100 * time.Millisecond)) {
		t.Fatal("token refused after a refill period")
	}
	// A long pause refills only up to the burst.
	later := t0.Add(time.Hour)
	for i := range 3 {
		if !b.allow(later) {
			t.Fatalf("refilled token %d refused", i)
		}
	}
	if b.allow(later) {
		t.Fatal("bucket refilled beyond its burst")
	}
	// Time going backwards does not add tokens.
	if b.allow(t0) {
		t.Fatal("clock going backwards added a token")
	}
}

func TestTokenBucketUnlimited(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newTokenBucket(-1, 0, t0)
	for range 1000 {
		if !b.allow(t0) {
			t.Fatal("unlimited bucket refused")
		}
	}
}

func TestRateLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := newRateLimiter(20, 40, 80, t0)
	counts := map[verdict]int{}
	for range 200 {
		v := l.check(t0)
		counts[v]++
		if v == disconnect {
			break
		}
	}
	if counts[accept] != 40 || counts[reject] != 80 || counts[disconnect] != 1 {
		t.Fatalf("flood verdicts = %v, want 40 accepted, 80 rejected, then disconnect", counts)
	}

	// A client at the sustained rate is never rejected.
	l = newRateLimiter(20, 40, 80, t0)
	now := t0
	for i := range 1000 {
		now = now.Add(50 * time.Millisecond)
		if v := l.check(now); v != accept {
			t.Fatalf("frame %d at the sustained rate: verdict %v", i, v)
		}
	}

	// A client sending at twice the rate is rejected half the time and is
	// eventually disconnected, because rejections refill slowly.
	l = newRateLimiter(20, 40, 80, t0)
	now = t0
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("a client at twice the rate was never disconnected")
		}
		now = now.Add(25 * time.Millisecond)
		if l.check(now) == disconnect {
			break
		}
	}

	// Negative rate: no limit at all.
	l = newRateLimiter(-1, 1, 1, t0)
	for range 1000 {
		if v := l.check(t0); v != accept {
			t.Fatalf("unlimited limiter verdict %v", v)
		}
	}
}
