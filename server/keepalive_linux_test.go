package server

import (
	"bytes"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A client reading a large echo slowly does not get its pongs read in time
// (the server is busy writing, not reading), but it is consuming data, so it
// is not taken for dead. The client's receive buffer is made small so that
// its consumption shows as a steady flow rather than in bursts.
func TestKeepaliveSparesBusyPeer(t *testing.T) {
	const interval = time.Second
	ts := startServer(t, Config{PingInterval: interval})
	ctx := testCtx(t)
	msg := binaryPayload(16 << 20) // before dialing: a client that neither reads nor writes would be dropped

	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{HTTPClient: client})
	c.SetReadLimit(-1)
	if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
		t.Fatal(err)
	}
	_, r, err := c.Reader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := bytes.NewBuffer(make([]byte, 0, len(msg)))
	buf := make([]byte, 32<<10)
	start := time.Now()
	for {
		n, err := r.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // at most 3.2 MB/s: about five intervals
	}
	t.Logf("slow read of 16 MiB took %v (ping interval %v)", time.Since(start).Round(time.Millisecond), interval)
	if !bytes.Equal(got.Bytes(), msg) {
		t.Fatalf("got %d bytes back", got.Len())
	}
	echoOnce(t, ctx, c, "still connected")
	if time.Since(start) < 3*interval {
		t.Logf("the read was too fast to test anything")
	}
}
