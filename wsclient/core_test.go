package wsclient

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The core's rules hold whatever the transport: these run natively.

func TestCoreReadDrainsMessagesBeforeTheCloseError(t *testing.T) {
	c := newCore((&Options{}).withDefaults())
	c.start()
	c.deliverOpen()
	for i := range 3 {
		c.deliverMessage(Message{Type: Binary, Data: []byte{byte(i)}})
	}
	c.deliverClose(&CloseError{Code: 4002, Reason: "r", WasClean: true})
	ctx := context.Background()
	for i := range 3 {
		m, err := c.read(ctx)
		if err != nil || m.Data[0] != byte(i) {
			t.Fatalf("read %d = %v, %v", i, m, err)
		}
	}
	if _, err := c.read(ctx); CloseStatus(err) != 4002 {
		t.Fatalf("read after the messages = %v, want close 4002", err)
	}
}

func TestCoreReadHonoursTheContext(t *testing.T) {
	c := newCore((&Options{}).withDefaults())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read = %v, want DeadlineExceeded", err)
	}
}

func TestCoreOverflowIsReportedNotSilent(t *testing.T) {
	c := newCore((&Options{MaxPendingMessages: 2, MaxPendingBytes: 100}).withDefaults())
	c.deliverOpen()
	if !c.deliverMessage(Message{Type: Text, Data: []byte("a")}) || !c.deliverMessage(Message{Type: Text, Data: []byte("b")}) {
		t.Fatal("messages within the bounds were refused")
	}
	if c.deliverMessage(Message{Type: Text, Data: []byte("c")}) {
		t.Fatal("a third message was accepted over MaxPendingMessages=2")
	}
	c.deliverClose(&CloseError{Code: StatusReceiveOverflow, Reason: "receive queue overflow", WasClean: true})
	ctx := context.Background()
	for _, want := range []string{"a", "b"} {
		if m, err := c.read(ctx); err != nil || string(m.Data) != want {
			t.Fatalf("read = %q, %v; want %q", m.Data, err, want)
		}
	}
	_, err := c.read(ctx)
	if !errors.Is(err, ErrReceiveOverflow) || CloseStatus(err) != StatusReceiveOverflow {
		t.Fatalf("read after overflow = %v, want ErrReceiveOverflow and close 4008", err)
	}
}

func TestCoreByteBoundCountsPayload(t *testing.T) {
	c := newCore((&Options{MaxPendingBytes: 10}).withDefaults())
	if !c.deliverMessage(Message{Data: make([]byte, 10)}) {
		t.Fatal("a message of exactly MaxPendingBytes was refused")
	}
	if c.deliverMessage(Message{Data: []byte{1}}) {
		t.Fatal("a byte over MaxPendingBytes was accepted")
	}
}

func TestCoreCallbacksRunInOrderOffTheCaller(t *testing.T) {
	var got []string
	done := make(chan struct{})
	opts := (&Options{
		OnStateChange: func(s State) { got = append(got, s.String()) },
		OnOpen:        func() { got = append(got, "open") },
		OnMessage:     func(m Message) { got = append(got, string(m.Data)) },
		OnError:       func(error) { got = append(got, "error") },
		OnClose:       func(*CloseError) { got = append(got, "close"); close(done) },
	}).withDefaults()
	c := newCore(opts)
	c.start()
	c.deliverOpen()
	c.deliverMessage(Message{Data: []byte("m1")})
	c.deliverMessage(Message{Data: []byte("m2")})
	c.observe(Closed)
	c.deliverError()
	c.deliverClose(&CloseError{Code: 1006})
	<-done
	want := []string{"OPEN", "open", "m1", "m2", "CLOSED", "error", "close"}
	if len(got) != len(want) {
		t.Fatalf("callbacks = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("callbacks = %q, want %q", got, want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := (*Options)(nil).withDefaults()
	if o.HighWaterMark != DefaultHighWaterMark || o.LowWaterMark != DefaultHighWaterMark/4 ||
		o.MaxPendingMessages != DefaultMaxPendingMessages || o.MaxPendingBytes != DefaultMaxPendingBytes {
		t.Fatalf("defaults = %+v", o)
	}
	o = (&Options{HighWaterMark: 100, LowWaterMark: 500}).withDefaults()
	if o.LowWaterMark != 25 {
		t.Fatalf("a low-water mark above the high one became %d, want 25", o.LowWaterMark)
	}
}
