package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// Bounds of the burst form: enough to fill the browser's send buffer, not
// enough to exhaust the tab's memory.
const (
	maxBurstCount = 100000
	maxBurstSize  = 16 << 20 // the server's default message limit
	maxBurstTotal = 256 << 20
)

// Console is the live WebSocket console served at "/": connect to any
// WebSocket URL, watch readyState, bufferedAmount, the negotiated protocol
// and extensions, counters and round-trip times, send text, hex, files and
// bursts, close with a code and reason, and follow every event in a log.
//
// With auto-reconnect on, Connect starts a wsclient.Client instead of a
// plain WebSocket: the page then also shows the client's phase, attempt,
// next try and send queue, logs each reconnect, and the live values follow
// whichever connection is current. Sends are queued while disconnected.
type Console struct {
	app.Compo

	// Dial opens connections; nil means wsclient.New (live.Dialer.Conn).
	Dial func(url string, opts *wsclient.Options) (live.Socket, error)
	// DialClient starts reconnecting clients (auto-reconnect); nil means
	// wsclient.NewClient (live.Dialer.Client).
	DialClient func(url string, opts *wsclient.ClientOptions) (live.ClientSocket, error)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Sleep pauses a burst to let the browser breathe; nil means time.Sleep.
	Sleep func(time.Duration)

	// probe finds out why a connection failed while CONNECTING; nil means
	// the browser's (failure.go), none natively.
	probe prober

	mctx app.Context // the component's context, from OnMount

	// The connection.
	url, protocols string
	autoReconnect  bool // the checkbox: the next Connect starts a client
	noFallback     bool // the HTTP fallback checkbox, unticked: WebSocket only
	sess           *consoleSession
	stopWatch      func() // stops watching the session's feed
	connectErr     string
	snap           live.Snapshot // the feed's live values and counters
	rtt            rttStats
	hasConn        bool
	clientMode     bool // the current session is a reconnecting client

	// The composer.
	text           string
	hex, hexErr    string
	fileName       string
	fileData       []byte
	fileErr        string
	burstN         string
	burstSize      string
	burstType      string
	burstErr       string
	sendErr        string
	close          closeForm
	closeCodeErr   string
	closeReasonErr string

	// What screen readers are told (announce.go), and the readyState or
	// client phase told last.
	news         consoleNews
	newsThrottle throttle
	toldState    string

	// Keyboard and memory (console_keys.go).
	sent                        sentHistory
	recentURLs, recentProtocols []string

	// The event log, oldest first, within maxLogEntries and maxLogBytes
	// (see appendLog), its count, and the rest of its state
	// (console_log.go).
	log      []logEntry
	logTotal int64
	lg       logState

	flushes int // snapshots applied, for tests
}

// OnPreRender prepares the page the server sends (and the one native tests
// drive): the same fields as in the browser, without a connection.
func (c *Console) OnPreRender(ctx app.Context) { c.setup(ctx) }

// OnMount sets the default URL from the page's origin and, when the page
// comes back to a session that outlived its last visit (see Routes), shows
// it again: the log, counters and fields are the component's own, and the
// feed hands over what happened meanwhile.
func (c *Console) OnMount(ctx app.Context) {
	c.setup(ctx)
	c.loadRecent(ctx)
	if c.sess != nil && c.stopWatch == nil {
		c.watch(c.sess)
	}
	c.connectFromLink(ctx)
}

// setup keeps the component's context, for watching sessions, and fills
// the fields' defaults.
func (c *Console) setup(ctx app.Context) {
	c.mctx = ctx
	if c.url == "" {
		c.url = defaultEchoURL(ctx.Page().URL())
	}
	c.setDefaults()
}

// OnDismount stops watching the session; the connection stays open, since
// leaving the page for another of the app's is not closing it (closing the
// tab is).
func (c *Console) OnDismount() {
	if c.stopWatch != nil {
		c.stopWatch()
		c.stopWatch = nil
	}
}

// watch shows sess's feed on the page, the first snapshot at once.
func (c *Console) watch(sess *consoleSession) {
	c.stopWatch = live.Watch(c.mctx, sess.feed, func(ctx app.Context, s live.Snapshot) { c.apply(ctx, sess, s) })
}

