package fallbackproto

import (
	"errors"
	"strconv"
	"time"
)

// Open is the body of a successful open: the session and the terms the
// server set for it. It travels as "key=value" lines, which need no JSON
// package in the browser.
type Open struct {
	// Session is the session's id: unguessable, valid only for the origin
	// that opened it.
	Session string
	// Protocol is the subprotocol the handler selected ("" for none).
	Protocol string
	// Heartbeat is how often a receive stream carries a heartbeat.
	Heartbeat time.Duration
	// Poll is how long a poll-mode receive waits for data.
	Poll time.Duration
	// Window is the most bytes the server holds for the session in each
	// direction: written and not acknowledged, or received and not read.
	Window int
	// Idle is how long the server keeps a session without any request.
	Idle time.Duration
}

// Marshal encodes o as the body of the open's answer.
func (o Open) Marshal() []byte {
	var b []byte
	line := func(k, v string) { b = append(append(append(append(b, k...), '='), v...), '\n') }
	line("session", o.Session)
	line("protocol", o.Protocol)
	line("heartbeat-ms", strconv.FormatInt(o.Heartbeat.Milliseconds(), 10))
	line("poll-ms", strconv.FormatInt(o.Poll.Milliseconds(), 10))
	line("window", strconv.Itoa(o.Window))
	line("idle-ms", strconv.FormatInt(o.Idle.Milliseconds(), 10))
	return b
}

// ParseOpen decodes the body of an open's answer. Unknown keys are ignored,
// so a server may add some; a missing session, or a heartbeat, poll, window
// or idle that is not a positive number, is an error.
func ParseOpen(body []byte) (Open, error) {
	var o Open
	ms := func(v string) (time.Duration, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, errors.New("not a positive count of milliseconds: " + strconv.Quote(v))
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	for rest := string(body); rest != ""; {
		var line string
		line, rest, _ = cut(rest, '\n')
		if line == "" {
			continue
		}
		k, v, ok := cut(line, '=')
		if !ok {
			return Open{}, errors.New("fallbackproto: malformed open line " + strconv.Quote(line))
		}
		var err error
		switch k {
		case "session":
			o.Session = v
		case "protocol":
			o.Protocol = v
		case "heartbeat-ms":
			o.Heartbeat, err = ms(v)
		case "poll-ms":
			o.Poll, err = ms(v)
		case "idle-ms":
			o.Idle, err = ms(v)
		case "window":
			o.Window, err = strconv.Atoi(v)
			if err == nil && o.Window <= 0 {
				err = errors.New("window must be positive")
			}
		}
		if err != nil {
			return Open{}, errors.New("fallbackproto: open " + k + ": " + err.Error())
		}
	}
	switch {
	case o.Session == "":
		return Open{}, errors.New("fallbackproto: open without a session")
	case o.Heartbeat == 0 || o.Poll == 0 || o.Window == 0 || o.Idle == 0:
		return Open{}, errors.New("fallbackproto: open without heartbeat-ms, poll-ms, window or idle-ms")
	}
	return o, nil
}

// FormatAck encodes the answer to a send: the upstream offset the server
// has.
func FormatAck(n uint64) []byte { return strconv.AppendUint(nil, n, 10) }

// ParseAck decodes the answer to a send.
func ParseAck(body []byte) (uint64, error) {
	s, _, _ := cut(string(body), '\n')
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errors.New("fallbackproto: malformed ack " + strconv.Quote(string(body)))
	}
	return n, nil
}

// cut is strings.Cut for one byte; package strings would link Unicode's
// tables into the browser's program.
func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
