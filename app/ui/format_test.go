package ui

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

func TestParseHex(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"de ad be ef", "deadbeef", ""},
		{"DEADBEEF", "deadbeef", ""},
		{"0xde, 0xad,0x00", "dead00", ""},
		{"de:ad-be\tef\n01", "deadbeef01", ""},
		{"0x0", "", "odd number"},
		{"abc", "", "odd number"},
		{"de ad g0", "", `'g' at position 7`},
		{"é", "", "not a hex digit"},
		{"  ", "", "at least one byte"},
	} {
		got, err := parseHex(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseHex(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || previewHexAll(got) != tc.want {
			t.Errorf("parseHex(%q) = %x, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func previewHexAll(p []byte) string { return strings.ReplaceAll(previewHex(p), " ", "") }

func TestPreviews(t *testing.T) {
	if got := previewHex([]byte{0, 1, 0xab}); got != "00 01 ab" {
		t.Errorf("previewHex = %q", got)
	}
	long := make([]byte, 40)
	if got := previewHex(long); !strings.HasSuffix(got, " …") || strings.Count(got, "00") != previewBytes {
		t.Errorf("previewHex(40 bytes) = %q", got)
	}
	if got := previewText([]byte("a\nb\tc")); got != "a⏎b c" {
		t.Errorf("previewText = %q", got)
	}
	if got := previewText([]byte(strings.Repeat("é", 100))); got != strings.Repeat("é", previewRunes)+"…" {
		t.Errorf("previewText(100 runes) = %q", got)
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 65536: "64.0 KiB", 13107200: "12.5 MiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1\u202f000", 1234567: "1\u202f234\u202f567"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{420 * time.Microsecond: "0.42 ms", 12300 * time.Microsecond: "12.3 ms", 1250 * time.Millisecond: "1.25 s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDefaultEchoURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:8000/chat/": "ws://localhost:8000/echo",
		"https://example.com/":        "wss://example.com/echo",
		"/":                           "/echo",
	} {
		u, _ := url.Parse(in)
		if got := defaultEchoURL(u); got != want {
			t.Errorf("defaultEchoURL(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestParseProtocols(t *testing.T) {
	if got := parseProtocols(" echo, chat  v2.json ,"); !reflect.DeepEqual(got, []string{"echo", "chat", "v2.json"}) {
		t.Errorf("parseProtocols = %q", got)
	}
	if got := parseProtocols(""); len(got) != 0 {
		t.Errorf("parseProtocols(\"\") = %q", got)
	}
}

func TestCloseFormValidate(t *testing.T) {
	for _, tc := range []struct {
		form            closeForm
		code            wsclient.StatusCode
		codeErr, reaErr string
	}{
		{closeForm{"", ""}, 1000, "", ""},
		{closeForm{" 1000 ", "bye"}, 1000, "", ""},
		{closeForm{"3000", ""}, 3000, "", ""},
		{closeForm{"4999", strings.Repeat("x", 123)}, 4999, "", ""},
		{closeForm{"1001", ""}, 1000, "1001 (going away)", ""},
		{closeForm{"2999", ""}, 1000, "InvalidAccessError", ""},
		{closeForm{"5000", ""}, 1000, "InvalidAccessError", ""},
		{closeForm{"x", ""}, 1000, "not a number", ""},
		{closeForm{"1000", strings.Repeat("x", 124)}, 1000, "", "124 bytes"},
		{closeForm{"1000", "\xff"}, 1000, "", "not valid UTF-8"},
	} {
		code, codeErr, reaErr := tc.form.validate()
		if code != tc.code || !matches(codeErr, tc.codeErr) || !matches(reaErr, tc.reaErr) {
			t.Errorf("%+v.validate() = %v, %q, %q", tc.form, code, codeErr, reaErr)
		}
	}
}

func matches(got, want string) bool {
	if want == "" {
		return got == ""
	}
	return strings.Contains(got, want)
}

func TestMessageTime(t *testing.T) {
	if short, full := messageTime("garbage"); short != "garbage" || full != "garbage" {
		t.Errorf("messageTime(garbage) = %q, %q", short, full)
	}
}
