//go:build !linux

package server

import "testing"

// Off Linux there is no SIOCOUTQ: unsentBytes says it does not know.
func TestUnsentBytesUnknown(t *testing.T) {
	if n := unsentBytes(nil); n != -1 {
		t.Fatalf("unsentBytes = %d, want -1 off Linux", n)
	}
}
