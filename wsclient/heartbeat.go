package wsclient

import "time"

// Heartbeat configures a Client's liveness check. Browsers cannot send ping
// frames, so the client sends an application message the server answers;
// any inbound message counts as a sign of life.
type Heartbeat struct {
	// Interval between pings (0 disables the heartbeat).
	Interval time.Duration
	// Timeout is how long without any inbound message, after a ping was
	// sent, before the connection is declared dead and replaced (default
	// 2×Interval).
	Timeout time.Duration
	// Ping is the message sent (default: the text "ping").
	Ping Message
	// IsPong recognizes the server's answer, which is then not delivered to
	// the application (default: none is swallowed).
	IsPong func(Message) bool
}

func (h Heartbeat) withDefaults() Heartbeat {
	if h.Interval <= 0 {
		return Heartbeat{}
	}
	if h.Timeout <= 0 {
		h.Timeout = 2 * h.Interval
	}
	if h.Ping.Type == 0 {
		h.Ping = Message{Type: Text, Data: []byte("ping")}
	}
	return h
}

// liveness judges a connection by wall-clock time, so that a tab whose timers
// were throttled in the background is not declared dead merely because its
// checks ran late: a connection is dead only when a ping has had Timeout to
// be answered and nothing at all arrived since.
type liveness struct {
	timeout     time.Duration
	lastInbound time.Time
	pingSince   time.Time // first ping sent since the last inbound message
}

func newLiveness(timeout time.Duration, now time.Time) *liveness {
	return &liveness{timeout: timeout, lastInbound: now}
}

// inbound records a sign of life.
func (l *liveness) inbound(now time.Time) {
	l.lastInbound = now
	l.pingSince = time.Time{}
}

// observe records the last inbound time seen elsewhere, if it is newer.
func (l *liveness) observe(last time.Time) {
	if last.After(l.lastInbound) {
		l.inbound(last)
	}
}

// pinged records a ping sent at now.
func (l *liveness) pinged(now time.Time) {
	if l.pingSince.IsZero() {
		l.pingSince = now
	}
}

// dead reports whether the connection must be replaced.
func (l *liveness) dead(now time.Time) bool {
	return !l.pingSince.IsZero() && now.Sub(l.pingSince) >= l.timeout && now.Sub(l.lastInbound) >= l.timeout
}
