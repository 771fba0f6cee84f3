package wsclient

import (
	"slices"
	"testing"
)

func msg(s string) outMsg { return outMsg{msg: Message{Type: Text, Data: []byte(s)}, key: s} }

func texts(ms []outMsg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.msg.Data))
	}
	return out
}

func TestOutboxBoundsCountAndBytes(t *testing.T) {
	o := &outbox{maxN: 2, maxB: 5}
	if !o.fits(3) {
		t.Fatal("3 bytes do not fit an empty 5-byte outbox")
	}
	o.push(msg("abc"))
	if o.fits(3) {
		t.Fatal("6 bytes fit a 5-byte outbox")
	}
	o.push(msg("de"))
	if o.fits(0) {
		t.Fatal("a third message fits a 2-message outbox")
	}
	// Written but unconfirmed messages still count.
	o.written(3)
	if o.fits(0) {
		t.Fatal("inflight messages stopped counting")
	}
	o.confirm("abc")
	if !o.fits(3) {
		t.Fatal("a confirmed message still counts")
	}
}

func TestOutboxConfirmAndHandOver(t *testing.T) {
	o := &outbox{maxN: 10, maxB: 100}
	for _, s := range []string{"a", "b", "c"} {
		o.push(msg(s))
		o.written(int64(len(o.inflight) + 1))
	}
	if !o.confirm("b") || o.confirm("b") {
		t.Fatal("confirm settles each key once")
	}
	o.push(outMsg{msg: Message{Data: []byte("x")}}) // no key
	o.written(4)
	o.handedOver(3)
	if len(o.inflight) != 3 {
		t.Fatalf("handedOver(3) settled a keyless message ending at 4: %q", texts(o.inflight))
	}
	o.handedOver(4)
	if got := texts(o.unconfirmed(false)); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("unconfirmed = %q, want a c", got)
	}
	if o.n != 0 || o.bytes != 0 {
		t.Fatalf("totals after settling everything: %d messages, %d bytes", o.n, o.bytes)
	}
}

func TestOutboxRedeliverKeepsOrder(t *testing.T) {
	o := &outbox{maxN: 10, maxB: 100}
	for _, s := range []string{"1", "2", "3", "4"} {
		o.push(msg(s))
	}
	o.written(1)
	o.written(2)
	vol := msg("v")
	vol.volatile = true
	o.queued = append([]outMsg{vol}, o.queued...)
	o.n++
	o.bytes++
	o.written(3)
	if lost := o.unconfirmed(true); lost != nil {
		t.Fatalf("redeliver returned %q", texts(lost))
	}
	if got := texts(o.queued); !slices.Equal(got, []string{"1", "2", "3", "4"}) {
		t.Fatalf("queue after redeliver = %q, want 1 2 3 4 (the volatile one dropped)", got)
	}
	if o.n != 4 {
		t.Fatalf("n = %d, want 4", o.n)
	}
}

func TestOutboxDropVolatile(t *testing.T) {
	o := &outbox{maxN: 10, maxB: 100}
	o.push(msg("keep"))
	v := msg("drop")
	v.volatile = true
	o.push(v)
	if n := o.dropVolatile(); n != 1 {
		t.Fatalf("dropVolatile = %d", n)
	}
	if got := texts(o.all()); !slices.Equal(got, []string{"keep"}) {
		t.Fatalf("left = %q", got)
	}
}
