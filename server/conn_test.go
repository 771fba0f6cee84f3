package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/coder/websocket"
)

func TestClassifyReadError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code websocket.StatusCode
		by   string
	}{
		{fmt.Errorf("failed to get reader: %w", websocket.CloseError{Code: 1000, Reason: "bye"}), 1000, "client"},
		{websocket.CloseError{Code: 4001}, 4001, "client"},
		{fmt.Errorf("failed to read: %w: read limited at 33 bytes", websocket.ErrMessageTooBig), 1009, "server"},
		{fmt.Errorf("failed to get reader: %w", net.ErrClosed), 1006, "server"},
		{context.Canceled, 1006, "server"},
		{fmt.Errorf("failed to read frame header: %w", io.EOF), 1006, "client"},
		{io.ErrUnexpectedEOF, 1006, "client"},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, 1006, "client"},
		{errors.New("failed to get reader: received unmasked frame from client"), 1002, "server"},
		{errors.New("received header with unexpected rsv bits set: true:false:false"), 1002, "server"},
	} {
		code, _, by := classifyReadError(tc.err)
		if code != tc.code || by != tc.by {
			t.Errorf("classifyReadError(%v) = %d by %s, want %d by %s", tc.err, code, by, tc.code, tc.by)
		}
	}
}

func TestSendableCode(t *testing.T) {
	for code, want := range map[websocket.StatusCode]bool{
		999: false, 1000: true, 1001: true, 1002: true, 1004: false, 1005: false, 1006: false,
		1007: true, 1008: true, 1009: true, 1011: true, 1013: true, 1014: true, 1015: false,
		1016: false, 2999: false, 3000: true, 4999: true, 5000: false,
	} {
		if got := sendableCode(code); got != want {
			t.Errorf("sendableCode(%d) = %v", code, got)
		}
	}
}

func TestRecordCloseFirstWins(t *testing.T) {
	c := &wsConn{}
	if !c.recordClose(1008, "too slow", "server") {
		t.Fatal("first record refused")
	}
	if c.recordClose(1006, "write failed", "server") {
		t.Fatal("second record accepted")
	}
	if code, reason, by := c.closeInfo(); code != 1008 || reason != "too slow" || by != "server" {
		t.Fatalf("closeInfo = %d %q %q", code, reason, by)
	}
}

func TestCountingConn(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	cc := &countingConn{Conn: a}
	hello := serverFrame(bitFin|opText, []byte("hello")) // what it writes passes the closeGuard
	go func() {
		buf := make([]byte, 10)
		n, _ := b.Read(buf)
		b.Write(buf[:n])
		b.Write([]byte("more"))
	}()
	if n, err := cc.Write(hello); err != nil || n != len(hello) {
		t.Fatal(n, err)
	}
	buf := make([]byte, len(hello)+4)
	if _, err := io.ReadFull(cc, buf); err != nil || string(buf) != string(hello)+"more" {
		t.Fatalf("read %q %v", buf, err)
	}
	if cc.written.Load() != 7 || cc.read.Load() != 11 {
		t.Fatalf("counted %d written, %d read", cc.written.Load(), cc.read.Load())
	}
	cc.hardClose()
	if _, err := cc.Write([]byte("x")); err == nil {
		t.Fatal("write after hardClose succeeded")
	}
}
