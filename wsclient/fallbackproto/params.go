package fallbackproto

// Query parameters of the fallback's requests.
const (
	// ParamOp names the operation: OpOpen, OpRecv or OpSend. A request
	// without it is not a fallback request.
	ParamOp = "duplex-fallback"
	// ParamSession is the session id an open returned (recv, send).
	ParamSession = "duplex-session"
	// ParamProtocols lists the requested subprotocols, comma-separated
	// (open), as the Sec-WebSocket-Protocol header would.
	ParamProtocols = "duplex-protocols"
	// ParamAck is the count of downstream bytes the client has (recv, and
	// optionally send).
	ParamAck = "duplex-ack"
	// ParamOffset is the upstream offset of a send's first body byte.
	ParamOffset = "duplex-offset"
	// ParamMode is ModeStream or ModePoll (recv).
	ParamMode = "duplex-mode"
	// ParamProbe on a WebSocket handshake asks a duplex server to accept
	// and close at once with 1000, without running the endpoint.
	ParamProbe = "duplex-probe"
)

// Operations, the values of ParamOp.
const (
	OpOpen = "open"
	OpRecv = "recv"
	OpSend = "send"
)

// Receive modes, the values of ParamMode.
const (
	// ModeStream keeps the response open and writes records as they come.
	ModeStream = "stream"
	// ModePoll ends the response once it carries data, or after the poll
	// timeout with a heartbeat alone.
	ModePoll = "poll"
)

// PaddingSize is the padding a stream starts with: a few proxies and
// browsers hold the first bytes of a response back until there are more.
const PaddingSize = 2048
