// Package result is what command cspecho sends and reports, shared with the
// e2e test that checks it.
package result

// The messages cspecho sends, and its close reason.
const (
	Text        = "hello under a strict CSP ✓"
	CloseReason = "cspecho done"
)

// Binary is the binary message cspecho sends.
var Binary = []byte{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff}

// Result is what cspecho writes into its page's #result, as JSON.
type Result struct {
	Protocol    string `json:"protocol"`   // the negotiated subprotocol
	TextType    string `json:"textType"`   // the type of the text's echo
	Text        string `json:"text"`       // the text's echo
	BinaryType  string `json:"binaryType"` // the type of the binary's echo
	Binary      []byte `json:"binary"`     // the binary's echo
	CloseCode   int    `json:"closeCode"`  // how the connection ended
	CloseReason string `json:"closeReason"`
	WasClean    bool   `json:"wasClean"`
	Error       string `json:"error,omitempty"` // what failed, if anything
}
