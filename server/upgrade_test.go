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

func TestIsPageRequest(t *testing.T) {
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	for _, tc := range []struct {
		method string
		accept []string
		want   bool
	}{
		{http.MethodGet, []string{browser}, true},
		{http.MethodHead, []string{browser}, true},
		{http.MethodGet, []string{"TEXT/HTML"}, true},
		{http.MethodGet, []string{"application/json", " text/html ; charset=utf-8"}, true},
		{http.MethodGet, []string{"text/html;level=1;q=0.5"}, true},
		{http.MethodGet, nil, false},                            // curl without -H, Go's http.Get
		{http.MethodGet, []string{"*/*"}, false},                // curl
		{http.MethodGet, []string{"text/*"}, false},             // not text/html itself
		{http.MethodGet, []string{"text/html;q=0"}, false},      // explicitly refused
		{http.MethodGet, []string{"text/html; q=0.000"}, false}, // the same
		{http.MethodGet, []string{"text/plain, application/xhtml+xml"}, false},
		{http.MethodPost, []string{browser}, false},
		{http.MethodOptions, []string{browser}, false},
	} {
		r := &http.Request{Method: tc.method, Header: http.Header{}}
		for _, a := range tc.accept {
			r.Header.Add("Accept", a)
		}
		if got := isPageRequest(r); got != tc.want {
			t.Errorf("isPageRequest(%s, Accept %q) = %v, want %v", tc.method, tc.accept, got, tc.want)
		}
	}
}
