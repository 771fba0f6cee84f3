package ui

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// Render draws the console: connection, indicators, composer, close form
// and event log.
func (c *Console) Render() app.UI {
	return shell(ConsolePath,
		app.H1().Class("view-title").Text("WebSocket console"),
		// Screen readers hear readyState changes and new log entries from
		// here, politely and at most once a second (announce.go).
		app.P().ID("console-announce").Class("sr-only").Aria("live", "polite").Aria("atomic", "true").Text(c.news.text),
		app.Div().Class("grid").Body(
			c.renderConnection(),
			c.renderIndicators(),
		),
		app.Div().Class("grid").Body(
			c.renderComposer(),
			c.renderClose(),
		),
		c.renderLog(),
	)
}

func (c *Console) renderConnection() app.UI {
	return app.Section().Class("card").Body(
		app.H2().Text("Connection"),
		app.Div().Class("field").Body(
			app.Label().For("url").Text("URL"),
			lockedIf(app.Input().ID("url").Type("text").Value(c.url).
				Placeholder("ws://host/echo").Spellcheck(false).AutoComplete(false).List("recent-urls").
				OnInput(c.ValueTo(&c.url)).OnKeyDown(onEnter(c.Connect)), c.connected()),
			datalist("recent-urls", c.recentURLs),
		),
		app.Div().Class("field").Body(
			app.Label().For("protocols").Text("Subprotocols (optional, comma separated)"),
			lockedIf(app.Input().ID("protocols").Type("text").Value(c.protocols).
				Placeholder("echo").Spellcheck(false).AutoComplete(false).List("recent-protocols").
				OnInput(c.ValueTo(&c.protocols)).OnKeyDown(onEnter(c.Connect)), c.connected()),
			datalist("recent-protocols", c.recentProtocols),
		),
		app.Div().Class("row").Body(
			button("connect", "Connect", true, !c.connected(), c.Connect),
			button("disconnect", "Disconnect", false, c.connected(), c.Disconnect),
			c.renderAutoReconnect(),
			c.renderFallback(),
		),
		inlineError("connect-error", c.connectErr),
		app.P().Class("hint").Body(
			app.Text("Any ws:// or wss:// URL works. This server's "),
			app.Code().Text("/echo"),
			app.Text(" sends every message back; offer the subprotocol "),
			app.Code().Text("echo"),
			app.Text(" to see one negotiated. Round trips are measured on the echoes."),
		),
	)
}

// renderAutoReconnect renders the auto-reconnect checkbox, locked while
// connected.
func (c *Console) renderAutoReconnect() app.UI {
	return c.connectOption("auto-reconnect", " Auto-reconnect",
		"Connect with wsclient.Client: reconnects with backoff and jitter, queues sends while disconnected",
		c.autoReconnect, func(on bool) { c.autoReconnect = on })
}

// renderFallback renders the HTTP fallback checkbox (ticked by default),
// locked while connected.
func (c *Console) renderFallback() app.UI {
	return c.connectOption("fallback", " HTTP fallback",
		"When a proxy stops the WebSocket, carry the connection over HTTP requests (duplex servers only)",
		!c.noFallback, func(on bool) { c.noFallback = !on })
}

// connectOption renders a checkbox of the connection card, locked while
// connected. Checked is set only when true (see button for why).
func (c *Console) connectOption(id, label, title string, checked bool, set func(bool)) app.UI {
	in := app.Input().ID(id).Type("checkbox").
		OnChange(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("checked").Bool()) })
	if checked {
		in = in.Checked(true)
	}
	return app.Label().Class("check").For(id).Title(title).Body(
		lockedIf(in, c.connected()),
		app.Text(label),
	)
}

// renderClient renders the reconnecting client's indicator: phase, attempt,
// next try and send queue ("off" without auto-reconnect).
func (c *Console) renderClient() app.UI {
	phase, attempt, next := "off", "—", "—"
	cl, attemptN := c.snap.Client, 0
	if c.clientMode {
		phase = cl.Phase.String()
		if cl.Phase == wsclient.PhaseReconnecting {
			attemptN = cl.Attempt
			attempt = strconv.Itoa(cl.Attempt)
			next = "in " + formatWait(c.snap.NextIn)
			if c.snap.NextIn == 0 {
				next = "now"
			}
		}
	}
	class := "none"
	switch {
	case !c.clientMode:
	case cl.Phase == wsclient.PhaseClosed:
		class = "closed"
	default:
		class = phase
	}
	return indicator("auto-reconnect", app.Span().Body(
		app.Span().ID("client-phase").Class("state", "state-"+class).DataSet("phase", phase).Text(phase),
		app.Span().Class("sub").Body(
			app.Text(" attempt "),
			app.Span().ID("client-attempt").DataSet("value", attemptN).Text(attempt),
			app.Text(" · next try "),
			app.Span().ID("client-next").Text(next),
			app.Text(" · queued "),
			app.Span().ID("client-queued").DataSet("value", c.snap.Stats.Queued).
				Title("wsclient.ClientStats.Queued: messages accepted by Send and not yet settled").
				Text(strconv.Itoa(c.snap.Stats.Queued)),
		),
	))
}

