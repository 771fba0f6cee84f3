// Command duplexd runs duplex's server: the WebSocket endpoints /echo and
// /chat (and the extra paths of -route), /healthz, /metrics, and the web
// app's files.
//
// Every flag can also be set by an environment variable, named after the
// flag in upper case with a DUPLEX_ prefix (-max-conns: DUPLEX_MAX_CONNS).
// A flag given on the command line wins over its variable.
//
//	-addr              DUPLEX_ADDR              listen address (default ":8000")
//	-tls-cert          DUPLEX_TLS_CERT          TLS certificate file (PEM); with -tls-key, serves https and wss
//	-tls-key           DUPLEX_TLS_KEY           TLS private key file (PEM)
//	-origins           DUPLEX_ORIGINS           comma-separated origin host patterns also allowed on /chat
//	-max-message       DUPLEX_MAX_MESSAGE       largest /echo message, e.g. 16MiB (default 16MiB)
//	-max-conns         DUPLEX_MAX_CONNS         open WebSocket connections allowed; -1 for no limit (default 10000)
//	-max-conns-per-ip  DUPLEX_MAX_CONNS_PER_IP  open WebSocket connections per client address (IPv6: per /64); -1 for no limit (default 1000)
//	-web               DUPLEX_WEB               directory served at / (default "web")
//	-ping-interval     DUPLEX_PING_INTERVAL     keepalive ping interval; negative disables (default 30s)
//	-shutdown-timeout  DUPLEX_SHUTDOWN_TIMEOUT  bound on graceful shutdown (default 10s)
//	-compress          DUPLEX_COMPRESS          negotiate permessage-deflate (default false)
//	-chat-rate         DUPLEX_CHAT_RATE         chat frames per second per client; negative for no limit (default 20)
//	-chat-burst        DUPLEX_CHAT_BURST        chat frames allowed in a burst (default 40)
//	-chat-queue        DUPLEX_CHAT_QUEUE        most outbound chat events buffered per client (default 4096)
//	-chat-max-lag      DUPLEX_CHAT_MAX_LAG      how far behind a chat client may fall before it is dropped (default 10s)
//	-chat-max-members  DUPLEX_CHAT_MAX_MEMBERS  most members in a chat room (default 5000)
//	-chat-rooms-per-ip DUPLEX_CHAT_ROOMS_PER_IP chat rooms one client address may be in; -1 for no limit (default 20)
//	-chat-room-idle    DUPLEX_CHAT_ROOM_IDLE    a room without messages for this long may be evicted for a new one; negative: never (default 10m)
//	-chat-history      DUPLEX_CHAT_HISTORY      messages a room replays on join; negative for none (default 50)
//	-chat-max-text     DUPLEX_CHAT_MAX_TEXT     longest chat text in bytes (default 4096)
//	-log-format        DUPLEX_LOG_FORMAT        text or json (default "text")
//	-log-level         DUPLEX_LOG_LEVEL         debug, info, warn or error (default "info")
//	-route             DUPLEX_ROUTE             PATH=ENDPOINT: serve /echo or /chat at PATH too; repeatable
//	                                            (comma-separated in the variable, which a -route replaces)
//	-max-header        DUPLEX_MAX_HEADER        largest request header, at least 4KiB (default 32KiB); beyond: 431
//	-free-memory-interval                       how often to check whether a spike of connections has gone and
//	                   DUPLEX_FREE_MEMORY_INTERVAL  give its memory back to the OS; negative disables (default 10s)
//	-memory-limit      DUPLEX_MEMORY_LIMIT      soft limit on the Go runtime's memory, e.g. 1GiB
//	                                            (debug.SetMemoryLimit); 0 keeps GOMEMLIMIT (default 0)
//	-fallback          DUPLEX_FALLBACK          serve the endpoints over the HTTP fallback too, for clients
//	                                            behind proxies that break WebSockets (default true)
//	-fallback-max-sessions DUPLEX_FALLBACK_MAX_SESSIONS  fallback sessions held at once (default 10000)
//	-fallback-idle     DUPLEX_FALLBACK_IDLE     a fallback session without requests for this long is reaped (default 45s)
//	-fallback-window   DUPLEX_FALLBACK_WINDOW   bytes a fallback session holds each way (default 1MiB)
//	-fallback-heartbeat DUPLEX_FALLBACK_HEARTBEAT  heartbeat interval of a fallback stream (default 15s)
//	-fallback-poll     DUPLEX_FALLBACK_POLL     how long a fallback poll waits for data (default 25s)
//
// duplexd -route /socket/server/startDaemon.php=/echo serves the page of the
// classic jQuery WebSocket tutorial, which connects to that path.
//
// SIGINT or SIGTERM shuts the server down gracefully: it stops accepting,
// sends close 1001 to every WebSocket connection, waits for them at most
// -shutdown-timeout, and exits with status 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/duplexgo/duplex/app/serve"
	"github.com/duplexgo/duplex/server"
	"github.com/duplexgo/duplex/server/fallback"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "duplexd:", err)
		os.Exit(1)
	}
}

