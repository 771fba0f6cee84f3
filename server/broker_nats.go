package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/duplexgo/duplex/server/chatproto"
)

// What a natsBroker keeps in NATS, and the timings of its liveness checks.
const (
	natsStream        = "DUPLEX_CHAT"         // the rooms' messages
	natsSubjectPrefix = "duplex.chat."        // + room token + ".m": a room's messages
	natsMembersBucket = "duplex_chat_members" // KV: room token.name token -> natsMember
	natsNodesBucket   = "duplex_chat_nodes"   // KV: node id -> heartbeat
	natsNodeSubject   = "duplex.chat.node."   // + node id: a node answers whether a claim is its
	natsHeartbeat     = time.Second           // between heartbeats, and between sweeps
	natsDeadAfter     = 5 * time.Second       // without a heartbeat: a node is dead
	natsDuplicates    = 2 * time.Minute       // JetStream's window for repeated cids
	natsNodesTTL      = time.Minute           // heartbeats of nodes gone are forgotten
	natsAskTimeout    = time.Second           // bound on asking a node about a claim
	natsSetupRetry    = time.Second           // between attempts to set the stream up
	natsPurgeMarkers  = 10 * time.Minute      // between purges of old delete markers
	natsPullExpiry    = 10 * time.Second      // of a room consumer's pull requests
	natsPullHeartbeat = time.Second           // a room consumer that misses two is recreated
)

// The nodes' rule for a member whose node died (its members are purged
// from the room within the bound that README.md documents): its node's
// heartbeat is older than natsDeadAfter, or two sweeps in a row found no
// node answering on its subject (NATS tells at once that nobody listens).

// natsOptions configure a natsBroker.
type natsOptions struct {
	url      string
	history  int           // messages kept per room
	maxAge   time.Duration // how long messages are kept; 0: no limit
	maxBytes int64         // bound on the stream's size; 0: no limit
	replicas int           // copies of the stream and buckets in a NATS cluster
	log      *slog.Logger
}

// natsMember is the value of a claim in the members bucket.
type natsMember struct {
	Node  string `json:"node"`
	Token string `json:"token"`
	rev   uint64
}

// natsClaim is a name this process holds.
type natsClaim struct {
	key string
	rev uint64
}

// natsRoom is the broker's replica of a room's members, and the room's
// subscribers in this process.
type natsRoom struct {
	names   []string              // in join order
	entries map[string]natsMember // by name
	subs    []*natsSub
}

type natsSub struct{ fn func(roomEvent) }

// natsBroker keeps the rooms in NATS JetStream, shared by every process
// using the same NATS: a room's messages are a subject of one stream,
// whose sequence is the message's id, and which every process with
// members in the room consumes in order (an ordered consumer each); its
// members are the keys of a key-value bucket, created if absent (so a name
// is claimed once across all processes), which every process watches in
// the bucket's order. Each process heartbeats in another bucket and
// answers on a subject of its own; the others purge the members of a
// process that stops.
type natsBroker struct {
	opts natsOptions
	node string // this process's id, unique to its run
	log  *slog.Logger
	nc   *nats.Conn

	ctx    context.Context // of the background loops
	cancel context.CancelFunc
	wg     sync.WaitGroup

	ready    atomic.Bool            // set up: stream, buckets, watchers caught up
	setupErr atomic.Pointer[string] // why the last setup attempt failed
	js       jetstream.JetStream    // set before ready
	stream   jetstream.Stream       // set before ready
	members  jetstream.KeyValue     // set before ready
	nodes    jetstream.KeyValue     // set before ready
	sub      *nats.Subscription     // on natsNodeSubject+node
	closed   atomic.Bool            // Close or abandon was called
	watches  []*kvWatch             // of the nodes and the members; set before ready
	rewatch  chan struct{}          // signalled on reconnection

	publishErrors atomic.Uint64
	reconnects    atomic.Uint64

	mu             sync.Mutex
	rooms          map[string]*natsRoom
	seen           map[string]time.Time // nodes by the time their last heartbeat was seen here
	silent         map[string]int       // nodes by sweeps in a row that found none answering
	connectedSince time.Time
	guests         uint64

	claimsMu sync.Mutex
	claims   map[string]natsClaim // this process's names, by token
	releases []string             // tokens to release
	wake     chan struct{}        // signals releases
}