func (c *Console) renderIndicators() app.UI {
	state := "—"
	if c.hasConn {
		state = c.snap.ReadyState.String()
	}
	rtt, rttSub := "—", ""
	if c.rtt.Count > 0 {
		rtt = formatDuration(c.rtt.Last)
		rttSub = fmt.Sprintf(" · avg %s over %d", formatDuration(c.rtt.Avg()), c.rtt.Count)
	}
	return app.Section().Class("card").Body(
		app.H2().Text("Live"),
		app.Dl().Class("indicators").Body(
			indicator("readyState", app.Span().ID("state").Class("state", "state-"+stateClass(c.hasConn, c.snap.ReadyState)).
				DataSet("state", state).Text(state)),
			indicator("bufferedAmount", app.Span().Body(
				app.Span().ID("buffered").DataSet("value", c.snap.BufferedAmount).Text(strconv.Itoa(c.snap.BufferedAmount)),
				app.Span().Class("unit").Text(" bytes"),
				app.Span().Class("sub").Body(
					app.Text(" · peak "),
					app.Span().ID("buffered-peak").DataSet("value", c.snap.BufferedPeak).Text(formatBytes(int64(c.snap.BufferedPeak))),
				),
			)),
			indicator("transport", app.Span().ID("transport").DataSet("transport", c.snap.Transport.String()).
				Text(transportText(c.hasConn, c.snap))),
			indicator("protocol", app.Span().ID("protocol").Text(orDash(c.snap.Protocol))),
			indicator("extensions", app.Span().ID("extensions").Text(orDash(c.snap.Extensions))),
			indicator("messages in / out", app.Span().Body(
				app.Span().ID("msgs-in").DataSet("value", c.snap.MessagesIn).Text(formatCount(c.snap.MessagesIn)),
				app.Text(" / "),
				app.Span().ID("msgs-out").DataSet("value", c.snap.MessagesOut).Text(formatCount(c.snap.MessagesOut)),
			)),
			indicator("bytes in / out", app.Span().Body(
				app.Span().ID("bytes-in").DataSet("value", c.snap.BytesIn).Title("%d bytes", c.snap.BytesIn).Text(formatBytes(c.snap.BytesIn)),
				app.Text(" / "),
				app.Span().ID("bytes-out").DataSet("value", c.snap.BytesOut).Title("%d bytes", c.snap.BytesOut).Text(formatBytes(c.snap.BytesOut)),
			)),
			indicator("round trip (echo)", app.Span().Body(
				app.Span().ID("rtt").DataSet("count", c.rtt.Count).Text(rtt),
				app.Span().Class("sub").Text(rttSub),
			)),
			c.renderClient(),
		),
	)
}

func (c *Console) renderComposer() app.UI {
	open := c.canSend()
	return app.Section().Class("card").Body(
		app.H2().Text("Send"),
		app.Div().Class("field").Body(
			app.Label().For("text").Text("Text"),
			app.Textarea().ID("text").Rows(2).Text(c.text).Placeholder("Hello, WebSocket").
				Title("Ctrl+Enter sends; Alt+↑/↓ recall what was sent").
				OnInput(c.ValueTo(&c.text)).OnKeyDown(c.onTextKey),
			button("send-text", "Send text", false, open, c.SendText),
		),
		app.Div().Class("field").Body(
			app.Label().For("hex").Text("Binary, as hex"),
			app.Input().ID("hex").Type("text").Value(c.hex).Placeholder("de ad be ef").
				Spellcheck(false).AutoComplete(false).Class(invalidClass(c.hexErr)).
				OnInput(func(ctx app.Context, e app.Event) {
					c.hex = ctx.JSSrc().Get("value").String()
					if c.hexErr != "" { // re-check once a problem is shown
						if _, err := parseHex(c.hex); err == nil {
							c.hexErr = ""
						}
					}
				}).OnKeyDown(onEnter(c.SendHex)),
			button("send-hex", "Send bytes", false, open, c.SendHex),
			inlineError("hex-error", c.hexErr),
		),
		app.Div().Class("field").Body(
			app.Label().For("file").Text("Binary, from a file"),
			app.Input().ID("file").Type("file").OnChange(c.chooseFile),
			button("send-file", "Send file", false, open && c.fileName != "", c.SendFile),
			app.If(c.fileName != "", func() app.UI {
				return app.Span().ID("file-info").Class("hint").
					Textf("%s, %s", c.fileName, formatBytes(int64(len(c.fileData))))
			}),
			inlineError("file-error", c.fileErr),
		),
		app.Div().Class("field").Body(
			app.Label().For("burst-n").Text("Burst: N messages of S bytes, sent at once"),
			app.Div().Class("row").Body(
				app.Input().ID("burst-n").Type("number").Min(1).Max(maxBurstCount).Value(c.burstN).
					Class("num").Title("N").OnInput(c.ValueTo(&c.burstN)),
				app.Span().Text("×"),
				app.Input().ID("burst-size").Type("number").Min(0).Max(maxBurstSize).Value(c.burstSize).
					Class("num").Title("S, in bytes").OnInput(c.ValueTo(&c.burstSize)),
				app.Span().Text("bytes"),
				app.Select().ID("burst-type").Aria("label", "Type of the burst's messages").OnChange(c.ValueTo(&c.burstType)).Body(
					app.Option().Value("binary").Selected(c.burstType == "binary").Text("binary"),
					app.Option().Value("text").Selected(c.burstType == "text").Text("text"),
				),
				button("send-burst", "Send burst", false, open, c.SendBurst),
			),
			inlineError("burst-error", c.burstErr),
		),
		inlineError("send-error", c.sendErr),
		app.If(c.clientMode && c.connected() && c.snap.Client.Phase != wsclient.PhaseOpen, func() app.UI {
			return app.P().ID("queued-hint").Class("hint").DataSet("queued", c.snap.Stats.Queued).
				Textf("Not connected: what you send waits in the queue (%d now) and is sent once the client reconnects.", c.snap.Stats.Queued)
		}),
	)
}

