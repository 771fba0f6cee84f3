package server

import (
	"net/http"
	"testing"
)

func TestIsWebSocketUpgrade(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want bool
	}{
		{http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}}, true},
		{http.Header{"Connection": {"keep-alive, Upgrade"}, "Upgrade": {"WebSocket"}}, true},
		{http.Header{"Connection": {"keep-alive", "upgrade"}, "Upgrade": {"h2c, websocket"}}, true},
		{http.Header{"Connection": {"keep-alive"}, "Upgrade": {"websocket"}}, false},
		{http.Header{"Connection": {"Upgrade"}, "Upgrade": {"h2c"}}, false},
		{http.Header{"Connection": {"Upgraded"}, "Upgrade": {"websocket"}}, false},
		{http.Header{}, false},
	} {
		r := &http.Request{Header: tc.h}
		if got := isWebSocketUpgrade(r); got != tc.want {
			t.Errorf("isWebSocketUpgrade(%v) = %v", tc.h, got)
		}
	}
}
