package wsclient

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// fillUntilStuck sends to an endpoint that never reads until the browser's
// buffer holds more than want bytes and stays there: once the kernel's and
// the browser's network buffers are full, nothing drains.
func fillUntilStuck(t *testing.T, c *Conn, want int) {
	t.Helper()
	chunk := make([]byte, 1<<20)
	for sent := 0; ; sent++ {
		if sent == 512 {
			t.Fatalf("BufferedAmount still %d after 512 MiB sent to a peer that never reads", c.BufferedAmount())
		}
		if before := c.BufferedAmount(); before > want {
			time.Sleep(200 * time.Millisecond)
			if c.BufferedAmount() == before {
				return // nothing moved: stuck
			}
		}
		if err := c.SendBinary(chunk); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBufferedAmountGrowsWhenThePeerDoesNotRead(t *testing.T) {
	c := dial(t, "/ws/stall?for=3s", nil)
	before := c.BufferedAmount()
	if err := c.SendBinary(make([]byte, 4<<20)); err != nil {
		t.Fatal(err)
	}
	if got := c.BufferedAmount(); got < before+1<<20 {
		t.Fatalf("BufferedAmount right after sending 4 MiB = %d (was %d)", got, before)
	}
}

func TestWriteWaitsForBackpressureAndGivesUpWithTheContext(t *testing.T) {
	const high = 1 << 20
	c := dial(t, "/ws/stall?for=3s", &Options{HighWaterMark: high})
	fillUntilStuck(t, c, 2*high)
	before := c.BufferedAmount()
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	err := c.Write(ctx, Binary, make([]byte, 512<<10))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Write over the high-water mark = %v, want DeadlineExceeded", err)
	}
	// The stuck buffer can only have shrunk: the message was not queued.
	if after := c.BufferedAmount(); after > before {
		t.Fatalf("BufferedAmount went from %d to %d: Write queued a message it reported as not sent", before, after)
	}
	if c.ReadyState() != Open {
		t.Fatalf("ReadyState = %v, want the connection left open", c.ReadyState())
	}
}

func TestWriteKeepsTheBufferBelowTheHighWaterMark(t *testing.T) {
	checkWriteBackpressure(t, nil)
}

// checkWriteBackpressure writes 64 messages of 128 KiB through the echo with
// a 256 KiB high-water mark and checks the buffer never held more than the
// mark plus one message, and that every echo came back in order.
func checkWriteBackpressure(t *testing.T, opts *Options) {
	const high, size, n = 256 << 10, 128 << 10, 64
	if opts == nil {
		opts = &Options{}
	}
	opts.HighWaterMark = high
	c := dial(t, "/ws/echo", opts)
	ctx := testCtx(t)
	echoed := make(chan error, 1)
	go func() {
		for i := range n {
			_, p, err := c.Read(ctx)
			if err == nil && (len(p) != size || p[0] != byte(i)) {
				err = errors.New("echo out of order or truncated")
			}
			if err != nil {
				echoed <- err
				return
			}
		}
		echoed <- nil
	}()
	maxSeen := 0
	for i := range n {
		p := bytes.Repeat([]byte{byte(i)}, size)
		if err := c.Write(ctx, Binary, p); err != nil {
			t.Fatal(err)
		}
		maxSeen = max(maxSeen, c.BufferedAmount())
	}
	// Write sends only below the high-water mark, so right after a send the
	// buffer holds less than high plus that message.
	if maxSeen >= high+size {
		t.Fatalf("BufferedAmount reached %d; Write must keep it under %d", maxSeen, high+size)
	}
	if err := <-echoed; err != nil {
		t.Fatal(err)
	}
}