// errUsage wraps command-line errors, which the flag package has already
// reported with the usage text.
var errUsage = errors.New("usage error")

// run is the whole program but for signals and the exit status: it serves
// until ctx is cancelled, then shuts down gracefully and returns nil.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, proc, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := cfg.Logger
	if proc.memoryLimit > 0 {
		debug.SetMemoryLimit(proc.memoryLimit)
	}
	// The app (go-app pages, precompressed app.wasm) when it is built;
	// otherwise the web directory's plain files.
	if root, err := serve.New(serve.Options{WebDir: cfg.WebDir, Logger: log}); err != nil {
		log.Warn("the app is not served", "err", err)
	} else {
		cfg.Root = root
	}
	if st, err := os.Stat(cfg.WebDir); cfg.Root == nil && (err != nil || !st.IsDir()) {
		log.Warn("web directory not found: / will answer 404", "web", cfg.WebDir)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	err = server.New(cfg).Serve(ctx, ln)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		// The shutdown bound expired and the last connections were dropped:
		// still the requested shutdown, already logged by the server.
		return nil
	}
	return err
}

// configure parses flags and environment variables into a server Config.
func configure(args []string, getenv func(string) string, stderr io.Writer) (server.Config, error) {
	cfg, _, err := parseFlags(args, getenv, stderr)
	return cfg, err
}

// processOptions are the settings of the process rather than the server's.
type processOptions struct {
	memoryLimit int64 // -memory-limit in bytes, 0 for none
}

