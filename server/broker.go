package server

import (
	"context"
	"errors"
	"strconv"

	"github.com/duplexgo/duplex/server/chatproto"
)

// broker is the seam between the hub, which holds this process's members
// (their sockets, queues and limits), and what the rooms share: who is in
// a room, the ids and history of its messages, and the delivery of its
// events to every process that has members there. memoryBroker keeps all
// of it in this process (the default); natsBroker keeps it in NATS
// JetStream, so that several duplexd processes serve the same rooms. The
// hub does not know which one runs.
//
// A broker delivers the events of a room to each subscriber in one order,
// the same for every subscriber of that room: joins and leaves (from
// Claim and Release), and messages (from Publish) with their ids. A
// subscriber's function must not block for long and must not call the
// broker; it may be called after the subscription is cancelled.
type broker interface {
	// Subscribe delivers room's events to fn, in the room's order. It
	// first delivers the room as it stands: a join for each member, in
	// join order, and the last messages, oldest first. It returns once
	// those are delivered. cancel stops the deliveries.
	Subscribe(ctx context.Context, room string, fn func(roomEvent)) (cancel func(), err error)

	// Claim reserves a member name in room for the member token (unique
	// to the member): nick if it is free, else the first free of nick-2,
	// nick-3, ... (see memberName); an empty nick gets a "guest-N". The
	// join event follows, carrying token.
	Claim(ctx context.Context, room, nick, token string) (name string, err error)

	// Release gives name back, if token still holds it; the leave event
	// follows. It does not block on the network and may be called with
	// the broker's subscribers running.
	Release(room, name, token string)

	// Publish appends a message from m.From to room's history and hands
	// it to the subscribers. It returns the message as stored, with its
	// id and time. dup reports that m repeats one already published
	// (same sender and cid, recently): the original is returned, and
	// nothing is delivered again.
	Publish(ctx context.Context, room string, m chatproto.MessageEvent) (stored chatproto.MessageEvent, dup bool, err error)

	// History returns the last n messages of room, oldest first.
	History(ctx context.Context, room string, n int) ([]chatproto.MessageEvent, error)

	// Members returns the names of room's members, in join order.
	Members(ctx context.Context, room string) ([]string, error)

	// Health returns why the broker cannot serve now, or nil.
	Health() error

	// Stats returns the broker's gauges and counters, for /metrics.
	Stats() brokerStats

	// Close releases the broker's resources. The names this process
	// holds are given back first where that is possible.
	Close() error
}

// roomEvent is one event of a room, as a broker delivers it.
type roomEvent struct {
	kind  eventKind
	name  string                 // the member who joined or left
	token string                 // its claim's token
	msg   chatproto.MessageEvent // a message, with its id
}

// eventKind says what a roomEvent is.
type eventKind uint8

const (
	eventJoin eventKind = iota + 1
	eventLeave
	eventMessage
)

// brokerStats are a broker's figures for /metrics.
type brokerStats struct {
	connected     bool   // the broker can serve
	publishErrors uint64 // messages the broker failed to publish
	reconnects    uint64 // reconnections to the broker's service
}

// errBrokerDown is the error of a broker that cannot reach its service.
var errBrokerDown = errors.New("chat service unavailable")

// memberName returns the i-th candidate name for nick (i from 1): nick
// itself, then nick with the suffix "-i", cut so that the whole fits in
// chatproto.MaxNameRunes characters.
func memberName(nick string, i int) string {
	if i <= 1 {
		return nick
	}
	suffix := "-" + strconv.Itoa(i)
	return truncateRunes(nick, chatproto.MaxNameRunes-len(suffix)) + suffix
}

// guestName returns the n-th guest name.
func guestName(n uint64) string {
	return "guest-" + strconv.FormatUint(n, 10)
}
