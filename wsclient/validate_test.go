package wsclient

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateProtocols(t *testing.T) {
	if err := validateProtocols([]string{"chat", "v2.duplex", "x-a_b~!"}); err != nil {
		t.Fatal(err)
	}
	if err := validateProtocols(nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{""}, {"a b"}, {"a,b"}, {"a;b"}, {"(x)"}, {"é"}, {"a", "a"}, {"\x00"},
	} {
		if err := validateProtocols(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("validateProtocols(%q) = %v, want ErrSyntax", bad, err)
		}
	}
	// Subprotocol names are case-sensitive (RFC 6455 section 11.5): both stay.
	if err := validateProtocols([]string{"Chat", "chat"}); err != nil {
		t.Errorf("differently cased protocols refused: %v", err)
	}
}

func TestValidateClose(t *testing.T) {
	for _, code := range []StatusCode{1000, 3000, 3999, 4000, 4999} {
		if err := validateClose(code, "ok"); err != nil {
			t.Errorf("validateClose(%d) = %v", code, err)
		}
	}
	for _, code := range []StatusCode{0, 999, 1001, 1002, 1005, 1006, 1008, 1011, 1015, 2999, 5000, 65535} {
		if err := validateClose(code, ""); !errors.Is(err, ErrInvalidAccess) {
			t.Errorf("validateClose(%d) = %v, want ErrInvalidAccess", code, err)
		}
	}
	if err := validateClose(1000, strings.Repeat("a", 123)); err != nil {
		t.Errorf("123-byte reason refused: %v", err)
	}
	for _, reason := range []string{strings.Repeat("a", 124), strings.Repeat("€", 42), "\xc3"} {
		if err := validateClose(1000, reason); !errors.Is(err, ErrSyntax) {
			t.Errorf("validateClose(reason of %d bytes) = %v, want ErrSyntax", len(reason), err)
		}
	}
	// Not UTF-8: ErrSyntax (Close's rule) and ErrInvalidUTF8 (as text).
	for _, reason := range []string{"\xc3", "ok \xff", strings.Repeat("\xff", 124)} {
		err := validateClose(4000, reason)
		if !errors.Is(err, ErrSyntax) || !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("validateClose(%q) = %v, want ErrSyntax and ErrInvalidUTF8", reason, err)
		}
	}
	if err := validateClose(4000, strings.Repeat("a", 124)); errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("a long valid reason matches ErrInvalidUTF8: %v", err)
	}
}

func TestValidateMessage(t *testing.T) {
	if err := validateMessage("send", Text, []byte("héllo")); err != nil {
		t.Fatal(err)
	}
	if err := validateMessage("send", Binary, []byte{0xff}); err != nil {
		t.Fatal(err)
	}
	if err := validateMessage("send", Text, []byte{0xff}); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 text: %v", err)
	}
	if err := validateMessage("send", 0, nil); err == nil {
		t.Fatal("message type 0 accepted")
	}
}