// parseFlags parses flags and environment variables into a server Config
// and the process's options.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (server.Config, processOptions, error) {
	fs := flag.NewFlagSet("duplexd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       server.Config
		origins   string
		maxMsg    = byteSize(server.DefaultMaxMessageBytes)
		logFormat string
		logLevel  string
		proc      processOptions
		routes    routeFlag
		maxHeader = byteSize(server.DefaultMaxHeaderBytes)
		memLimit  byteSize
		fbOn      bool
		fbWindow  = byteSize(fallback.DefaultWindow)
	)
	fs.StringVar(&cfg.Addr, "addr", server.DefaultAddr, "listen `address`")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serves https:// and wss://")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.StringVar(&origins, "origins", "", "comma-separated origin host `patterns` also allowed on /chat (e.g. app.example.com,*.example.org; null admits pages opened from files)")
	fs.Var(&maxMsg, "max-message", "largest /echo message (`size` in bytes, or with a KiB, MiB or GiB suffix)")
	fs.IntVar(&cfg.MaxConns, "max-conns", server.DefaultMaxConns, "open WebSocket connections allowed, -1 for no limit")
	fs.StringVar(&cfg.WebDir, "web", server.DefaultWebDir, "`directory` served at /")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", server.DefaultPingInterval, "keepalive ping interval, negative to disable")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "bound on graceful shutdown")
	fs.BoolVar(&cfg.Compression, "compress", false, "negotiate permessage-deflate (no context takeover) with clients that offer it")
	fs.Float64Var(&cfg.ChatRate, "chat-rate", server.DefaultChatRate, "chat frames per second per client, negative for no limit")
	fs.IntVar(&cfg.ChatBurst, "chat-burst", server.DefaultChatBurst, "chat frames a client may send in a burst")
	fs.IntVar(&cfg.ChatQueueSize, "chat-queue", server.DefaultChatQueueSize, "most outbound chat events buffered per client before it is dropped as too slow")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", server.DefaultMaxConnsPerIP, "open WebSocket connections per client address (IPv6: per /64), -1 for no limit")
	fs.DurationVar(&cfg.ChatMaxLag, "chat-max-lag", server.DefaultChatMaxLag, "how far behind a chat client may fall (age of its oldest undelivered event) before it is dropped with 1008")
	fs.IntVar(&cfg.ChatMaxMembers, "chat-max-members", server.DefaultChatMaxMembers, "most members in a chat room; a full room answers 503")
	fs.IntVar(&cfg.ChatRoomsPerIP, "chat-rooms-per-ip", server.DefaultChatRoomsPerIP, "chat rooms the clients of one address may be in at once, -1 for no limit")
	fs.DurationVar(&cfg.ChatRoomIdle, "chat-room-idle", server.DefaultChatRoomIdle, "a room without messages for this long may be evicted, members closed, for a new room; negative: never")
	fs.IntVar(&cfg.ChatHistory, "chat-history", server.DefaultChatHistory, "messages a room replays to a client joining it, negative for none")
	fs.IntVar(&cfg.ChatMaxTextBytes, "chat-max-text", server.DefaultChatMaxTextBytes, "longest chat text in bytes")
	fs.StringVar(&logFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.Var(&routes, "route", "`PATH=ENDPOINT`: serve /echo or /chat at PATH too, e.g. /socket/server/startDaemon.php=/echo; repeatable, comma-separated in the variable")
	fs.Var(&maxHeader, "max-header", "largest request header (`size`; at least 4KiB); a larger one gets 431")
	fs.DurationVar(&cfg.FreeMemoryInterval, "free-memory-interval", server.DefaultFreeMemoryInterval,
		"how often to check whether connections have gone and their memory can be given back to the OS, negative to disable")
	fs.Var(&memLimit, "memory-limit", "soft limit on the Go runtime's memory (`size`, debug.SetMemoryLimit); 0 keeps GOMEMLIMIT")
	fs.BoolVar(&fbOn, "fallback", true, "serve the WebSocket endpoints over the HTTP fallback too, for clients behind proxies that break WebSockets")
	fs.IntVar(&cfg.Fallback.MaxSessions, "fallback-max-sessions", fallback.DefaultMaxSessions, "HTTP fallback sessions held at once; one more open gets 503")
	fs.DurationVar(&cfg.Fallback.Idle, "fallback-idle", fallback.DefaultIdle, "an HTTP fallback session whose client makes no request for this long is reaped")
	fs.Var(&fbWindow, "fallback-window", "bytes an HTTP fallback session holds in each direction (`size`)")
	fs.DurationVar(&cfg.Fallback.Heartbeat, "fallback-heartbeat", fallback.DefaultHeartbeat, "heartbeat interval of an HTTP fallback stream")
	fs.DurationVar(&cfg.Fallback.Poll, "fallback-poll", fallback.DefaultPoll, "how long an HTTP fallback poll waits for data")

	// Each flag's environment variable, shown in the usage text.
	fs.VisitAll(func(f *flag.Flag) {
		f.Usage += " (env " + envName(f.Name) + ")"
	})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: duplexd [flags]\n\nServes /echo, /chat, /healthz, /metrics and the web directory.\nFlags, each also settable by its environment variable (a flag wins):\n\n")
		fs.PrintDefaults()
	}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("invalid %s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return cfg, proc, envErr
	}
	routes.fromEnv = true // a -route on the command line replaces DUPLEX_ROUTE
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, proc, err
		}
		return cfg, proc, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return cfg, proc, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}

	for o := range strings.SplitSeq(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, o)
		}
	}
	if maxMsg <= 0 {
		return cfg, proc, errors.New("-max-message must be positive")
	}
	cfg.MaxMessageBytes = int64(maxMsg)
	if cfg.MaxConns == 0 {
		return cfg, proc, errors.New("-max-conns must not be 0 (use -1 for no limit)")
	}
	if cfg.MaxConnsPerIP == 0 || cfg.ChatRoomsPerIP == 0 {
		return cfg, proc, errors.New("-max-conns-per-ip and -chat-rooms-per-ip must not be 0 (use -1 for no limit)")
	}
	if cfg.ChatMaxLag <= 0 || cfg.ChatMaxMembers <= 0 {
		return cfg, proc, errors.New("-chat-max-lag and -chat-max-members must be positive")
	}
	if cfg.ShutdownTimeout <= 0 {
		return cfg, proc, errors.New("-shutdown-timeout must be positive")
	}
	if maxHeader < server.MinMaxHeaderBytes {
		return cfg, proc, fmt.Errorf("-max-header %s is below the minimum of 4KiB", &maxHeader)
	}
	if maxHeader > 1<<30 {
		return cfg, proc, fmt.Errorf("-max-header %s is above 1GiB", &maxHeader)
	}
	cfg.MaxHeaderBytes = int(maxHeader)
	cfg.Routes = routes.m
	if cfg.FreeMemoryInterval == 0 {
		return cfg, proc, errors.New("-free-memory-interval must not be 0 (use -1s to disable)")
	}
	proc.memoryLimit = int64(memLimit)
	cfg.DisableFallback = !fbOn
	if fbWindow <= 0 || fbWindow > 1<<30 || cfg.Fallback.MaxSessions <= 0 || cfg.Fallback.Idle <= 0 || cfg.Fallback.Heartbeat <= 0 || cfg.Fallback.Poll <= 0 {
		return cfg, proc, errors.New("-fallback-window (at most 1GiB), -fallback-max-sessions, -fallback-idle, -fallback-heartbeat and -fallback-poll must be positive")
	}
	cfg.Fallback.Window = int(fbWindow)
	log, err := server.NewLogger(stderr, logFormat, logLevel)
	if err != nil {
		return cfg, proc, err
	}
	cfg.Logger = log
	if err := cfg.Validate(); err != nil {
		return cfg, proc, err
	}
	return cfg, proc, nil
}

