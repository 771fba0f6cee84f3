package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

func TestPlainHTTPOnWebSocketPaths(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	for _, path := range []string{"/echo", "/chat", "/chat?room=x"} {
		resp, body := httpGet(t, ctx, nil, ts.url(path), nil)
		if resp.StatusCode != http.StatusUpgradeRequired {
			t.Errorf("GET %s: status %d, want 426", path, resp.StatusCode)
		}
		if resp.Header.Get("Upgrade") != "websocket" || resp.Header.Get("Sec-WebSocket-Version") != "13" {
			t.Errorf("GET %s: headers %v", path, resp.Header)
		}
		p, _, _ := strings.Cut(path, "?")
		if !strings.Contains(body, "WebSocket endpoint") || !strings.Contains(body, "ws://"+ts.addr+p) {
			t.Errorf("GET %s: body %q", path, body)
		}
	}
	// Upgrade to something else is not a WebSocket handshake either.
	resp, _ := httpGet(t, ctx, nil, ts.url("/echo"), http.Header{"Connection": {"Upgrade"}, "Upgrade": {"h2c"}})
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("Upgrade: h2c: status %d, want 426", resp.StatusCode)
	}
}

// browserAccept is the Accept header of a Chromium navigation.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"

// A page request on /chat (the browser loading or reloading the app's chat
// page) goes to Root; every other plain request on /chat or /echo still gets
// 426, and WebSocket handshakes are unaffected.
func TestChatPageNegotiation(t *testing.T) {
	ctx := testCtx(t)
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("app:" + r.Method + " " + r.URL.RequestURI()))
	})
	ts := startServer(t, Config{Root: root})

	request := func(method, path string, accept ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, ts.url(path), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accept {
			req.Header.Add("Accept", a)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var body strings.Builder
		io.Copy(&body, resp.Body)
		return resp, body.String()
	}

	// Browsers: the page.
	for _, path := range []string{"/chat", "/chat?room=gophers"} {
		resp, body := request(http.MethodGet, path, browserAccept)
		if resp.StatusCode != http.StatusOK || body != "app:GET "+path {
			t.Errorf("GET %s as a browser: %d %q, want the app's page", path, resp.StatusCode, body)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
			t.Errorf("GET %s as a browser: Vary %q, want Accept", path, resp.Header.Get("Vary"))
		}
	}
	if resp, body := request(http.MethodHead, "/chat", "text/html"); resp.StatusCode != http.StatusOK || body != "" ||
		resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /chat as a browser: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	// Everything else on /chat: 426, with the explanation.
	for _, tc := range []struct {
		method string
		accept []string
	}{
		{http.MethodGet, nil},                            // Go's http.Get, curl without -H
		{http.MethodGet, []string{"*/*"}},                // curl
		{http.MethodGet, []string{"application/json"}},   // an API client
		{http.MethodGet, []string{"text/html;q=0, */*"}}, // refuses HTML
		{http.MethodPost, []string{browserAccept}},       // not a page load
	} {
		resp, body := request(tc.method, "/chat", tc.accept...)
		if resp.StatusCode != http.StatusUpgradeRequired || !strings.Contains(body, "WebSocket endpoint") ||
			resp.Header.Get("Upgrade") != "websocket" {
			t.Errorf("%s /chat with Accept %q: %d %q, want 426", tc.method, tc.accept, resp.StatusCode, body)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
			t.Errorf("%s /chat with Accept %q: Vary %q, want Accept", tc.method, tc.accept, resp.Header.Get("Vary"))
		}
	}
	// /echo has no page: 426 even for a browser.
	if resp, body := request(http.MethodGet, "/echo", browserAccept); resp.StatusCode != http.StatusUpgradeRequired ||
		!strings.Contains(body, "ws://"+ts.addr+"/echo") {
		t.Errorf("GET /echo as a browser: %d %q, want 426", resp.StatusCode, body)
	}
	// Page loads are not rejected handshakes: 5 on /chat and 1 on /echo are.
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="not_websocket"}`); got != 6 {
		t.Errorf("not_websocket rejections = %v, want 6", got)
	}

	// WebSocket handshakes still reach the chat, whatever they accept.
	c := dial(t, ctx, ts.ws("/chat?room=neg&name=ann"), &websocket.DialOptions{HTTPHeader: http.Header{"Accept": {browserAccept}}})
	_, msg, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(msg), `"type":"welcome"`) {
		t.Fatalf("first frame on /chat: %q, %v", msg, err)
	}
	c.Close(websocket.StatusNormalClosure, "")

	// Without a Root (the files of WebDir) there is no page: 426.
	ts = startServer(t, Config{})
	if resp, _ := httpGet(t, ctx, nil, ts.url("/chat"), http.Header{"Accept": {browserAccept}}); resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("GET /chat as a browser without Root: %d, want 426", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	resp, body := httpGet(t, ctx, nil, ts.url("/healthz"), nil)
	if resp.StatusCode != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.url("/healthz"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", resp.StatusCode)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	echoOnce(t, ctx, c, "12345")
	c.Close(websocket.StatusNormalClosure, "")
	ts.waitMetric(t, `duplex_closes_total{code="1000"}`, 1)
	httpGet(t, ctx, nil, ts.url("/echo"), nil) // a 426

	resp, body := httpGet(t, ctx, nil, ts.url("/metrics"), nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`duplex_connections_open{path="/echo",transport="websocket"} 0`,
		`duplex_connections_total{path="/echo",transport="websocket"} 1`,
		`duplex_messages_in_total{path="/echo",transport="websocket"} 1`,
		`duplex_messages_out_total{path="/echo",transport="websocket"} 1`,
		`duplex_bytes_in_total{path="/echo",transport="websocket"} 5`,
		`duplex_bytes_out_total{path="/echo",transport="websocket"} 5`,
		`duplex_closes_total{code="1000"} 1`,
		`duplex_handshakes_rejected_total{reason="not_websocket"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

func TestRootHandler(t *testing.T) {
	ctx := testCtx(t)

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>duplex</h1>"), 0o644)
	ts := startServer(t, Config{WebDir: dir})
	if resp, body := httpGet(t, ctx, nil, ts.url("/"), nil); resp.StatusCode != 200 || body != "<h1>duplex</h1>" {
		t.Errorf("GET / from WebDir: %d %q", resp.StatusCode, body)
	}

	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("app:" + r.URL.Path))
	})
	ts = startServer(t, Config{Root: root})
	for _, path := range []string{"/", "/chat/room", "/echo/", "/web/app.wasm"} {
		if resp, body := httpGet(t, ctx, nil, ts.url(path), nil); resp.StatusCode != 200 || body != "app:"+path {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, body)
		}
	}
	// The fixed endpoints are not the Root's.
	if _, body := httpGet(t, ctx, nil, ts.url("/healthz"), nil); body != "ok\n" {
		t.Errorf("/healthz went to Root: %q", body)
	}
}