// newNatsBroker returns a broker on the NATS server at opts.url. It
// connects and sets the stream and buckets up in the background, again
// and again until that works: until then, and whenever the connection is
// lost, Health reports why.
func newNatsBroker(opts natsOptions) *natsBroker {
	ctx, cancel := context.WithCancel(context.Background())
	b := &natsBroker{
		opts: opts, node: nuid.Next(), log: opts.log, ctx: ctx, cancel: cancel,
		rooms: map[string]*natsRoom{}, seen: map[string]time.Time{}, silent: map[string]int{},
		claims: map[string]natsClaim{}, wake: make(chan struct{}, 1), rewatch: make(chan struct{}, 1),
	}
	msg := "connecting to NATS at " + opts.url
	b.setupErr.Store(&msg)
	nc, err := nats.Connect(opts.url,
		nats.Name("duplexd "+b.node),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectBufSize(-1), // fail at once while disconnected
		nats.ConnectHandler(func(*nats.Conn) { b.connected() }),
		nats.ReconnectHandler(func(*nats.Conn) {
			b.reconnects.Add(1)
			b.log.Info("chat broker: reconnected to NATS")
			b.connected()
			select {
			case b.rewatch <- struct{}{}:
			default:
			}
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if !b.closed.Load() {
				b.log.Warn("chat broker: disconnected from NATS", "err", err)
			}
		}),
	)
	if err != nil { // a malformed URL: RetryOnFailedConnect covers the rest
		msg := "NATS: " + err.Error()
		b.setupErr.Store(&msg)
		return b
	}
	b.nc = nc
	if nc.IsConnected() {
		b.connected()
	}
	b.wg.Go(b.run)
	return b
}

// connected records that the connection is up (again): the nodes' ages
// count from now, since nothing could be seen while it was down.
func (b *natsBroker) connected() {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.connectedSince = now
	for n := range b.seen {
		b.seen[n] = now
	}
	clear(b.silent)
}

// run sets up the broker, then heartbeats, sweeps and releases until
// the broker is closed.
func (b *natsBroker) run() {
	for !b.ready.Load() {
		err := b.setup()
		if err == nil {
			b.ready.Store(true)
			b.log.Info("chat broker: using NATS JetStream", "url", b.opts.url, "node", b.node)
			break
		}
		msg := "setting up NATS JetStream at " + b.opts.url + ": " + err.Error()
		if !b.nc.IsConnected() {
			msg = "connecting to NATS at " + b.opts.url
		}
		b.setupErr.Store(&msg)
		select {
		case <-b.ctx.Done():
			return
		case <-time.After(natsSetupRetry):
		}
	}
	b.wg.Go(b.releaser)
	tick := time.NewTicker(natsHeartbeat)
	defer tick.Stop()
	lastPurge := time.Now()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.rewatch:
			for _, kw := range b.watches {
				if err := b.watch(b.ctx, kw, false); err != nil {
					b.log.Warn("chat broker: watching again after reconnecting", "err", err)
					select { // again at the next reconnection, or now
					case b.rewatch <- struct{}{}:
					default:
					}
				}
			}
			continue
		case <-tick.C:
		}
		b.heartbeat()
		b.sweep()
		if time.Since(lastPurge) > natsPurgeMarkers {
			lastPurge = time.Now()
			ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
			b.members.PurgeDeletes(ctx)
			cancel()
		}
	}
}