// envName returns the environment variable of a flag: "max-conns" gives
// DUPLEX_MAX_CONNS.
func envName(flagName string) string {
	return "DUPLEX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// routeFlag is the flag.Value of -route: PATH=ENDPOINT pairs, repeatable
// or comma-separated.
type routeFlag struct {
	m       map[string]string
	fromEnv bool // m came from DUPLEX_ROUTE: the first -route replaces it
}

// String implements flag.Value.
func (f *routeFlag) String() string {
	if f == nil {
		return ""
	}
	var pairs []string
	for _, p := range slices.Sorted(maps.Keys(f.m)) {
		pairs = append(pairs, p+"="+f.m[p])
	}
	return strings.Join(pairs, ",")
}

// Set implements flag.Value. The pairs are checked as Config.Validate does,
// and a path given twice is an error.
func (f *routeFlag) Set(s string) error {
	if f.fromEnv {
		f.m, f.fromEnv = nil, false
	}
	for pair := range strings.SplitSeq(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		p, target, ok := strings.Cut(pair, "=")
		if !ok {
			return fmt.Errorf("%q: want PATH=ENDPOINT, e.g. /socket/server/startDaemon.php=/echo", pair)
		}
		p, target = strings.TrimSpace(p), strings.TrimSpace(target)
		if _, dup := f.m[p]; dup {
			return fmt.Errorf("path %s is routed twice", p)
		}
		if err := (server.Config{Routes: map[string]string{p: target}}).Validate(); err != nil {
			return err
		}
		if f.m == nil {
			f.m = map[string]string{}
		}
		f.m[p] = target
	}
	return nil
}

// byteSize is a flag.Value for a size in bytes, with an optional binary
// suffix: 1048576, 1024KiB, 1MiB, 1M.
type byteSize int64

// String implements flag.Value.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set implements flag.Value.
func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	shift := uint(0)
	lower := strings.ToLower(s)
units:
	for _, u := range []struct {
		suffixes []string
		shift    uint
	}{{[]string{"gib", "gb", "g"}, 30}, {[]string{"mib", "mb", "m"}, 20}, {[]string{"kib", "kb", "k"}, 10}, {[]string{"b"}, 0}} {
		for _, suf := range u.suffixes {
			if len(lower) > len(suf) && strings.HasSuffix(lower, suf) {
				s, shift = strings.TrimSpace(s[:len(s)-len(suf)]), u.shift
				break units
			}
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return errors.New("want a size such as 1048576, 64KiB or 16MiB")
	}
	*b = byteSize(n << shift)
	return nil
}
