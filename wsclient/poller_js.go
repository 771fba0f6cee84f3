//go:build js && wasm

package wsclient

import (
	"context"
	"sync"
	"time"
)

// poller wakes everything that waits on it together, every period: one
// timer for all waiters instead of one per wait. The period starts at min
// when a new wait begins and doubles, up to max, while waits go on.
type poller struct {
	min, max time.Duration

	mu      sync.Mutex
	tick    chan struct{} // closed at the next tick
	period  time.Duration
	waiters int
	running bool
}

func newPoller(min, max time.Duration) *poller {
	return &poller{min: min, max: max, tick: make(chan struct{}), period: min}
}

// wait returns at the next tick, when done is closed, or with ctx's error.
// first marks the first wait of a series (the period starts again at min).
func (p *poller) wait(ctx context.Context, done <-chan struct{}, first bool) error {
	p.mu.Lock()
	if first {
		p.period = p.min
	}
	tick := p.tick
	p.waiters++
	if !p.running {
		p.running = true
		go p.run()
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.waiters--
		p.mu.Unlock()
	}()
	select {
	case <-tick:
		return nil
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *poller) run() {
	for {
		p.mu.Lock()
		d := p.period
		p.period = min(2*p.period, p.max)
		p.mu.Unlock()
		time.Sleep(d)
		p.mu.Lock()
		close(p.tick)
		p.tick = make(chan struct{})
		if p.waiters == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}