// setup creates (or updates) the stream and the buckets, starts watching
// the buckets and returns once their current entries are in.
func (b *natsBroker) setup() error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if !b.nc.IsConnected() {
		return errors.New("not connected")
	}
	js, err := jetstream.New(b.nc)
	if err != nil {
		return err
	}
	replicas := max(b.opts.replicas, 1)
	maxBytes := b.opts.maxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              natsStream,
		Description:       "duplex chat rooms: the last messages of each room",
		Subjects:          []string{natsSubjectPrefix + "*.m"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxMsgsPerSubject: int64(max(b.opts.history, 1)),
		MaxAge:            b.opts.maxAge,
		MaxBytes:          maxBytes,
		MaxMsgs:           -1,
		Duplicates:        natsDuplicates,
		Replicas:          replicas,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", natsStream, err)
	}
	members, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      natsMembersBucket,
		Description: "duplex chat rooms: who is in each room, and on which node",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", natsMembersBucket, err)
	}
	nodes, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      natsNodesBucket,
		Description: "duplex chat nodes: heartbeats",
		History:     1,
		TTL:         natsNodesTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", natsNodesBucket, err)
	}
	b.js, b.stream, b.members, b.nodes = js, stream, members, nodes
	if b.sub == nil {
		sub, err := b.nc.Subscribe(natsNodeSubject+b.node, b.answer)
		if err != nil {
			return err
		}
		b.sub = sub
	}
	if _, err := nodes.Put(ctx, b.node, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	b.stopWatches()
	watches := []*kvWatch{{kv: nodes, apply: b.nodeEntry}, {kv: members, apply: b.memberEntry}}
	b.mu.Lock()
	b.watches = watches
	b.mu.Unlock()
	for _, kw := range watches {
		if err := b.watch(ctx, kw, true); err != nil {
			return err
		}
	}
	return nil
}

// kvWatch is a watch of every key of a bucket, which applies each entry
// once, in the bucket's order, and can start again where it stopped.
type kvWatch struct {
	kv    jetstream.KeyValue
	apply func(jetstream.KeyValueEntry)

	mu   sync.Mutex // held while an entry is applied
	w    jetstream.KeyWatcher
	last uint64 // revision of the last entry applied
}

// watch (re)starts kw from the entry after the last one applied, or from
// the bucket's current entries the first time; with wait, it returns once
// those are applied. A NATS server that restarted forgets the consumers of
// watches: after a reconnection they start again so, at once, rather than
// when their missing heartbeats are noticed.
func (b *natsBroker) watch(ctx context.Context, kw *kvWatch, wait bool) error {
	kw.mu.Lock()
	from := kw.last
	kw.mu.Unlock()
	var opts []jetstream.WatchOpt
	if from > 0 {
		opts = append(opts, jetstream.IncludeHistory(), jetstream.ResumeFromRevision(from+1))
	}
	w, err := kw.kv.WatchAll(b.ctx, opts...)
	if err != nil {
		return fmt.Errorf("watching %s: %w", kw.kv.Bucket(), err)
	}
	kw.mu.Lock()
	old := kw.w
	kw.w = w
	kw.mu.Unlock()
	if old != nil {
		old.Stop()
	}
	initial := make(chan struct{})
	b.wg.Go(func() {
		var once sync.Once
		for e := range w.Updates() {
			if e == nil {
				once.Do(func() { close(initial) })
				continue
			}
			kw.mu.Lock()
			if e.Revision() > kw.last {
				kw.last = e.Revision()
				kw.apply(e)
			}
			kw.mu.Unlock()
		}
	})
	if !wait {
		return nil
	}
	select {
	case <-initial:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("watching %s: %w", kw.kv.Bucket(), ctx.Err())
	}
}

// stopWatches stops the watches.
func (b *natsBroker) stopWatches() {
	b.mu.Lock()
	watches := b.watches
	b.mu.Unlock()
	for _, kw := range watches {
		kw.mu.Lock()
		w := kw.w
		kw.mu.Unlock()
		if w != nil {
			w.Stop()
		}
	}
}

// nodeEntry records a node's heartbeat, or its going.
func (b *natsBroker) nodeEntry(e jetstream.KeyValueEntry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.Operation() == jetstream.KeyValuePut {
		b.seen[e.Key()] = time.Now()
		delete(b.silent, e.Key())
	} else {
		delete(b.seen, e.Key())
	}
}

