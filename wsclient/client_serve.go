package wsclient

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// closeWait bounds how long Client.Close waits for the closing handshake, so
// that the server sees the code before the Client reports itself closed.
const closeWait = 5 * time.Second

// serve runs one open connection until it ends, and returns why: a pump
// writes the outbox in order, a reader delivers messages and
// confirmations, and this goroutine watches the heartbeat, the network and
// the Client's Close.
func (c *Client) serve(conn *Conn) error {
	// The reader keeps its own context so that, when the connection ends by
	// itself, it still drains what arrived before the close.
	readCtx, stopReader := context.WithCancel(c.ctx)
	pumpCtx, stopPump := context.WithCancel(c.ctx)
	defer stopReader()
	defer stopPump()
	c.lastInbound.Store(time.Now().UnixNano())
	written := &c.written // bytes handed to this connection by the pump (reset in connectOnce)
	var wg sync.WaitGroup
	wg.Add(2)
	pumped := make(chan struct{})
	go func() { defer wg.Done(); defer close(pumped); c.pump(pumpCtx, conn, written) }()
	go func() { defer wg.Done(); c.readLoop(readCtx, conn) }()

	// On the HTTP fallback, check from time to time whether a WebSocket
	// gets through again.
	var retryWS <-chan time.Time
	probed := make(chan bool, 1)
	if f := c.opts.Fallback; f != nil && f.options().RetryWebSocket > 0 && !c.opts.Transport.httpTransport() && conn.Transport().httpTransport() {
		t := time.NewTicker(f.options().RetryWebSocket)
		defer t.Stop()
		retryWS = t.C
	}

	var tick <-chan time.Time
	var live *liveness
	if c.hb.Interval > 0 {
		t := time.NewTicker(c.hb.Interval)
		defer t.Stop()
		tick = t.C
		live = newLiveness(c.hb.Timeout, time.Now())
	}
	// abandon gives up on a connection that cannot be trusted any more; its
	// close event may come much later (a half-open TCP connection).
	abandon := func(reason string) {
		conn.Close(StatusNormalClosure, reason)
		stopReader()
	}
	var why error
loop:
	for {
		select {
		case <-conn.Done():
			why = conn.Err()
			break loop
		case <-c.ctx.Done(): // the application's Close
			c.mu.Lock()
			req := c.closeReq
			c.mu.Unlock()
			conn.Close(req.Code, req.Reason)
			select {
			case <-conn.Done():
			case <-time.After(closeWait):
			}
			why = conn.Err()
			break loop
		case <-retryWS:
			go func() { probed <- c.probeWebSocket(conn.URL()) }()
		case ok := <-probed:
			if ok {
				stopPump()
				<-pumped
				c.upgrade(conn)
				why = ErrUpgradeToWebSocket
				break loop
			}
		case now := <-tick:
			c.settleHandedOver(conn, written.Load())
			live.observe(time.Unix(0, c.lastInbound.Load()))
			if live.dead(now) {
				abandon("heartbeat timeout")
				why = ErrHeartbeatTimeout
				break loop
			}
			c.ping(conn, live, now)
		case ev := <-c.net.events:
			switch ev {
			case netOffline:
				abandon("offline")
				why = ErrOffline
				break loop
			case netVisible:
				// Timers may have slept: check now rather than at the next tick.
				if live != nil {
					live.observe(time.Unix(0, c.lastInbound.Load()))
					c.ping(conn, live, time.Now())
				}
			}
		}
	}
	stopPump()
	wg.Wait()
	c.settleEnded(conn, written.Load(), why)
	return why
}

// probeWebSocket reports whether a WebSocket handshake to url gets through
// now: a duplex server accepts the probe (fallbackproto.ParamProbe) and
// closes it at once, without running the endpoint. On success the memory
// of the fallback for url's origin is forgotten.
func (c *Client) probeWebSocket(url string) bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.Fallback.options().HandshakeTimeout)
	defer cancel()
	sep := "?"
	if hasByte(url, '?') {
		sep = "&"
	}
	probe, err := Dial(ctx, url+sep+fallbackproto.ParamProbe+"=1", &Options{Transport: c.opts.Transport})
	if err != nil {
		return false
	}
	probe.Close(StatusNormalClosure, "")
	rememberFallback(originOf(url), false)
	return true
}