// Handler can be mounted in another server.
func TestHandlerMounted(t *testing.T) {
	srv := New(Config{Logger: discardLogger()})
	hs := &http.Server{Handler: srv.Handler()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	ctx := testCtx(t)
	c := dial(t, ctx, "ws://"+ln.Addr().String()+"/echo", nil)
	echoOnce(t, ctx, c, "mounted")

	// Shutdown closes the WebSocket connections even so.
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Shutdown(sctx) }()
	expectClose(t, ctx, c, websocket.StatusGoingAway)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	hs.Shutdown(sctx)
}

func TestGracefulShutdown(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	var conns []*websocket.Conn
	for range 3 {
		c := dial(t, ctx, ts.ws("/echo"), nil)
		echoOnce(t, ctx, c, "hi")
		conns = append(conns, c)
	}
	for _, name := range []string{"ann", "bob"} {
		c, _ := join(t, ctx, ts, "r", name)
		conns = append(conns, c)
	}

	results := make(chan error, len(conns))
	for _, c := range conns {
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					results <- err
					return
				}
			}
		}()
	}
	ts.cancel() // as on SIGTERM
	for range conns {
		err := <-results
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "server shutting down" {
			t.Errorf("client saw %v, want close 1001", err)
		}
	}
	select {
	case err := <-ts.done:
		ts.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return")
	}
	if got := ts.metric(t, `duplex_closes_total{code="1001"}`); got != 5 {
		t.Errorf("1001 closes = %v, want 5", got)
	}
	if n := ts.srv.reg.count(); n != 0 {
		t.Errorf("%d connections still registered", n)
	}
	if _, _, err := websocket.Dial(ctx, ts.ws("/echo"), nil); err == nil {
		t.Error("dial after shutdown succeeded")
	}
}

// A client that never answers the close frame does not hold shutdown up
// beyond its bound, and its connection is closed anyway.
func TestShutdownBounded(t *testing.T) {
	ts := startServer(t, Config{ShutdownTimeout: 500 * time.Millisecond})
	ctx := testCtx(t)
	polite := dial(t, ctx, ts.ws("/echo"), nil)
	rude := rawDial(t, ts.addr, "/echo", nil) // never reads until told
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 2)

	start := time.Now()
	ts.cancel()
	go polite.Read(ctx) // answers the close
	var err error
	select {
	case err = <-ts.done:
		ts.done <- nil
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve returned %v, want a deadline error for the forced close", err)
	}
	t.Logf("shutdown took %v", time.Since(start))
	rude.expectCloseFrame(t, int(websocket.StatusGoingAway))
	rude.expectEOF(t)
	if n := ts.srv.reg.count(); n != 0 {
		t.Errorf("%d connections still registered", n)
	}
}

func TestHealthzDuringShutdown(t *testing.T) {
	srv := New(Config{Logger: discardLogger()})
	srv.shuttingDown.Store(true)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz during shutdown: %d", rec.Code)
	}
}