// memberEntry applies a change of the members bucket to the replica, and
// tells the room's subscribers.
func (b *natsBroker) memberEntry(e jetstream.KeyValueEntry) {
	room, name, ok := parseMemberKey(e.Key())
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	rm := b.roomLocked(room)
	old, had := rm.entries[name]
	leave := func() {
		delete(rm.entries, name)
		if i := slices.Index(rm.names, name); i >= 0 {
			rm.names = slices.Delete(rm.names, i, i+1)
		}
		rm.emit(roomEvent{kind: eventLeave, name: name, token: old.Token})
	}
	if e.Operation() != jetstream.KeyValuePut {
		if had {
			leave()
		}
		b.forgetLocked(room, rm)
		return
	}
	var v natsMember
	if json.Unmarshal(e.Value(), &v) != nil {
		return
	}
	v.rev = e.Revision()
	if had {
		if old.Token == v.Token {
			rm.entries[name] = v
			return
		}
		leave()
	}
	rm.names = append(rm.names, name)
	rm.entries[name] = v
	rm.emit(roomEvent{kind: eventJoin, name: name, token: v.Token})
}

// emit calls the room's subscribers.
func (rm *natsRoom) emit(ev roomEvent) {
	for _, s := range rm.subs {
		s.fn(ev)
	}
}

// roomLocked returns the replica of room, creating it.
func (b *natsBroker) roomLocked(room string) *natsRoom {
	rm := b.rooms[room]
	if rm == nil {
		rm = &natsRoom{entries: map[string]natsMember{}}
		b.rooms[room] = rm
	}
	return rm
}

// forgetLocked drops the replica of a room without members or subscribers.
func (b *natsBroker) forgetLocked(room string, rm *natsRoom) {
	if len(rm.names) == 0 && len(rm.subs) == 0 {
		delete(b.rooms, room)
	}
}

// answer answers a node asking whether a claim (its token in the data)
// is this process's: "1" or "0". Empty data asks whether this process
// lives.
func (b *natsBroker) answer(m *nats.Msg) {
	yes := len(m.Data) == 0
	if !yes {
		b.claimsMu.Lock()
		_, yes = b.claims[string(m.Data)]
		b.claimsMu.Unlock()
	}
	reply := "0"
	if yes {
		reply = "1"
	}
	m.Respond([]byte(reply))
}

// heartbeat tells the other nodes that this one lives.
func (b *natsBroker) heartbeat() {
	if !b.nc.IsConnected() {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, natsHeartbeat)
	defer cancel()
	b.nodes.Put(ctx, b.node, []byte(time.Now().UTC().Format(time.RFC3339)))
}

// sweep purges the members of the nodes that died.
func (b *natsBroker) sweep() {
	if !b.nc.IsConnected() {
		return
	}
	type claim struct {
		key string
		rev uint64
	}
	now := time.Now()
	b.mu.Lock()
	up := now.Sub(b.connectedSince)
	byNode := map[string][]claim{}
	for room, rm := range b.rooms {
		for name, m := range rm.entries {
			if m.Node != b.node {
				byNode[m.Node] = append(byNode[m.Node], claim{memberKey(room, name), m.rev})
			}
		}
	}
	age := map[string]time.Duration{}
	for n := range byNode {
		seen, ok := b.seen[n]
		if !ok {
			seen = b.connectedSince
		}
		age[n] = now.Sub(seen)
	}
	b.mu.Unlock()
	for n, claims := range byNode {
		dead := age[n] > natsDeadAfter && up > natsDeadAfter
		if !dead && up > 2*natsHeartbeat {
			_, err := b.nc.Request(natsNodeSubject+n, nil, natsAskTimeout)
			b.mu.Lock()
			if errors.Is(err, nats.ErrNoResponders) {
				b.silent[n]++
			} else {
				b.silent[n] = 0
			}
			dead = b.silent[n] >= 2
			b.mu.Unlock()
		}
		if !dead {
			continue
		}
		b.log.Info("chat broker: purging the members of a node gone", "node", n, "members", len(claims))
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		for _, c := range claims {
			b.members.Delete(ctx, c.key, jetstream.LastRevision(c.rev))
		}
		cancel()
	}
}

