package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsExposition(t *testing.T) {
	m := newMetrics("/echo", "/chat")
	m.rooms = func() int { return 3 }
	e := m.path("/echo", transportWebSocket)
	m.path("/chat", transportHTTP).open.Add(1)
	e.open.Add(2)
	e.total.Add(5)
	e.msgsIn.Add(7)
	e.msgsOut.Add(6)
	e.bytesIn.Add(700)
	e.bytesOut.Add(600)
	m.closed(1001)
	m.closed(1001)
	m.closed(1000)
	m.rejectedHandshake("origin")

	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"# TYPE duplex_connections_open gauge\n",
		`duplex_connections_open{path="/echo",transport="websocket"} 2` + "\n",
		`duplex_connections_open{path="/chat",transport="websocket"} 0` + "\n",
		`duplex_connections_open{path="/chat",transport="http"} 1` + "\n",
		"# TYPE duplex_connections_total counter\n",
		`duplex_connections_total{path="/echo",transport="websocket"} 5` + "\n",
		`duplex_messages_in_total{path="/echo",transport="websocket"} 7` + "\n",
		`duplex_messages_out_total{path="/echo",transport="websocket"} 6` + "\n",
		`duplex_bytes_in_total{path="/echo",transport="websocket"} 700` + "\n",
		`duplex_bytes_out_total{path="/echo",transport="websocket"} 600` + "\n",
		`duplex_closes_total{code="1000"} 1` + "\n" + `duplex_closes_total{code="1001"} 2` + "\n",
		`duplex_handshakes_rejected_total{reason="origin"} 1` + "\n",
		"duplex_chat_rooms 3\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q\n%s", want, body)
		}
	}
	parseExposition(t, body)
	if got := m.closeCount(1001); got != 2 {
		t.Errorf("closeCount(1001) = %d", got)
	}
}

func TestLabelsEscaping(t *testing.T) {
	if got, want := labels("a", "x\"y\\z\n", "b", "c"), `{a="x\"y\\z\n",b="c"}`; got != want {
		t.Fatalf("labels = %s, want %s", got, want)
	}
}
