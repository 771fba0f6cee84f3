// Package load is the server benchmark's load generator: lean native
// WebSocket clients that open many idle connections or run echo traffic
// against a server on the loopback interface, bounded in count and time.
//
// The clients speak just enough RFC 6455 (see package wsframe) to keep their
// own cost per message small, so that the server, not the generator, sets
// the pace; the servers compared (duplex's and Node's ws) see the same
// clients.
package load

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/wsframe"
)

// Conn is one client connection. Read and Write may be called from two
// goroutines: Read's answers to pings and close frames take the same lock
// as Write.
type Conn struct {
	nc    net.Conn
	br    *bufio.Reader
	mask  [4]byte
	wmu   sync.Mutex
	wbuf  []byte
	rbuf  []byte
	pings atomic.Int64 // pings answered by Read
}

// Pings returns how many pings Read has answered.
func (c *Conn) Pings() int64 { return c.pings.Load() }

// Dial opens a WebSocket connection to rawURL (ws://127.0.0.1:port/path)
// with d. The URL's host must be a loopback address: the load generator
// never sends traffic anywhere else.
func Dial(ctx context.Context, d *net.Dialer, rawURL string) (*Conn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("load: %s: only ws:// URLs", rawURL)
	}
	if err := checkLoopback(u.Hostname()); err != nil {
		return nil, err
	}
	nc, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	c, err := handshake(ctx, nc, u)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// checkLoopback refuses any host that is not a loopback IP address.
func checkLoopback(host string) error {
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("load: %q is not a loopback IP address; the load generator only targets this machine", host)
	}
	return nil
}

func handshake(ctx context.Context, nc net.Conn, u *url.URL) (*Conn, error) {
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
		defer nc.SetDeadline(time.Time{})
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	path := u.RequestURI()
	req := "GET " + path + " HTTP/1.1\r\n" +
		"Host: " + u.Host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		return nil, err
	}
	c := &Conn{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return nil, fmt.Errorf("load: handshake: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("load: handshake: %s", resp.Status)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != wsframe.AcceptKey(key) {
		return nil, fmt.Errorf("load: handshake: bad Sec-WebSocket-Accept %q", got)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		return nil, errors.New("load: handshake: no Upgrade: websocket")
	}
	rand.Read(c.mask[:])
	return c, nil
}

// CloseError is the error Read returns for the server's close frame.
type CloseError struct {
	Payload []byte // the close frame's: a 2-byte code, then the reason
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("load: server closed the connection (% x)", e.Payload)
}

// Code returns the close code, or 0 if the frame had none.
func (e *CloseError) Code() int {
	if len(e.Payload) < 2 {
		return 0
	}
	return int(e.Payload[0])<<8 | int(e.Payload[1])
}

// Close closes the TCP connection without a closing handshake.
func (c *Conn) Close() error { return c.nc.Close() }

// SetDeadline sets the read and write deadline of the connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// Write sends one message (op is wsframe.OpText or OpBinary) in one frame.
// The masking key is chosen once per connection: RFC 6455 wants a fresh one
// per frame, but the servers under test cannot tell and it costs nothing
// that matters here.
func (c *Conn) Write(op byte, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = wsframe.AppendFrame(c.wbuf[:0], true, op, &c.mask, p)
	_, err := c.nc.Write(c.wbuf)
	return err
}

// Read returns the next data message's opcode and payload, answering pings
// and reassembling fragments. The payload is valid until the next Read. A
// close frame is answered and returned as an error.
func (c *Conn) Read() (byte, []byte, error) {
	var op byte
	var msg []byte
	for {
		f, err := wsframe.ReadFrame(c.br, c.rbuf)
		if err != nil {
			return 0, nil, err
		}
		if cap(f.Payload) > cap(c.rbuf) {
			c.rbuf = f.Payload[:0]
		}
		switch f.Op {
		case wsframe.OpPing:
			c.pings.Add(1)
			if err := c.Write(wsframe.OpPong, f.Payload); err != nil {
				return 0, nil, err
			}
			continue
		case wsframe.OpPong:
			continue
		case wsframe.OpClose:
			c.Write(wsframe.OpClose, f.Payload)
			return 0, nil, &CloseError{Payload: append([]byte(nil), f.Payload...)}
		case wsframe.OpContinuation:
			if op == 0 {
				return 0, nil, errors.New("load: continuation without a first frame")
			}
			msg = append(msg, f.Payload...)
		default:
			if op != 0 {
				return 0, nil, errors.New("load: new message inside a fragmented one")
			}
			op = f.Op
			if f.Fin {
				return op, f.Payload, nil
			}
			msg = append(msg[:0], f.Payload...)
		}
		if f.Fin {
			return op, msg, nil
		}
	}
}