// Subscribe implements broker.
func (b *natsBroker) Subscribe(ctx context.Context, room string, fn func(roomEvent)) (func(), error) {
	if err := b.Health(); err != nil {
		return nil, err
	}
	s := &natsSub{fn: fn}
	b.mu.Lock()
	rm := b.roomLocked(room)
	rm.subs = append(rm.subs, s)
	for _, n := range rm.names {
		fn(roomEvent{kind: eventJoin, name: n, token: rm.entries[n].Token})
	}
	b.mu.Unlock()
	unsubscribe := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		rm.subs = slices.DeleteFunc(rm.subs, func(x *natsSub) bool { return x == s })
		b.forgetLocked(room, rm)
	}
	fail := func(err error) (func(), error) {
		unsubscribe()
		return nil, fmt.Errorf("%w: %v", errBrokerDown, err)
	}
	subj := roomSubject(room)
	var last uint64
	switch m, err := b.stream.GetLastMsgForSubject(ctx, subj); {
	case err == nil:
		last = m.Sequence
	case !errors.Is(err, jetstream.ErrMsgNotFound):
		return fail(err)
	}
	cons, err := b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subj},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fail(err)
	}
	caughtUp := make(chan struct{})
	var once sync.Once
	if last == 0 {
		once.Do(func() { close(caughtUp) })
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		m, ok := decodeNatsMessage(msg)
		if !ok {
			return
		}
		fn(roomEvent{kind: eventMessage, msg: m})
		if m.ID >= last {
			once.Do(func() { close(caughtUp) })
		}
	}, jetstream.PullExpiry(natsPullExpiry), jetstream.PullHeartbeat(natsPullHeartbeat),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if !b.closed.Load() {
				b.log.Debug("chat broker: room consumer", "room", room, "err", err)
			}
		}))
	if err != nil {
		return fail(err)
	}
	select {
	case <-caughtUp:
	case <-ctx.Done():
		cc.Stop()
		return fail(ctx.Err())
	}
	return func() {
		cc.Stop()
		unsubscribe()
	}, nil
}

// decodeNatsMessage decodes a message of the stream; its id is its
// sequence in the stream.
func decodeNatsMessage(msg jetstream.Msg) (chatproto.MessageEvent, bool) {
	md, err := msg.Metadata()
	if err != nil {
		return chatproto.MessageEvent{}, false
	}
	var m chatproto.MessageEvent
	if json.Unmarshal(msg.Data(), &m) != nil {
		return m, false
	}
	m.Type, m.ID = chatproto.TypeMessage, md.Sequence.Stream
	return m, true
}

// Claim implements broker. A name held by a member of a node that died
// (it does not answer, or says the claim is not its) is taken over at
// once: a client reconnecting to another node gets its name back.
func (b *natsBroker) Claim(ctx context.Context, room, nick, token string) (string, error) {
	if err := b.Health(); err != nil {
		return "", err
	}
	val, _ := json.Marshal(natsMember{Node: b.node, Token: token})
	for i := 1; i <= 1000; i++ {
		name := memberName(nick, i)
		if nick == "" {
			b.mu.Lock()
			b.guests++
			name = guestName(b.guests)
			b.mu.Unlock()
		}
		key := memberKey(room, name)
		rev, err := b.members.Create(ctx, key, val)
		if errors.Is(err, jetstream.ErrKeyExists) {
			rev, err = b.takeOver(ctx, key, val)
			if rev == 0 && err == nil {
				continue
			}
		}
		if err != nil {
			// The claim may have been stored with its answer lost: give
			// it back, if it is there, once NATS answers again.
			b.claimsMu.Lock()
			b.claims[token] = natsClaim{key: key}
			b.claimsMu.Unlock()
			b.Release(room, name, token)
			return "", fmt.Errorf("%w: %v", errBrokerDown, err)
		}
		b.claimsMu.Lock()
		b.claims[token] = natsClaim{key: key, rev: rev}
		b.claimsMu.Unlock()
		return name, nil
	}
	return "", errors.New("no free name")
}