func (c *Console) renderClose() app.UI {
	// Both problems, if both fields are wrong, right under the fields.
	closeErr := c.closeCodeErr
	if c.closeReasonErr != "" {
		if closeErr != "" {
			closeErr += "; "
		}
		closeErr += c.closeReasonErr
	}
	return app.Section().Class("card").Body(
		app.H2().Text("Close"),
		app.Div().Class("row", "close-fields").Body(
			app.Div().Class("field").Body(
				app.Label().For("close-code").Text("Code"),
				app.Input().ID("close-code").Type("text").Value(c.close.Code).Class("num", invalidClass(c.closeCodeErr)).
					Aria("invalid", c.closeCodeErr != "").Attr("inputmode", "numeric").Title("1000 or 3000–4999").
					OnInput(func(ctx app.Context, e app.Event) {
						c.close.Code = ctx.JSSrc().Get("value").String()
						_, c.closeCodeErr, _ = c.close.validate()
					}).OnKeyDown(onEnter(c.CloseWith)),
			),
			app.Div().Class("field", "grow").Body(
				app.Label().For("close-reason").Body(
					app.Text("Reason "),
					app.Span().ID("close-reason-bytes").Class("hint").Textf("(%d / %d bytes)", len(c.close.Reason), wsclient.MaxCloseReasonBytes),
				),
				app.Input().ID("close-reason").Type("text").Value(c.close.Reason).Class(invalidClass(c.closeReasonErr)).
					Aria("invalid", c.closeReasonErr != "").Placeholder("bye").
					OnInput(func(ctx app.Context, e app.Event) {
						c.close.Reason = ctx.JSSrc().Get("value").String()
						_, _, c.closeReasonErr = c.close.validate()
					}).OnKeyDown(onEnter(c.CloseWith)),
			),
		),
		inlineError("close-error", closeErr),
		app.P().Class("hint").Text("A browser may close with 1000 or 3000–4999 and a reason of at most 123 bytes; "+
			"codes such as 1001 or 1011 can only be received."),
		app.Div().Class("row").Body(
			button("close", "Close", false, c.connected(), c.CloseWith),
		),
	)
}

// indicator renders one term of the indicators list.
func indicator(name string, value app.UI) app.UI {
	return app.Div().Class("indicator").Body(
		app.Dt().Text(name),
		app.Dd().Body(value),
	)
}

// inlineError renders the error shown next to a field; it is always in the
// DOM (empty when there is no error) so that tests and screen readers find it.
func inlineError(id, msg string) app.UI {
	p := app.P().ID(id).Class("error").Aria("live", "polite")
	if msg == "" {
		return p.Hidden(true)
	}
	return p.Text(msg)
}

func invalidClass(err string) string {
	if err != "" {
		return "invalid"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// transportText names what carries the connection, for the transport
// indicator.
func transportText(hasConn bool, s live.Snapshot) string {
	if !hasConn {
		return "—"
	}
	switch s.Transport {
	case wsclient.TransportHTTPStream:
		return "HTTP fallback · stream"
	case wsclient.TransportHTTPPoll:
		return "HTTP fallback · long polling"
	}
	return s.Transport.String()
}

// stateClass names a readyState for CSS.
func stateClass(hasConn bool, s wsclient.State) string {
	if !hasConn {
		return "none"
	}
	switch s {
	case wsclient.Connecting:
		return "connecting"
	case wsclient.Open:
		return "open"
	case wsclient.Closing:
		return "closing"
	}
	return "closed"
}
