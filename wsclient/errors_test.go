package wsclient

import (
	"errors"
	"fmt"
	"testing"
)

func TestCloseErrorMatchesErrClosedAndCarriesTheCode(t *testing.T) {
	err := fmt.Errorf("wsclient: read: %w", &CloseError{Code: 4001, Reason: "bye", WasClean: true})
	if !errors.Is(err, ErrClosed) {
		t.Fatal("a wrapped *CloseError does not match ErrClosed")
	}
	if got := CloseStatus(err); got != 4001 {
		t.Fatalf("CloseStatus = %v", got)
	}
	if got := CloseStatus(errors.New("other")); got != -1 {
		t.Fatalf("CloseStatus(other) = %v, want -1", got)
	}
	if got := CloseStatus(nil); got != -1 {
		t.Fatalf("CloseStatus(nil) = %v, want -1", got)
	}
	want := `wsclient: read: wsclient: closed with 4001 "bye" (clean)`
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestJSErrorMatchesTheSentinelOfItsName(t *testing.T) {
	for name, target := range map[string]error{
		"SyntaxError":        ErrSyntax,
		"InvalidAccessError": ErrInvalidAccess,
		"InvalidStateError":  ErrInvalidState,
	} {
		err := opError("send", &JSError{Name: name, Message: "m"})
		if !errors.Is(err, target) {
			t.Errorf("JSError %s does not match its sentinel", name)
		}
	}
	if errors.Is(&JSError{Name: "TypeError"}, ErrSyntax) {
		t.Error("TypeError matches ErrSyntax")
	}
}

func TestStringers(t *testing.T) {
	for s, want := range map[fmt.Stringer]string{
		Connecting:                    "CONNECTING",
		Open:                          "OPEN",
		Closing:                       "CLOSING",
		Closed:                        "CLOSED",
		State(7):                      "State(7)",
		Text:                          "text",
		Binary:                        "binary",
		MessageType(5):                "MessageType(5)",
		StatusNormalClosure:           "1000 (normal closure)",
		StatusGoingAway:               "1001 (going away)",
		StatusCode(4321):              "4321",
		StatusReceiveOverflow:         "4008 (receive overflow)",
		StatusAbnormalClosure:         "1006 (abnormal closure)",
		StatusMessageTooBig:           "1009 (message too big)",
		StatusPolicyViolation:         "1008 (policy violation)",
		StatusInternalError:           "1011 (internal error)",
		StatusNoStatusRcvd:            "1005 (no status received)",
		StatusServiceRestart:          "1012 (service restart)",
		StatusTryAgainLater:           "1013 (try again later)",
		StatusProtocolError:           "1002 (protocol error)",
		StatusUnsupportedData:         "1003 (unsupported data)",
		StatusTLSHandshake:            "1015 (TLS handshake)",
		StatusBadGateway:              "1014 (bad gateway)",
		StatusMandatoryExtension:      "1010 (mandatory extension)",
		StatusInvalidFramePayloadData: "1007 (invalid frame payload data)",
	} {
		if got := s.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
