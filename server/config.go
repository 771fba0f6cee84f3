package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/server/fallback"
)

// Defaults applied by New to the zero fields of a Config.
const (
	// DefaultAddr is the listen address used when Config.Addr is empty.
	DefaultAddr = ":8000"
	// DefaultMaxMessageBytes is the largest /echo message accepted (16 MiB).
	DefaultMaxMessageBytes int64 = 16 << 20
	// DefaultMaxConns is the default limit on open WebSocket connections.
	DefaultMaxConns = 10000
	// DefaultWebDir is the directory served at "/" when Config.Root is nil.
	DefaultWebDir = "web"
	// DefaultPingInterval is how often the server pings an open connection.
	DefaultPingInterval = 30 * time.Second
	// DefaultShutdownTimeout bounds the graceful shutdown started by
	// ListenAndServe and Serve when their context is cancelled.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultChatRate is the sustained number of chat frames per second a
	// connection may send.
	DefaultChatRate = chatproto.DefaultRate
	// DefaultChatBurst is the number of chat frames a connection may send at
	// once before the rate limit applies.
	DefaultChatBurst = chatproto.DefaultBurst
	// DefaultChatQueueSize is the most outbound chat events buffered for a
	// client before it is considered too slow and closed with 1008.
	DefaultChatQueueSize = 4096
	// DefaultChatMaxLag is how far behind a chat client may fall before it
	// is closed with 1008: the age of its oldest undelivered event.
	DefaultChatMaxLag = chatproto.DefaultMaxLag
	// DefaultChatMaxMembers is the most members a chat room holds.
	DefaultChatMaxMembers = chatproto.DefaultMaxMembers
	// DefaultChatRoomsPerIP is the most chat rooms one client address may
	// be in at once.
	DefaultChatRoomsPerIP = 20
	// DefaultChatRoomIdle is how long a room may go without a message
	// before it can be evicted, members and all, for a new room.
	DefaultChatRoomIdle = 10 * time.Minute
	// DefaultMaxConnsPerIP is the most WebSocket connections one client
	// address may hold open.
	DefaultMaxConnsPerIP = 1000
	// DefaultChatHistory is the number of messages a room remembers and sends
	// to a client joining it.
	DefaultChatHistory = chatproto.DefaultHistory
	// DefaultChatMaxTextBytes is the longest chat text accepted, in bytes of
	// UTF-8.
	DefaultChatMaxTextBytes = chatproto.DefaultMaxTextBytes
	// DefaultChatMaxRooms bounds the number of chat rooms kept in memory.
	DefaultChatMaxRooms = 1000
	// DefaultMaxHeaderBytes bounds the header of a request read by Serve
	// (32 KiB). A WebSocket handshake needs well under 8 KiB.
	DefaultMaxHeaderBytes = 32 << 10
	// MinMaxHeaderBytes is the smallest MaxHeaderBytes accepted (4 KiB).
	MinMaxHeaderBytes = 4 << 10
	// DefaultFreeMemoryInterval is how often Serve checks whether
	// connections have gone and their memory can be given back.
	DefaultFreeMemoryInterval = 10 * time.Second
)