func (c *Console) setDefaults() {
	if c.burstN == "" {
		c.burstN = "200"
	}
	if c.burstSize == "" {
		c.burstSize = "65536"
	}
	if c.burstType == "" {
		c.burstType = "binary"
	}
	if c.close.Code == "" {
		c.close.Code = "1000"
	}
}

func (c *Console) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// connected reports whether a connection is CONNECTING or OPEN, or, in
// client mode, whether the client runs (it may be between connections).
func (c *Console) connected() bool {
	if c.clientMode {
		return c.hasConn && c.snap.Client.Phase != wsclient.PhaseClosed
	}
	return c.hasConn && c.snap.ReadyState < wsclient.Closing
}

// canSend reports whether the composer sends: on an OPEN connection, or, in
// client mode, whenever the client runs (it queues while disconnected).
func (c *Console) canSend() bool {
	if c.clientMode {
		return c.connected()
	}
	return c.hasConn && c.snap.ReadyState == wsclient.Open
}

// Connect opens a connection to the URL field, offering the subprotocols of
// the protocols field. Invalid input is shown next to the fields.
func (c *Console) Connect(ctx app.Context) {
	if c.connected() {
		return
	}
	c.connectErr = ""
	target := strings.TrimSpace(c.url)
	if target == "" {
		c.connectErr = "enter a WebSocket URL, e.g. " + defaultEchoURL(ctx.Page().URL())
		return
	}
	if port, blocked := blockedPort(target); blocked {
		c.connectErr = blockedPortText(port)
		return
	}
	sess := newConsoleSession(c.now)
	sess.target, sess.protocols, sess.probe = target, parseProtocols(c.protocols), c.probe
	sess.fallback = !c.noFallback
	if sess.probe == nil {
		sess.probe = defaultProbe
	}
	// The session's callbacks log every event: the feed keeps none.
	d := live.Dialer{Conn: c.Dial, Client: c.DialClient, MaxEvents: -1}
	protocols := sess.protocols
	var (
		feed *live.Feed
		err  error
		note string
	)
	if c.autoReconnect {
		feed, err = d.DialClient(target, sess.clientOptions(protocols))
		note = "connecting to " + target + " with auto-reconnect"
	} else if feed, err = d.Dial(target, sess.options(protocols)); err == nil {
		note = "connecting to " + feed.Conn().URL()
	}
	if err != nil {
		c.connectErr = err.Error()
		return
	}
	sess.feed = feed
	if c.stopWatch != nil {
		c.stopWatch()
	}
	remember(ctx, recentURLsKey, &c.recentURLs, target)
	remember(ctx, recentProtocolsKey, &c.recentProtocols, c.protocols)
	c.sess, c.hasConn, c.clientMode = sess, true, c.autoReconnect
	c.sendErr, c.closeCodeErr, c.closeReasonErr = "", "", ""
	c.appendLog([]logEntry{{Time: c.now(), Dir: dirEvent, Kind: kindInfo, Preview: note}}, 0)
	// The first snapshot, at once, shows CONNECTING.
	c.watch(sess)
}

// apply shows a snapshot of the session's feed, and the log entries and
// round trips of the session since the previous one.
func (c *Console) apply(ctx app.Context, sess *consoleSession, s live.Snapshot) {
	c.flushes++
	c.snap = s
	f := sess.take()
	c.rtt = f.rtt
	state := "readyState " + s.ReadyState.String()
	if c.clientMode && s.Client.Phase != wsclient.PhaseOpen {
		state = "auto-reconnect: " + s.Client.Phase.String()
	}
	if state == c.toldState {
		state = ""
	} else {
		c.toldState = state
	}
	if state != "" || len(f.entries) > 0 {
		c.announce(ctx, state, len(f.entries))
	}
	if len(f.entries) > 0 || f.dropped > 0 {
		c.appendLog(f.entries, f.dropped)
		if !c.lg.unfollow && !c.lg.paused {
			c.followLog(ctx)
		}
	}
}

// Disconnect closes the connection normally (1000); in client mode it ends
// the client, so no reconnect follows.
func (c *Console) Disconnect(ctx app.Context) {
	if !c.connected() {
		return
	}
	if err := c.sess.closeWith(wsclient.StatusNormalClosure, ""); err != nil {
		c.sendErr = err.Error()
	}
}

