//go:build !js

package wstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// target serves the endpoints, a streaming path and a slow one.
func target(t *testing.T, flushed chan<- struct{}, release <-chan struct{}) string {
	t.Helper()
	mux := http.NewServeMux()
	Register(mux)
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		flushed <- struct{}{}
		<-release
		io.WriteString(w, "b")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

func hostile(t *testing.T, target string, m HostileMode) *HostileProxy {
	t.Helper()
	p, err := NewHostileProxy(target, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func wsURL(u string) string { return "ws" + strings.TrimPrefix(u, "http") }

func TestHostileProxyForwards(t *testing.T) {
	p := hostile(t, target(t, nil, nil), HostileMode{})
	c, _, err := websocket.Dial(t.Context(), wsURL(p.URL())+"/ws/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(t.Context(), websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c.Read(t.Context()); err != nil || string(msg) != "hi" {
		t.Fatalf("echo through the proxy = %q %v", msg, err)
	}
}

func TestHostileProxyStripsUpgrade(t *testing.T) {
	for _, status := range []int{400, 403, 502} {
		p := hostile(t, target(t, nil, nil), HostileMode{StripUpgrade: status})
		_, resp, err := websocket.Dial(t.Context(), wsURL(p.URL())+"/ws/echo", nil)
		if err == nil || resp == nil || resp.StatusCode != status {
			t.Errorf("handshake through a proxy stripping with %d: %v", status, err)
		}
		// Plain HTTP, the fallback's open included, passes.
		before := FallbackOpens()
		resp, err = http.Post(p.URL()+"/ws/echo?"+fallbackproto.ParamOp+"=open", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || FallbackOpens() != before+1 {
			t.Errorf("fallback open through the proxy = %d (opens %d→%d)", resp.StatusCode, before, FallbackOpens())
		}
	}
}

func TestHostileProxyBuffers(t *testing.T) {
	flushed, release := make(chan struct{}, 1), make(chan struct{})
	p := hostile(t, target(t, flushed, release), HostileMode{Buffer: true})
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(p.URL() + "/stream")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b := make([]byte, 1)
		n, _ := io.ReadFull(resp.Body, b)
		rest, _ := io.ReadAll(resp.Body)
		got <- string(b[:n]) + string(rest) + " " + resp.Header.Get("Content-Length")
	}()
	<-flushed
	select {
	case s := <-got:
		t.Fatalf("the stream's first byte came through before its end: %q", s)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if s := <-got; s != "ab 2" {
		t.Errorf("buffered response = %q, want %q", s, "ab 2")
	}
}

func TestHostileProxyCuts(t *testing.T) {
	p := hostile(t, target(t, nil, nil), HostileMode{CutAfter: 300 * time.Millisecond})
	resp, err := http.Get(p.URL() + "/slow")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("a request running past CutAfter was not cut")
	}
	if p.Cuts() != 1 {
		t.Errorf("cuts = %d, want 1", p.Cuts())
	}
	// A quick request is not.
	resp, err = http.Get(p.URL() + "/hits")
	if err != nil {
		t.Fatal(err)
	}
	var hits map[string]int64
	json.NewDecoder(resp.Body).Decode(&hits)
	resp.Body.Close()
	if _, ok := hits["fallbacks"]; !ok {
		t.Errorf("/hits = %v, want fallbacks counted", hits)
	}
}

func TestHostileProxyControl(t *testing.T) {
	p := hostile(t, target(t, nil, nil), HostileMode{})
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/mode?strip=502&buffer=1&cut=3s", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if m := p.Mode(); m != (HostileMode{StripUpgrade: 502, Buffer: true, CutAfter: 3 * time.Second}) {
		t.Errorf("mode = %+v", m)
	}
}