// Config configures a Server. The zero value is usable: every zero field
// takes the default documented on it.
type Config struct {
	// Addr is the TCP address ListenAndServe listens on (default ":8000").
	Addr string

	// TLSCert and TLSKey are the paths of a PEM certificate chain and its
	// private key. When both are set the server speaks HTTPS and wss://;
	// setting only one of them is an error.
	TLSCert string
	TLSKey  string

	// AllowedOrigins widens the same-origin rule of /chat. Each entry is a
	// host pattern as in coder/websocket's AcceptOptions.OriginPatterns
	// (matched with path.Match against the Origin's host, or against
	// "scheme://host" when the pattern contains "://"); "null" admits pages
	// opened from files (Origin: null). /echo accepts any origin and ignores
	// this list.
	AllowedOrigins []string

	// MaxMessageBytes is the largest message /echo accepts (default 16 MiB).
	// A larger message closes the connection with 1009.
	MaxMessageBytes int64

	// MaxConns limits the open WebSocket connections across all paths
	// (default 10000, negative for no limit). The next handshake gets 503.
	MaxConns int

	// MaxConnsPerIP limits the open WebSocket connections of one client
	// address: an IPv4 address, or an IPv6 /64 (default 1000, negative for
	// no limit). The next handshake from it gets 429. Behind a reverse
	// proxy every client has the proxy's address.
	MaxConnsPerIP int

	// WebDir is the directory served at "/" when Root is nil (default "web").
	WebDir string

	// Root handles "/" and every path that is not /echo, /chat, /healthz or
	// /metrics. When nil, the files of WebDir are served.
	//
	// Root also gets the page requests on /chat: a GET or HEAD that asks
	// for no WebSocket upgrade and whose Accept header lists text/html (a
	// browser loading or reloading the chat page). Other plain requests on
	// /chat, and every plain request on /echo, get 426 Upgrade Required.
	Root http.Handler

	// PingInterval is how often the server pings each connection (default
	// 30s, negative to disable). A peer that neither answers a ping within
	// one interval nor exchanges any data is dropped, so a dead peer goes
	// away within two intervals.
	PingInterval time.Duration

	// ShutdownTimeout bounds the graceful shutdown that ListenAndServe and
	// Serve perform when their context is cancelled (default 10s).
	ShutdownTimeout time.Duration

	// Compression enables permessage-deflate without context takeover for
	// clients that offer it. It is off by default: it costs CPU and memory
	// and echo traffic is usually not compressible.
	Compression bool

	// ChatRate is the sustained number of frames per second a chat client may
	// send (default 20, negative for no limit).
	ChatRate float64

	// ChatBurst is the number of frames a chat client may send in a burst
	// (default 40).
	ChatBurst int

	// ChatMaxRejects is the number of rate-limited frames a chat client may
	// send before it is closed with 1008 (default 2*ChatBurst). The budget
	// refills at a tenth of ChatRate.
	ChatMaxRejects int

	// ChatQueueSize is the most outbound events buffered per chat client
	// (default 4096). A client whose queue fills is closed with 1008
	// instead of slowing down its room.
	ChatQueueSize int

	// ChatMaxLag is how far behind a chat client may fall (default 10s): a
	// client whose oldest event not yet taken by its socket is older than
	// that is closed with 1008 "too slow", instead of slowing down its
	// room.
	ChatMaxLag time.Duration

	// ChatMaxMembers is the most members a chat room holds (default 5000).
	// A handshake for a full room gets 503.
	ChatMaxMembers int

	// ChatRoomsPerIP is the most chat rooms the clients of one address
	// (as for MaxConnsPerIP) may be in at once (default 20, negative for
	// no limit). A handshake for one more room gets 429.
	ChatRoomsPerIP int

	// ChatRoomIdle is how long a room may go without a message before it
	// may be evicted to make room for a new one when ChatMaxRooms is
	// reached (default 10m, negative: rooms with members are never
	// evicted). Its members are closed with 1000 "room closed: idle".
	ChatRoomIdle time.Duration

	// ChatHistory is the number of messages a room keeps and replays in its
	// welcome event (default 50, negative for none).
	ChatHistory int

	// ChatMaxTextBytes is the longest chat text accepted, in bytes (default
	// 4096). Longer texts are answered with an error event.
	ChatMaxTextBytes int

	// ChatMaxRooms bounds the rooms kept in memory (default 1000). Empty rooms
	// keep their history until the bound forces their eviction, least
	// recently active first; then rooms idle for ChatRoomIdle go, longest
	// idle first.
	ChatMaxRooms int

	// Logger receives the structured logs. When nil, slog.Default() is used.
	Logger *slog.Logger

	// Routes serves the WebSocket endpoints at more paths: each key is a
	// path and its value the endpoint served there, "/echo" or "/chat".
	// {"/socket/server/startDaemon.php": "/echo"} lets a tutorial's page
	// written for another server talk to /echo unchanged. A path must start
	// with "/", be clean (no "//", "." or ".." segments) and not be one the
	// server serves itself: "/", /echo, /chat, /healthz or /metrics. It is
	// matched exactly; metrics and logs count its connections under the
	// endpoint's path.
	Routes map[string]string

	// MaxHeaderBytes bounds the request line and header of the requests
	// that Serve and ListenAndServe read (default 32 KiB, at least 4 KiB);
	// a larger header gets 431 Request Header Fields Too Large. Go's own
	// default, 1 MiB, let 300 handshakes in flight hold over 200 MB. A
	// Server mounted in another http.Server through Handler is bound by
	// that server's MaxHeaderBytes instead.
	MaxHeaderBytes int

	// FreeMemoryInterval is how often Serve and ListenAndServe check whether
	// the open WebSocket connections have fallen to half their peak or less
	// (by 500 or more), in which case the memory they held is collected and
	// given back to the operating system at once with debug.FreeOSMemory
	// (default 10s, negative to disable). An idle Go program otherwise keeps
	// the memory of a spike for minutes.
	FreeMemoryInterval time.Duration

	// Fallback bounds and times the HTTP fallback, which serves the
	// WebSocket endpoints to clients whose WebSockets a proxy breaks (see
	// package server/fallback; its zero value takes the defaults: heartbeat
	// 15s, poll 25s, idle 45s, window 1 MiB, 10000 sessions).
	Fallback fallback.Config

	// DisableFallback turns the HTTP fallback off: fallback requests then
	// reach the endpoints as plain requests (426).
	DisableFallback bool
}

