package wsclient

// outbox holds what a Client accepted and has not yet seen through: messages
// queued while no connection can take them, then messages written to a
// connection but not yet confirmed. Both count against the bounds, so memory
// stays bounded even when confirmations stop coming. It is not safe for
// concurrent use: the Client guards it.
type outbox struct {
	maxN, maxB int
	n, bytes   int      // totals over queued and inflight
	queued     []outMsg // not yet written, in order
	inflight   []outMsg // written on the current connection, unconfirmed
}

// outMsg is one accepted message.
type outMsg struct {
	msg      Message
	key      string // confirmation key (ClientOptions.Key); "" if none
	volatile bool   // drop rather than queue or report (SendVolatile)
	end      int64  // bytes written on the connection up to and including this one
}

func (o *outbox) fits(size int) bool {
	return o.n+1 <= o.maxN && o.bytes+size <= o.maxB
}

// push queues m at the back; the caller has checked fits.
func (o *outbox) push(m outMsg) {
	o.queued = append(o.queued, m)
	o.n++
	o.bytes += len(m.msg.Data)
}

// front returns the next message to write.
func (o *outbox) front() (outMsg, bool) {
	if len(o.queued) == 0 {
		return outMsg{}, false
	}
	return o.queued[0], true
}

// written moves the front message, now handed to a connection, to inflight.
func (o *outbox) written(end int64) {
	m := o.queued[0]
	o.queued[0] = outMsg{}
	o.queued = o.queued[1:]
	m.end = end
	o.inflight = append(o.inflight, m)
}

// remove forgets inflight[i], which is settled one way or another.
func (o *outbox) remove(i int) outMsg {
	m := o.inflight[i]
	o.inflight = append(o.inflight[:i], o.inflight[i+1:]...)
	o.n--
	o.bytes -= len(m.msg.Data)
	return m
}

// confirm settles the oldest inflight message with key and reports whether
// there was one.
func (o *outbox) confirm(key string) bool {
	for i, m := range o.inflight {
		if m.key == key {
			o.remove(i)
			return true
		}
	}
	return false
}

// handedOver settles the messages without a key whose bytes have all left
// for the network (the connection has handed over sent bytes in total):
// without a confirmation that is as far as a client can know. It returns
// how many it settled.
func (o *outbox) handedOver(sent int64) int {
	settled := 0
	for i := 0; i < len(o.inflight); {
		if m := o.inflight[i]; m.key == "" && m.end <= sent {
			o.remove(i)
			settled++
			continue
		}
		i++
	}
	return settled
}

// unwrite puts the last written message back at the front of the queue: its
// write failed, so it was never sent.
func (o *outbox) unwrite() {
	last := len(o.inflight) - 1
	m := o.inflight[last]
	o.inflight = o.inflight[:last]
	m.end = 0
	o.queued = append([]outMsg{m}, o.queued...)
}

// unconfirmed removes and returns every inflight message (the connection
// ended). With redeliver they go back to the front of the queue instead,
// in order, and nothing is returned.
func (o *outbox) unconfirmed(redeliver bool) []outMsg {
	lost := o.inflight
	o.inflight = nil
	if redeliver {
		var keep []outMsg
		for _, m := range lost {
			if !m.volatile {
				m.end = 0
				keep = append(keep, m)
			} else {
				o.n--
				o.bytes -= len(m.msg.Data)
			}
		}
		o.queued = append(keep, o.queued...)
		return nil
	}
	for _, m := range lost {
		o.n--
		o.bytes -= len(m.msg.Data)
	}
	return lost
}

// dropVolatile removes the queued messages marked volatile (no connection
// can take them now) and returns how many there were.
func (o *outbox) dropVolatile() int {
	dropped := 0
	keep := o.queued[:0]
	for _, m := range o.queued {
		if m.volatile {
			o.n--
			o.bytes -= len(m.msg.Data)
			dropped++
			continue
		}
		keep = append(keep, m)
	}
	clear(o.queued[len(keep):])
	o.queued = keep
	return dropped
}

// all removes and returns everything, queued then inflight (the Client has
// ended).
func (o *outbox) all() []outMsg {
	out := append(o.inflight, o.queued...)
	o.inflight, o.queued = nil, nil
	o.n, o.bytes = 0, 0
	return out
}
