package main

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/clients"
	"github.com/duplexgo/duplex/e2e/bench/internal/wsframe"
	"github.com/duplexgo/duplex/server/fallback"
)

// registerBench adds the /bench/ routes.
func registerBench(mux *http.ServeMux, wasmDir string) error {
	wasmExec, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return fmt.Errorf("reading Go's wasm_exec.js: %w", err)
	}
	started := time.Now()
	runPage, err := fs.ReadFile(clients.Assets, "pages/run.html")
	if err != nil {
		return err
	}

	mux.HandleFunc("GET /bench/run.html", func(w http.ResponseWriter, r *http.Request) {
		// Cross-origin isolation gives the page a 5 µs performance.now()
		// instead of 100 µs: round trips on loopback are ~100 µs.
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.Write(runPage)
	})
	// The pages' scripts: jsnative/bench.js, pages/paired.js.
	scripts := http.FileServerFS(clients.Assets)
	mux.HandleFunc("GET /bench/{dir}/{file}", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.PathValue("file"), ".js") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "no-cache")
		http.StripPrefix("/bench", scripts).ServeHTTP(w, r)
	})
	// Static files are revalidated on every load (Cache-Control: no-cache,
	// as go-app serves app.wasm): a warm start costs a 304, not a download.
	mux.HandleFunc("GET /bench/wasm_exec.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "wasm_exec.js", started, bytes.NewReader(wasmExec))
	})
	mux.HandleFunc("GET /bench/wasm/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !strings.HasSuffix(name, ".wasm") || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, filepath.Join(wasmDir, name))
	})
	mux.HandleFunc("GET /bench/start", startPage)
	// The flood serves the HTTP fallback too, as the server's endpoints
	// do, for the clients measured on it.
	mux.Handle("/bench/flood", fallback.New(http.HandlerFunc(flood), fallback.Config{}))
	return nil
}

// startPage serves a page that loads one client and records, in
// window.firstOpen, the performance.now() of the first WebSocket open event
// (or WebSocketStream's opened promise): the time from navigation start.
// Both are wrapped before the client loads, so the clients themselves are
// unchanged. ?client=jsnative opens a
// WebSocket from inline JavaScript; any other value NAME loads
// /bench/wasm/NAME.wasm with wasm_exec.js.
func startPage(w http.ResponseWriter, r *http.Request) {
	client := r.URL.Query().Get("client")
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>start</title><script>
window.firstOpen = new Promise((resolve) => {
  const W = window.WebSocket;
  window.WebSocket = class extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => resolve(performance.now()), { once: true });
    }
  };
  // WebSocketStream (Chromium 124+) opens when its opened promise settles.
  const S = window.WebSocketStream;
  if (typeof S === "function") {
    window.WebSocketStream = class extends S {
      constructor(...args) {
        super(...args);
        this.opened.then(() => resolve(performance.now()), () => {});
      }
    };
  }
});
</script>`)
	if client == "jsnative" {
		b.WriteString(`<script>
const ws = new WebSocket("/echo");
ws.onopen = () => ws.send("hello");
ws.onmessage = (e) => { console.log(e.data); ws.close(1000, ""); };
</script>`)
	} else {
		fmt.Fprintf(&b, `<script src="/bench/wasm_exec.js"></script><script>
(async () => {
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch("/bench/wasm/%s.wasm"), go.importObject);
  await go.run(instance);
})();
</script>`, html.EscapeString(client))
	}
	b.WriteString("</head><body></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(b.String()))
}

// flood performs the WebSocket handshake itself and writes pre-encoded
// frames in 64 KiB batches, so that the server costs next to nothing and the
// browser's receiving side is what gets measured. It waits for a message
// from the client before it starts, so the client times the flood from its
// own request: a message holding a number asks for that many messages,
// any other for n. Then it closes with 1000 — or, with repeat=1, waits for
// the next request, until the client closes.
func flood(w http.ResponseWriter, r *http.Request) {
	n, err1 := strconv.Atoi(r.URL.Query().Get("n"))
	size, err2 := strconv.Atoi(r.URL.Query().Get("size"))
	repeat := r.URL.Query().Get("repeat") == "1"
	if err1 != nil || err2 != nil || !floodCount(n) || size < 0 || size > 1<<16 {
		http.Error(w, "want ?n=0..10000000&size=0..65536[&repeat=1]", http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if key == "" || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "not a WebSocket handshake", http.StatusBadRequest)
		return
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer nc.Close()
	fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		wsframe.AcceptKey(key))
	if err := brw.Flush(); err != nil {
		return
	}

	msg := make([]byte, size)
	for i := range msg {
		msg[i] = 'a' + byte(i%26)
	}
	frame := wsframe.AppendFrame(nil, true, wsframe.OpBinary, nil, msg)
	perBatch := max(1, (64<<10)/len(frame))
	batch := bytes.Repeat(frame, perBatch)
	for {
		// A repeated flood's client may idle between requests (it runs other
		// blocks): each request gets its own deadline.
		nc.SetDeadline(time.Now().Add(2 * time.Minute))
		req, err := waitForData(brw.Reader)
		if err != nil {
			return
		}
		count := n
		if k, err := strconv.Atoi(string(req)); err == nil && floodCount(k) {
			count = k
		}
		for sent := 0; sent < count; {
			k := min(perBatch, count-sent)
			if _, err := nc.Write(batch[:k*len(frame)]); err != nil {
				return
			}
			sent += k
		}
		if !repeat {
			break
		}
	}
	closeFrame := wsframe.AppendFrame(nil, true, wsframe.OpClose, nil, []byte{0x03, 0xE8}) // 1000
	if _, err := nc.Write(closeFrame); err != nil {
		return
	}
	// Wait (briefly) for the client's close frame, then close TCP.
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	for {
		f, err := wsframe.ReadFrame(brw.Reader, nil)
		if err != nil || f.Op == wsframe.OpClose {
			return
		}
	}
}

// floodCount reports whether n messages is a flood the endpoint serves.
func floodCount(n int) bool { return n >= 0 && n <= 10_000_000 }

// waitForData reads frames until the first data message and returns its
// payload. A close frame from the client is answered, and ends the wait
// with an error.
func waitForData(br *bufio.Reader) ([]byte, error) {
	for {
		f, err := wsframe.ReadFrame(br, nil)
		if err != nil {
			return nil, err
		}
		switch f.Op {
		case wsframe.OpClose:
			return nil, fmt.Errorf("client closed")
		case wsframe.OpText, wsframe.OpBinary:
			return f.Payload, nil
		}
	}
}