// withDefaults returns a copy of c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.WebDir == "" {
		c.WebDir = DefaultWebDir
	}
	if c.PingInterval == 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.ChatRate == 0 {
		c.ChatRate = DefaultChatRate
	}
	if c.ChatBurst <= 0 {
		c.ChatBurst = DefaultChatBurst
	}
	if c.ChatMaxRejects <= 0 {
		c.ChatMaxRejects = 2 * c.ChatBurst
	}
	if c.ChatQueueSize <= 0 {
		c.ChatQueueSize = DefaultChatQueueSize
	}
	if c.MaxConnsPerIP == 0 {
		c.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if c.ChatMaxLag <= 0 {
		c.ChatMaxLag = DefaultChatMaxLag
	}
	if c.ChatMaxMembers <= 0 {
		c.ChatMaxMembers = DefaultChatMaxMembers
	}
	if c.ChatRoomsPerIP == 0 {
		c.ChatRoomsPerIP = DefaultChatRoomsPerIP
	}
	if c.ChatRoomIdle == 0 {
		c.ChatRoomIdle = DefaultChatRoomIdle
	}
	if c.ChatHistory == 0 {
		c.ChatHistory = DefaultChatHistory
	}
	if c.ChatHistory < 0 {
		c.ChatHistory = 0
	}
	if c.ChatMaxTextBytes <= 0 {
		c.ChatMaxTextBytes = DefaultChatMaxTextBytes
	}
	if c.ChatMaxRooms <= 0 {
		c.ChatMaxRooms = DefaultChatMaxRooms
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.FreeMemoryInterval == 0 {
		c.FreeMemoryInterval = DefaultFreeMemoryInterval
	}
	return c
}

// hubConfig returns the chat hub's limits.
func (c Config) hubConfig() hubConfig {
	return hubConfig{
		maxRooms:   c.ChatMaxRooms,
		history:    c.ChatHistory,
		maxText:    c.ChatMaxTextBytes,
		maxMembers: c.ChatMaxMembers,
		roomsPerIP: c.ChatRoomsPerIP,
		idleAfter:  c.ChatRoomIdle,
	}
}

// chatFrameLimit is the read limit of a /chat connection (see
// chatproto.MaxFrameBytes).
func (c Config) chatFrameLimit() int64 {
	return chatproto.MaxFrameBytes(c.ChatMaxTextBytes)
}

// Validate reports the problems with c, such as a TLS certificate without
// its key or a malformed origin pattern. Zero fields are valid.
func (c Config) Validate() error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("TLSCert and TLSKey must be set together"))
	}
	for _, p := range c.AllowedOrigins {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, errors.New("empty allowed origin pattern"))
			continue
		}
		if _, err := path.Match(strings.ToLower(p), ""); err != nil {
			errs = append(errs, fmt.Errorf("allowed origin %q: %w", p, err))
		}
	}
	if c.ChatRate != c.ChatRate { // NaN
		errs = append(errs, errors.New("ChatRate is not a number"))
	}
	if c.MaxHeaderBytes > 0 && c.MaxHeaderBytes < MinMaxHeaderBytes {
		errs = append(errs, fmt.Errorf("MaxHeaderBytes %d is below the minimum of %d (4 KiB)", c.MaxHeaderBytes, MinMaxHeaderBytes))
	}
	errs = append(errs, validateRoutes(c.Routes)...)
	return errors.Join(errs...)
}

// tlsEnabled reports whether the server serves HTTPS.
func (c Config) tlsEnabled() bool {
	return c.TLSCert != "" && c.TLSKey != ""
}
