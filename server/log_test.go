package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "shown" || rec["k"] != 1.0 {
		t.Fatalf("json log %q: %v", buf.String(), err)
	}
	buf.Reset()
	l, err = NewLogger(&buf, "text", "DEBUG")
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("dbg")
	if !strings.Contains(buf.String(), "msg=dbg") {
		t.Fatalf("text log %q", buf.String())
	}
	if _, err := NewLogger(io.Discard, "xml", "info"); err == nil {
		t.Error("format xml accepted")
	}
	if _, err := NewLogger(io.Discard, "text", "loud"); err == nil {
		t.Error("level loud accepted")
	}
}

// One line on open and one on close, with remote address, path, close code
// and duration.
func TestConnectionLogLines(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{Subprotocols: []string{"echo"}})
	echoOnce(t, ctx, c, "log me")
	c.Close(websocket.StatusNormalClosure, "done")
	closeRec := ts.logs.waitFor(t, "close line", func(r map[string]any) bool { return r["msg"] == "websocket close" })

	var opens []map[string]any
	for _, r := range ts.logs.records() {
		if r["msg"] == "websocket open" {
			opens = append(opens, r)
		}
	}
	if len(opens) != 1 {
		t.Fatalf("%d open lines", len(opens))
	}
	open := opens[0]
	remote, _ := open["remote"].(string)
	if !strings.HasPrefix(remote, "127.0.0.1:") || open["path"] != "/echo" || open["proto"] != "echo" || open["level"] != "INFO" {
		t.Errorf("open line %v", open)
	}
	if closeRec["remote"] != remote || closeRec["path"] != "/echo" || closeRec["code"] != 1000.0 ||
		closeRec["reason"] != "done" || closeRec["by"] != "client" || closeRec["conn"] != open["conn"] {
		t.Errorf("close line %v", closeRec)
	}
	if _, ok := closeRec["duration"].(float64); !ok {
		t.Errorf("close line has no duration: %v", closeRec)
	}
	if closeRec["msgs_in"] != 1.0 || closeRec["bytes_out"] != 6.0 {
		t.Errorf("close line counts: %v", closeRec)
	}
}