// CloseWith closes the connection with the code and reason of the close
// form, after checking them with the browser's rules; a problem is shown
// next to its field and nothing is sent.
func (c *Console) CloseWith(ctx app.Context) {
	code, codeErr, reasonErr := c.close.validate()
	c.closeCodeErr, c.closeReasonErr = codeErr, reasonErr
	if codeErr != "" || reasonErr != "" {
		return
	}
	if !c.hasConn {
		c.closeCodeErr = "not connected"
		return
	}
	if err := c.sess.closeWith(code, c.close.Reason); err != nil {
		// wsclient applies the same rules; show anything it still rejects.
		if errors.Is(err, wsclient.ErrSyntax) {
			c.closeReasonErr = err.Error()
		} else {
			c.closeCodeErr = err.Error()
		}
	}
}

// send hands a message to the connection, or to the client's queue,
// recording it or the error.
func (c *Console) send(typ wsclient.MessageType, p []byte) bool {
	c.sendErr = ""
	if !c.hasConn {
		c.sendErr = "not connected: connect first"
		return false
	}
	if err := c.sess.send(typ, p); err != nil {
		c.sendErr = err.Error()
		c.sess.note(kindError, "send failed: "+err.Error())
		return false
	}
	c.sess.feed.Sample()
	return true
}

// SendText sends the text field as a text message.
func (c *Console) SendText(ctx app.Context) {
	if c.send(wsclient.Text, []byte(c.text)) {
		c.sent.add(c.text)
	}
}

// SendHex sends the bytes of the hex field as a binary message.
func (c *Console) SendHex(ctx app.Context) {
	p, err := parseHex(c.hex)
	if err != nil {
		c.hexErr = err.Error()
		return
	}
	c.hexErr = ""
	c.send(wsclient.Binary, p)
}

// SendFile sends the chosen file as one binary message.
func (c *Console) SendFile(ctx app.Context) {
	if c.fileName == "" {
		c.fileErr = "choose a file first"
		return
	}
	c.fileErr = ""
	c.send(wsclient.Binary, c.fileData)
}

// parseBurst checks the burst form.
func (c *Console) parseBurst() (n, size int, typ wsclient.MessageType, err error) {
	n, err = strconv.Atoi(strings.TrimSpace(c.burstN))
	if err != nil || n < 1 || n > maxBurstCount {
		return 0, 0, 0, fmt.Errorf("count must be a number from 1 to %d", maxBurstCount)
	}
	size, err = strconv.Atoi(strings.TrimSpace(c.burstSize))
	if err != nil || size < 0 || size > maxBurstSize {
		return 0, 0, 0, fmt.Errorf("size must be a number of bytes from 0 to %d", maxBurstSize)
	}
	if int64(n)*int64(size) > maxBurstTotal {
		return 0, 0, 0, fmt.Errorf("%d × %d bytes is over the %s a burst may send", n, size, formatBytes(maxBurstTotal))
	}
	typ = wsclient.Binary
	if c.burstType == "text" {
		typ = wsclient.Text
	}
	return n, size, typ, nil
}

// SendBurst sends N messages of S bytes at once, on a goroutine, so that
// bufferedAmount rises and drains.
func (c *Console) SendBurst(ctx app.Context) {
	n, size, typ, err := c.parseBurst()
	if err != nil {
		c.burstErr = err.Error()
		return
	}
	c.burstErr, c.sendErr = "", ""
	if !c.canSend() {
		c.sendErr = "the connection is not OPEN"
		return
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	sess := c.sess
	go sess.burst(n, size, typ, sleep)
}

// chooseFile reads the file picked in the file input.
func (c *Console) chooseFile(ctx app.Context, e app.Event) {
	files := ctx.JSSrc().Get("files")
	if !files.Truthy() || files.Length() == 0 {
		c.fileName, c.fileData = "", nil
		return
	}
	f := files.Index(0)
	name, size := f.Get("name").String(), f.Get("size").Int()
	if size > maxBurstSize {
		c.fileErr = fmt.Sprintf("%s is %s; at most %s can be sent", name, formatBytes(int64(size)), formatBytes(maxBurstSize))
		c.fileName, c.fileData = "", nil
		return
	}
	c.fileErr = "reading " + name + "…"
	f.Call("arrayBuffer").Then(func(buf app.Value) {
		data := make([]byte, size)
		app.CopyBytesToGo(data, app.Window().Get("Uint8Array").New(buf))
		ctx.Dispatch(func(app.Context) {
			c.fileName, c.fileData, c.fileErr = name, data, ""
		})
	})
}