func TestConnectionLimit(t *testing.T) {
	ts := startServer(t, Config{MaxConns: 2})
	ctx := testCtx(t)
	a := dial(t, ctx, ts.ws("/echo"), nil)
	dial(t, ctx, chatURL(ts, "", ""), nil)
	status, body := dialStatus(t, ctx, ts.ws("/echo"), nil)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "too many connections") {
		t.Fatalf("third connection: %d %q, want 503", status, body)
	}
	if status, _ := dialStatus(t, ctx, chatURL(ts, "", ""), nil); status != http.StatusServiceUnavailable {
		t.Fatalf("third connection to /chat: %d, want 503", status)
	}
	// Plain HTTP is not limited.
	if resp, _ := httpGet(t, ctx, nil, ts.url("/healthz"), nil); resp.StatusCode != 200 {
		t.Fatalf("/healthz at the limit: %d", resp.StatusCode)
	}
	a.Close(websocket.StatusNormalClosure, "")
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 0)
	echoOnce(t, ctx, dial(t, ctx, ts.ws("/echo"), nil), "room again")
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="limit"}`); got != 2 {
		t.Errorf("limit rejections = %v, want 2", got)
	}
}

// writeCert writes a self-signed ECDSA certificate for 127.0.0.1 and
// localhost, and returns the file paths and a pool trusting it.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "duplex test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestWSS(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	ts := startServer(t, Config{TLSCert: certFile, TLSKey: keyFile})
	ctx := testCtx(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	opts := &websocket.DialOptions{HTTPClient: client}

	if !strings.HasPrefix(ts.ws("/echo"), "wss://") {
		t.Fatalf("URL %s", ts.ws("/echo"))
	}
	c := dial(t, ctx, ts.ws("/echo"), opts)
	c.SetReadLimit(1 << 20)
	echoOnce(t, ctx, c, "secure")
	big := textPayload(300 << 10)
	if err := c.Write(ctx, websocket.MessageText, big); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != string(big) {
		t.Fatalf("300 KiB over wss: %d bytes, %v", len(got), err)
	}

	chat := dial(t, ctx, strings.Replace(chatURL(ts, "", "tls"), "ws://", "wss://", 1), opts)
	if ev := readEvent(t, ctx, chat); ev.Type != chatproto.TypeWelcome || ev.You != "tls" {
		t.Fatalf("chat over wss: %+v", ev)
	}
	if resp, body := httpGet(t, ctx, client, ts.url("/healthz"), nil); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("https /healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := httpGet(t, ctx, client, ts.url("/echo"), nil); resp.StatusCode != 426 || !strings.Contains(body, "wss://") {
		t.Fatalf("https /echo: %d %q", resp.StatusCode, body)
	}
	// An untrusting client fails the TLS handshake; plain ws:// is no
	// WebSocket either.
	if _, _, err := websocket.Dial(ctx, ts.ws("/echo"), nil); err == nil {
		t.Fatal("dial without trusting the certificate succeeded")
	}
	if _, _, err := websocket.Dial(ctx, "ws://"+ts.addr+"/echo", nil); err == nil {
		t.Fatal("ws:// to the TLS port succeeded")
	}

	// Shutdown delivers 1001 over TLS too.
	go ts.cancel()
	expectClose(t, ctx, c, websocket.StatusGoingAway)
}

func TestServeErrors(t *testing.T) {
	ctx := testCtx(t)
	for _, cfg := range []Config{
		{TLSCert: "cert.pem"},
		{TLSCert: "/nonexistent/cert.pem", TLSKey: "/nonexistent/key.pem"},
		{AllowedOrigins: []string{"[bad"}},
	} {
		cfg.Logger = discardLogger()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if err := New(cfg).Serve(ctx, ln); err == nil {
			t.Errorf("Serve with %+v succeeded", cfg)
		}
		if _, err := ln.Accept(); err == nil {
			t.Errorf("listener left open")
		}
	}
	cfg := Config{Addr: "127.0.0.1:-1", Logger: discardLogger()}
	if err := New(cfg).ListenAndServe(ctx); err == nil {
		t.Error("ListenAndServe on a bad address succeeded")
	}
}

func TestListenAndServe(t *testing.T) {
	// Find a free port, then let ListenAndServe take it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := New(Config{Addr: addr, Logger: discardLogger()})
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	var c *websocket.Conn
	for i := 0; ; i++ {
		c, _, err = websocket.Dial(testCtx(t), "ws://"+addr+"/echo", nil)
		if err == nil {
			break
		}
		if i > 200 {
			t.Fatalf("server never came up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer c.CloseNow()
	echoOnce(t, testCtx(t), c, "up")
	cancel()
	expectClose(t, testCtx(t), c, websocket.StatusGoingAway)
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
}

// Serve returns nil once a direct call to Shutdown has finished.
func TestShutdownDirect(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	go c.Read(ctx) // answers the close
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ts.done:
		ts.done <- err
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return after Shutdown")
	}
	if n := ts.srv.reg.count(); n != 0 {
		t.Fatalf("%d connections left", n)
	}
	// A second Shutdown is harmless.
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
