package fallback

import (
	"log/slog"
	"time"
)

// Defaults applied by New to the zero fields of a Config.
const (
	// DefaultHeartbeat is how often a receive stream carries a heartbeat:
	// well under the minute after which proxies commonly drop a quiet
	// response.
	DefaultHeartbeat = 15 * time.Second
	// DefaultPoll is how long a poll-mode receive waits for data.
	DefaultPoll = 25 * time.Second
	// DefaultIdle is how long a session is kept without any request from
	// its client (a receive under way counts as one).
	DefaultIdle = 45 * time.Second
	// DefaultWindow is the most bytes a session holds in each direction
	// (1 MiB): written by the handler and not acknowledged, or received and
	// not read by the handler.
	DefaultWindow = 1 << 20
	// DefaultMaxSessions bounds the sessions held at once.
	DefaultMaxSessions = 10000
)

// Config bounds and times a Handler's sessions. The zero value is usable:
// every zero (or negative) field takes its default.
type Config struct {
	// Heartbeat is how often a receive stream carries a heartbeat (default
	// 15s). A client that gets nothing for a while is behind a buffering
	// proxy and switches to polling.
	Heartbeat time.Duration

	// Poll is how long a poll-mode receive waits for data before it ends
	// with a heartbeat alone (default 25s), and how long a send whose bytes
	// find no room waits for the handler to read.
	Poll time.Duration

	// Idle is how long a session is kept while its client makes no request
	// (default 45s; a receive under way counts as a request). Then the
	// session is reaped: its handler's connection fails as when a TCP peer
	// vanishes. Keep it above Poll.
	Idle time.Duration

	// Window is the most bytes a session holds in each direction (default
	// 1 MiB): the handler's writes block while Window bytes are
	// unacknowledged, and a send takes only what fits in Window bytes not
	// yet read by the handler.
	Window int

	// MaxSessions bounds the sessions held at once (default 10000); one
	// more open gets 503. A session counts from its open until it is
	// reaped or its client has acknowledged its end.
	MaxSessions int

	// Logger receives the rare errors (a handler that panics). When nil,
	// slog.Default() is used.
	Logger *slog.Logger
}

// withDefaults returns c with its zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Heartbeat <= 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Idle <= 0 {
		c.Idle = DefaultIdle
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