// takeOver takes key if its holder is gone, returning the new revision,
// or 0 if the key is someone's.
func (b *natsBroker) takeOver(ctx context.Context, key string, val []byte) (uint64, error) {
	e, err := b.members.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil // gone meanwhile: the next attempt may take a suffix, never mind
	}
	if err != nil {
		return 0, err
	}
	var v natsMember
	if json.Unmarshal(e.Value(), &v) != nil {
		return 0, nil
	}
	held := false
	if v.Node == b.node {
		b.claimsMu.Lock()
		_, held = b.claims[v.Token]
		b.claimsMu.Unlock()
	} else {
		// A node that does not answer at all may have died an instant
		// ago (NATS has not dropped its subscription yet) or be hung: ask
		// again a few times before taking the name for held.
		for range 3 {
			ask, cancel := context.WithTimeout(ctx, natsAskTimeout)
			reply, err := b.nc.RequestWithContext(ask, natsNodeSubject+v.Node, []byte(v.Token))
			cancel()
			held = err == nil && string(reply.Data) == "1" || err != nil && !errors.Is(err, nats.ErrNoResponders)
			if err == nil || errors.Is(err, nats.ErrNoResponders) || ctx.Err() != nil {
				break
			}
		}
	}
	if held {
		return 0, nil
	}
	rev, err := b.members.Update(ctx, key, val, e.Revision())
	if err != nil {
		return 0, nil // someone else was quicker
	}
	return rev, nil
}

// Release implements broker: the releaser deletes the claim, and retries
// while NATS is unreachable.
func (b *natsBroker) Release(room, name, token string) {
	b.claimsMu.Lock()
	b.releases = append(b.releases, token)
	b.claimsMu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// releaser deletes the released claims until the broker is closed.
func (b *natsBroker) releaser() {
	retry := time.NewTicker(natsHeartbeat)
	defer retry.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.wake:
		case <-retry.C:
		}
		b.releaseAll(b.ctx)
	}
}

// releaseAll deletes the released claims, keeping those that failed for
// want of NATS.
func (b *natsBroker) releaseAll(ctx context.Context) {
	b.claimsMu.Lock()
	tokens := b.releases
	b.releases = nil
	b.claimsMu.Unlock()
	var again []string
	for _, t := range tokens {
		b.claimsMu.Lock()
		c, ok := b.claims[t]
		b.claimsMu.Unlock()
		if !ok {
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := b.releaseClaim(dctx, t, c)
		cancel()
		var apiErr *jetstream.APIError
		if err != nil && !errors.As(err, &apiErr) {
			again = append(again, t) // NATS unreachable: later
			continue
		}
		b.claimsMu.Lock()
		delete(b.claims, t)
		b.claimsMu.Unlock()
	}
	if len(again) > 0 {
		b.claimsMu.Lock()
		b.releases = append(b.releases, again...)
		b.claimsMu.Unlock()
	}
}

// releaseClaim deletes claim c of token. A claim whose revision is not
// known (its answer was lost) is deleted if it is there and token's.
func (b *natsBroker) releaseClaim(ctx context.Context, token string, c natsClaim) error {
	if c.rev == 0 {
		e, err := b.members.Get(ctx, c.key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var v natsMember
		if json.Unmarshal(e.Value(), &v) != nil || v.Token != token {
			return nil
		}
		c.rev = e.Revision()
	}
	return b.members.Delete(ctx, c.key, jetstream.LastRevision(c.rev))
}

// Publish implements broker. A message with a cid carries a JetStream
// message id made of the room, the sender and the cid, so that a retry
// within natsDuplicates is not stored twice, whichever node it reaches.
func (b *natsBroker) Publish(ctx context.Context, room string, m chatproto.MessageEvent) (chatproto.MessageEvent, bool, error) {
	if err := b.Health(); err != nil {
		b.publishErrors.Add(1)
		return m, false, err
	}
	m.Type, m.ID, m.Time = chatproto.TypeMessage, 0, formatTime(time.Now())
	data, err := json.Marshal(m)
	if err != nil {
		return m, false, err
	}
	msg := nats.NewMsg(roomSubject(room))
	msg.Data = data
	if m.CID != "" {
		sum := sha256.Sum256([]byte(room + "\x00" + m.From + "\x00" + m.CID))
		msg.Header.Set(jetstream.MsgIDHeader, hex.EncodeToString(sum[:16]))
	}
	ack, err := b.js.PublishMsg(ctx, msg)
	if err != nil {
		b.publishErrors.Add(1)
		return m, false, fmt.Errorf("%w: %v", errBrokerDown, err)
	}
	if !ack.Duplicate {
		m.ID = ack.Sequence
		return m, false, nil
	}
	orig, err := b.stream.GetMsg(ctx, ack.Sequence)
	if err != nil {
		b.publishErrors.Add(1)
		return m, false, fmt.Errorf("%w: %v", errBrokerDown, err)
	}
	var o chatproto.MessageEvent
	if err := json.Unmarshal(orig.Data, &o); err != nil {
		return m, false, err
	}
	o.Type, o.ID = chatproto.TypeMessage, orig.Sequence
	return o, true, nil
}

// History implements broker: it reads the room's subject from the stream.
func (b *natsBroker) History(ctx context.Context, room string, n int) ([]chatproto.MessageEvent, error) {
	if err := b.Health(); err != nil {
		return nil, err
	}
	out := []chatproto.MessageEvent{}
	subj := roomSubject(room)
	last, err := b.stream.GetLastMsgForSubject(ctx, subj)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	cons, err := b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return nil, err
	}
	for {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			return nil, err
		}
		m, ok := decodeNatsMessage(msg)
		if ok {
			out = append(out, m)
		}
		if ok && m.ID >= last.Sequence {
			return out[max(0, len(out)-n):], nil
		}
	}
}

