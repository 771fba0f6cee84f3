package ui

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/duplexgo/duplex/wsclient"
)

// closeForm is the input of the console's Close section, as typed.
type closeForm struct {
	Code   string
	Reason string
}

// validate applies the browser's close() rules to the form: the code must be
// 1000 or 3000–4999 (else the browser throws InvalidAccessError) and the
// reason at most 123 UTF-8 bytes (else SyntaxError). An empty code means
// 1000. It returns the code and, for each field, what is wrong with it ("" if
// nothing), so the page can show the problem next to the field.
func (f closeForm) validate() (code wsclient.StatusCode, codeErr, reasonErr string) {
	code = wsclient.StatusNormalClosure
	if s := strings.TrimSpace(f.Code); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			codeErr = fmt.Sprintf("%q is not a number: use 1000 or 3000–4999", s)
		case n != 1000 && (n < 3000 || n > 4999):
			codeErr = fmt.Sprintf("InvalidAccessError: a browser can only send 1000 or 3000–4999, not %s", wsclient.StatusCode(n))
		default:
			code = wsclient.StatusCode(n)
		}
	}
	switch {
	case !utf8.ValidString(f.Reason):
		reasonErr = "SyntaxError: the reason is not valid UTF-8"
	case len(f.Reason) > wsclient.MaxCloseReasonBytes:
		reasonErr = fmt.Sprintf("SyntaxError: the reason is %d bytes of UTF-8; at most %d are allowed", len(f.Reason), wsclient.MaxCloseReasonBytes)
	}
	return code, codeErr, reasonErr
}
