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

// name is the code's registered name, or "". A switch rather than a map:
// no map to initialize in every program (see deps_test.go on size).
func (c StatusCode) name() string {
	switch c {
	case StatusNormalClosure:
		return "normal closure"
	case StatusGoingAway:
		return "going away"
	case StatusProtocolError:
		return "protocol error"
	case StatusUnsupportedData:
		return "unsupported data"
	case StatusNoStatusRcvd:
		return "no status received"
	case StatusAbnormalClosure:
		return "abnormal closure"
	case StatusInvalidFramePayloadData:
		return "invalid frame payload data"
	case StatusPolicyViolation:
		return "policy violation"
	case StatusMessageTooBig:
		return "message too big"
	case StatusMandatoryExtension:
		return "mandatory extension"
	case StatusInternalError:
		return "internal error"
	case StatusServiceRestart:
		return "service restart"
	case StatusTryAgainLater:
		return "try again later"
	case StatusBadGateway:
		return "bad gateway"
	case StatusTLSHandshake:
		return "TLS handshake"
	case StatusReceiveOverflow:
		return "receive overflow"
	}
	return ""
}
