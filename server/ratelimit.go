package server

import (
	"math"
	"time"
)

// tokenBucket is a classic token bucket: it holds at most burst tokens and
// gains rate tokens per second. It is not safe for concurrent use; each chat
// connection owns its buckets and uses them from its read loop only.
type tokenBucket struct {
	rate   float64 // tokens per second; +Inf means unlimited
	burst  float64
	tokens float64
	last   time.Time
}

// newTokenBucket returns a full bucket. A negative or infinite rate makes a
// bucket that always allows.
func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	if rate < 0 || math.IsInf(rate, 1) {
		rate = math.Inf(1)
	}
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// allow takes one token if one is available at time now.
func (b *tokenBucket) allow(now time.Time) bool {
	if math.IsInf(b.rate, 1) {
		return true
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// verdict is what a rateLimiter decides about one incoming frame.
type verdict int

const (
	// accept: the frame is within the rate limit.
	accept verdict = iota
	// reject: the frame is over the limit and is answered with an error event.
	reject
	// disconnect: the client kept flooding; close it with 1008.
	disconnect
)

// rateLimiter is the per-connection flood control of /chat: a token bucket
// for frames, and a second, slowly refilling bucket of rejections. A client
// that keeps sending after being told to slow down exhausts the second
// bucket and is disconnected.
type rateLimiter struct {
	frames  *tokenBucket
	rejects *tokenBucket
}

// newRateLimiter allows rate frames per second with the given burst, and
// maxRejects rejected frames (refilling at rate/10 per second) before
// disconnecting.
func newRateLimiter(rate float64, burst, maxRejects int, now time.Time) *rateLimiter {
	rejectRate := rate / 10
	if rate < 0 {
		rejectRate = -1
	}
	return &rateLimiter{
		frames:  newTokenBucket(rate, burst, now),
		rejects: newTokenBucket(rejectRate, maxRejects, now),
	}
}

// check classifies a frame arriving at time now.
func (l *rateLimiter) check(now time.Time) verdict {
	if l.frames.allow(now) {
		return accept
	}
	if l.rejects.allow(now) {
		return reject
	}
	return disconnect
}
