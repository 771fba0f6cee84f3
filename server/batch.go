package server

import "sync"

// writeBatch lets a writer gather several frames into one write to the
// socket: between cork and uncork, whatever coder/websocket writes to the
// connection (the writer's frames, and any ping, pong or close frame other
// goroutines write meanwhile) is appended to a buffer, in order, and uncork
// writes it at once. A chat member's writer uses it for each batch of
// events (see chatClient.writeBatch).
type writeBatch struct {
	mu     sync.Mutex
	corked bool
	buf    *[]byte // from batchBufs while corked
}

// batchFlushBytes is how much a batch buffers before it is written while
// still corked, to keep the buffer small.
const batchFlushBytes = 64 << 10

// batchBufs recycles the buffers of batches: a connection holds one only
// while it writes.
var batchBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, batchFlushBytes)
	return &b
}}

// batched appends p to the batch if one is corked, writing the batch to c
// first when it is full, and reports whether it took p. It is called by
// countingConn.Write, which coder/websocket serializes.
func (c *countingConn) batched(p []byte) (bool, error) {
	b := &c.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.corked {
		return false, nil
	}
	if len(*b.buf)+len(p) > batchFlushBytes && len(*b.buf) > 0 {
		if err := c.writeBuffered(); err != nil {
			return true, err
		}
	}
	*b.buf = append(*b.buf, p...)
	return true, nil
}

// cork starts a batch.
func (c *countingConn) cork() {
	b := &c.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.corked {
		b.corked = true
		b.buf = batchBufs.Get().(*[]byte)
	}
}

// uncork ends the batch and writes what it gathered. Writes that come
// meanwhile wait for it, so that bytes go out in the order they were
// written.
func (c *countingConn) uncork() error {
	b := &c.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.corked {
		return nil
	}
	b.corked = false
	err := c.writeBuffered()
	if cap(*b.buf) <= 4*batchFlushBytes {
		batchBufs.Put(b.buf)
	}
	b.buf = nil
	return err
}

// writeBuffered writes the batch's buffer to the socket and empties it.
// b.mu is held.
func (c *countingConn) writeBuffered() error {
	buf := *c.batch.buf
	n, err := c.Conn.Write(buf)
	c.written.Add(uint64(n))
	*c.batch.buf = buf[:0]
	return err
}
