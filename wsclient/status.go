package wsclient

import "fmt"

// StatusCode is a WebSocket close code (RFC 6455 section 7.4).
type StatusCode int

// Close codes defined by RFC 6455 and the IANA registry. A browser's close()
// accepts only StatusNormalClosure and codes 3000–4999; the others can only be
// received from the peer or reported by the browser.
const (
	StatusNormalClosure           StatusCode = 1000
	StatusGoingAway               StatusCode = 1001
	StatusProtocolError           StatusCode = 1002
	StatusUnsupportedData         StatusCode = 1003
	StatusNoStatusRcvd            StatusCode = 1005
	StatusAbnormalClosure         StatusCode = 1006
	StatusInvalidFramePayloadData StatusCode = 1007
	StatusPolicyViolation         StatusCode = 1008
	StatusMessageTooBig           StatusCode = 1009
	StatusMandatoryExtension      StatusCode = 1010
	StatusInternalError           StatusCode = 1011
	StatusServiceRestart          StatusCode = 1012
	StatusTryAgainLater           StatusCode = 1013
	StatusBadGateway              StatusCode = 1014
	StatusTLSHandshake            StatusCode = 1015
)

// StatusReceiveOverflow is the private-range code wsclient closes with when
// received messages pile up beyond Options.MaxPendingMessages or
// Options.MaxPendingBytes because nobody reads them (see Conn.Read).
const StatusReceiveOverflow StatusCode = 4008

var statusNames = map[StatusCode]string{
	StatusNormalClosure:           "normal closure",
	StatusGoingAway:               "going away",
	StatusProtocolError:           "protocol error",
	StatusUnsupportedData:         "unsupported data",
	StatusNoStatusRcvd:            "no status received",
	StatusAbnormalClosure:         "abnormal closure",
	StatusInvalidFramePayloadData: "invalid frame payload data",
	StatusPolicyViolation:         "policy violation",
	StatusMessageTooBig:           "message too big",
	StatusMandatoryExtension:      "mandatory extension",
	StatusInternalError:           "internal error",
	StatusServiceRestart:          "service restart",
	StatusTryAgainLater:           "try again later",
	StatusBadGateway:              "bad gateway",
	StatusTLSHandshake:            "TLS handshake",
	StatusReceiveOverflow:         "receive overflow",
}

// String returns the code and its registered name, e.g. "1000 (normal closure)".
func (c StatusCode) String() string {
	if name, ok := statusNames[c]; ok {
		return fmt.Sprintf("%d (%s)", int(c), name)
	}
	return fmt.Sprintf("%d", int(c))
}