// upgrade ends a connection on the HTTP fallback so that the next one is a
// WebSocket: once the server has acknowledged everything written to it
// (bounded by closeWait), it closes with 1000; what the outbox still holds
// goes out on the next connection.
func (c *Client) upgrade(conn *Conn) {
	ctx, cancel := context.WithTimeout(c.ctx, closeWait)
	defer cancel()
	for conn.BufferedAmount() > 0 && conn.ReadyState() == Open {
		if conn.t.waitDrain(ctx, 0, 0) != nil {
			break
		}
	}
	conn.Close(StatusNormalClosure, "moving to a WebSocket")
	select {
	case <-conn.Done():
	case <-ctx.Done():
	}
}

// ping sends the heartbeat message straight to the connection.
func (c *Client) ping(conn *Conn, live *liveness, now time.Time) {
	var err error
	if c.hb.Ping.Type == Binary {
		err = conn.SendBinary(c.hb.Ping.Data)
	} else {
		err = conn.SendText(string(c.hb.Ping.Data))
	}
	if err == nil {
		live.pinged(now)
	}
}

// pump writes the outbox to conn in order until ctx is done or a write fails.
// A message counts as written before the write, so that a confirmation
// racing the write's return finds it; a failed write puts it back.
func (c *Client) pump(ctx context.Context, conn *Conn, written *atomic.Int64) {
	for {
		c.mu.Lock()
		m, ok := c.out.front()
		if ok {
			c.out.written(written.Load() + int64(len(m.msg.Data)))
		}
		c.mu.Unlock()
		if !ok {
			select {
			case <-c.wakeOut:
				continue
			case <-ctx.Done():
				return
			}
		}
		if err := conn.Write(ctx, m.msg.Type, m.msg.Data); err != nil {
			c.mu.Lock()
			c.out.unwrite()
			c.mu.Unlock()
			return
		}
		written.Add(int64(len(m.msg.Data)))
		if c.opts.OnWrite != nil {
			c.opts.OnWrite(m.msg)
		}
		c.settleHandedOver(conn, written.Load())
	}
}

// readLoop delivers conn's messages and confirmations until the connection
// ends or ctx is done.
func (c *Client) readLoop(ctx context.Context, conn *Conn) {
	for {
		typ, p, err := conn.Read(ctx)
		if err != nil {
			return
		}
		c.lastInbound.Store(time.Now().UnixNano())
		m := Message{Type: typ, Data: p}
		if c.hb.IsPong != nil && c.hb.IsPong(m) {
			continue
		}
		var key string
		if c.opts.Key != nil { // application code: never under c.mu
			key = c.opts.Key(m)
		}
		c.mu.Lock()
		if key != "" && c.out.confirm(key) {
			c.stats.Sent++
		}
		c.stats.Received++
		c.mu.Unlock()
		if c.opts.OnMessage != nil {
			c.opts.OnMessage(m)
			continue
		}
		// A full inbox stops reading here; the connection's own receive
		// bounds then apply (see Options.MaxPendingMessages).
		select {
		case c.inbox <- m:
		case <-c.ctx.Done():
			return
		}
	}
}

// settleHandedOver settles keyless messages whose bytes have left.
func (c *Client) settleHandedOver(conn *Conn, written int64) {
	sent := written - int64(conn.BufferedAmount())
	c.mu.Lock()
	c.stats.Sent += int64(c.out.handedOver(sent))
	c.mu.Unlock()
}

// settleEnded settles what was written on a connection that has ended:
// messages it handed over count as sent, the others are redelivered or
// reported.
func (c *Client) settleEnded(conn *Conn, written int64, why error) {
	c.settleHandedOver(conn, written)
	c.mu.Lock()
	lost := c.out.unconfirmed(c.opts.Redeliver)
	c.mu.Unlock()
	if len(lost) > 0 {
		err := error(ErrUndelivered)
		if why != nil {
			err = wrap(ErrUndelivered.Error()+" ("+why.Error()+")", ErrUndelivered, why)
		}
		c.report(lost, err)
	}
}
