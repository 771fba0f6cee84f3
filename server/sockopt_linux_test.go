package server

import (
	"net"
	"testing"
	"time"
)

func TestUnsentBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			peer <- c
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := <-peer
	defer p.Close()
	if n := unsentBytes(c); n != 0 {
		t.Fatalf("idle socket: %d unsent bytes", n)
	}
	// The peer never reads: writes pile up in the send queue once its
	// receive buffer is full.
	c.(*net.TCPConn).SetWriteBuffer(64 << 10)
	p.(*net.TCPConn).SetReadBuffer(64 << 10)
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 1<<20)
	for {
		if _, err := c.Write(buf); err != nil {
			break
		}
	}
	if n := unsentBytes(c); n <= 0 {
		t.Fatalf("blocked socket: %d unsent bytes", n)
	}
	if n := unsentBytes(struct{ net.Conn }{c}); n != -1 {
		t.Fatalf("unknown conn type: %d", n)
	}
}
