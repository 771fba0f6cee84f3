package server

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Addr != ":8000" || c.MaxMessageBytes != 16<<20 || c.MaxConns != DefaultMaxConns || c.WebDir != "web" ||
		c.PingInterval != 30*time.Second || c.ShutdownTimeout != DefaultShutdownTimeout {
		t.Errorf("defaults: %+v", c)
	}
	if c.ChatRate != 20 || c.ChatBurst != 40 || c.ChatMaxRejects != 80 || c.ChatQueueSize != 4096 ||
		c.ChatHistory != 50 || c.ChatMaxTextBytes != 4096 || c.ChatMaxRooms != DefaultChatMaxRooms {
		t.Errorf("chat defaults: %+v", c)
	}
	if c.MaxConnsPerIP != 1000 || c.ChatMaxLag != 10*time.Second || c.ChatMaxMembers != 5000 ||
		c.ChatRoomsPerIP != 20 || c.ChatRoomIdle != 10*time.Minute {
		t.Errorf("per-address and room defaults: %+v", c)
	}
	if c.Logger != slog.Default() {
		t.Error("default logger is not slog.Default()")
	}
	if c.Compression {
		t.Error("compression on by default")
	}

	c = Config{MaxConns: -1, PingInterval: -1, ChatRate: -1, ChatHistory: -1, ChatBurst: 5, MaxConnsPerIP: -1, ChatRoomsPerIP: -1, ChatRoomIdle: -1}.withDefaults()
	if c.MaxConns != -1 || c.PingInterval != -1 || c.ChatRate != -1 || c.ChatHistory != 0 || c.ChatMaxRejects != 10 ||
		c.MaxConnsPerIP != -1 || c.ChatRoomsPerIP != -1 || c.ChatRoomIdle != -1 {
		t.Errorf("negative values: %+v", c)
	}
	if got := (Config{ChatMaxTextBytes: 100}).chatFrameLimit(); got < 600+30 {
		t.Errorf("chat frame limit %d too small for 100 escaped bytes", got)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{},
		{TLSCert: "c", TLSKey: "k"},
		{AllowedOrigins: []string{"example.com", "*.example.com", "https://app.example.com:8443"}},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", c, err)
		}
	}
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{TLSCert: "c"}, "TLSCert and TLSKey"},
		{Config{TLSKey: "k"}, "TLSCert and TLSKey"},
		{Config{AllowedOrigins: []string{"[a-"}}, "allowed origin"},
		{Config{AllowedOrigins: []string{" "}}, "empty"},
	} {
		if err := tc.c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want an error about %q", tc.c, err, tc.want)
		}
	}
}