// Members implements broker.
func (b *natsBroker) Members(_ context.Context, room string) ([]string, error) {
	if err := b.Health(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if rm := b.rooms[room]; rm != nil {
		return slices.Clone(rm.names), nil
	}
	return []string{}, nil
}

// Health implements broker.
func (b *natsBroker) Health() error {
	switch {
	case b.closed.Load():
		return fmt.Errorf("%w: closed", errBrokerDown)
	case b.nc == nil || !b.ready.Load():
		return fmt.Errorf("%w: %s", errBrokerDown, *b.setupErr.Load())
	case !b.nc.IsConnected():
		return fmt.Errorf("%w: NATS at %s unreachable, reconnecting", errBrokerDown, b.opts.url)
	}
	return nil
}

// Stats implements broker.
func (b *natsBroker) Stats() brokerStats {
	return brokerStats{connected: b.Health() == nil, publishErrors: b.publishErrors.Load(), reconnects: b.reconnects.Load()}
}

// Close implements broker: the names still held are given back, the
// heartbeat deleted, the connection closed.
func (b *natsBroker) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	if b.ready.Load() && b.nc.IsConnected() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.claimsMu.Lock()
		for t := range b.claims {
			b.releases = append(b.releases, t)
		}
		b.claimsMu.Unlock()
		b.releaseAll(ctx)
		b.nodes.Delete(ctx, b.node)
		cancel()
	}
	b.shut()
	return nil
}

// abandon stops the broker as a process that dies would: nothing is given
// back. For tests.
func (b *natsBroker) abandon() {
	b.closed.Store(true)
	b.shut()
}

// shut stops the loops and closes the connection.
func (b *natsBroker) shut() {
	b.cancel()
	b.stopWatches()
	if b.nc != nil {
		b.nc.Close()
	}
	b.wg.Wait()
}

// roomSubject returns the subject of a room's messages.
func roomSubject(room string) string {
	return natsSubjectPrefix + natsToken(room) + ".m"
}

// memberKey returns the key of a member in the members bucket.
func memberKey(room, name string) string {
	return natsToken(room) + "." + natsToken(name)
}

// parseMemberKey returns the room and name of a members bucket key.
func parseMemberKey(key string) (room, name string, ok bool) {
	r, n, ok := strings.Cut(key, ".")
	if !ok {
		return "", "", false
	}
	rb, err1 := base64.RawURLEncoding.DecodeString(r)
	nb, err2 := base64.RawURLEncoding.DecodeString(n)
	return string(rb), string(nb), err1 == nil && err2 == nil
}

// natsToken encodes s for a subject token or a key: unpadded base64url,
// whose characters NATS allows in both.
func natsToken(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}
