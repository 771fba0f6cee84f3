//go:build !js

package wsclient

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseURL(t *testing.T) {
	base, _ := url.Parse("https://example.com/app/page?q=1#top")
	for _, tc := range []struct {
		in, want string
	}{
		{"ws://example.com/echo", "ws://example.com/echo"},
		{"wss://example.com:8443/x?y=1", "wss://example.com:8443/x?y=1"},
		{"http://example.com/echo", "ws://example.com/echo"},
		{"HTTPS://example.com/echo", "wss://example.com/echo"},
		{"ws://localhost:9998", "ws://localhost:9998/"},
		{"  ws://example.com/echo\n", "ws://example.com/echo"},
		{"/echo", "wss://example.com/echo"},
		{"chat?room=a", "wss://example.com/app/chat?room=a"},
		// As new WebSocket(""): the page's own URL, without its fragment.
		{"", "wss://example.com/app/page?q=1"},
		{" \t", "wss://example.com/app/page?q=1"},
	} {
		u, err := parseURLBase(tc.in, base)
		if err != nil {
			t.Errorf("parseURL(%q) = %v", tc.in, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("parseURL(%q) = %q, want %q", tc.in, u, tc.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	base, _ := url.Parse("http://example.com/")
	for _, tc := range []struct {
		in   string
		base *url.URL
		want string
	}{
		{"", nil, `wsclient: new: SyntaxError: relative URL "" and no page URL to resolve it against`},
		{"  ", nil, `wsclient: new: SyntaxError: relative URL "" and no page URL to resolve it against`},
		{"ws://example.com/#x", base, `wsclient: new: SyntaxError: URL "ws://example.com/#x" has a fragment`},
		{"ws://example.com/#", base, `wsclient: new: SyntaxError: URL "ws://example.com/#" has a fragment`},
		{"ftp://example.com/", base, `wsclient: new: SyntaxError: URL scheme "ftp" is not ws, wss, http or https`},
		{"javascript:alert(1)", base, `wsclient: new: SyntaxError: URL scheme "javascript" is not ws, wss, http or https`},
		{"ws://[::1", base, `wsclient: new: SyntaxError: URL "ws://[::1" does not parse: parse "ws://[::1": missing ']' in host`},
		{"ws:///path", base, `wsclient: new: SyntaxError: URL "ws:///path" has no host`},
		{"/echo", nil, `wsclient: new: SyntaxError: relative URL "/echo" and no page URL to resolve it against`},
	} {
		_, err := parseURLBase(tc.in, tc.base)
		if !errors.Is(err, ErrSyntax) || err.Error() != tc.want {
			t.Errorf("parseURL(%q) = %v, want ErrSyntax: %q", tc.in, err, tc.want)
		}
	}
}
