package wsclient

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

// String returns the code and its registered name, e.g. "1000 (normal closure)".
func (c StatusCode) String() string {
	if name := c.name(); name != "" {
		return itoa(int(c)) + " (" + name + ")"
	}
	return itoa(int(c))
}

// statusNames holds the registered names of 1000–1015, by code-1000: a
// static array rather than a map, which every program would have to build
// at start (see deps_test.go on size).
var statusNames = [...]string{
	StatusNormalClosure - 1000:           "normal closure",
	StatusGoingAway - 1000:               "going away",
	StatusProtocolError - 1000:           "protocol error",
	StatusUnsupportedData - 1000:         "unsupported data",
	StatusNoStatusRcvd - 1000:            "no status received",
	StatusAbnormalClosure - 1000:         "abnormal closure",
	StatusInvalidFramePayloadData - 1000: "invalid frame payload data",
	StatusPolicyViolation - 1000:         "policy violation",
	StatusMessageTooBig - 1000:           "message too big",
	StatusMandatoryExtension - 1000:      "mandatory extension",
	StatusInternalError - 1000:           "internal error",
	StatusServiceRestart - 1000:          "service restart",
	StatusTryAgainLater - 1000:           "try again later",
	StatusBadGateway - 1000:              "bad gateway",
	StatusTLSHandshake - 1000:            "TLS handshake",
}

// name is the code's registered name, or "".
func (c StatusCode) name() string {
	if c == StatusReceiveOverflow {
		return "receive overflow"
	}
	if i := int(c) - 1000; i >= 0 && i < len(statusNames) {
		return statusNames[i]
	}
	return ""
}
