//go:build !wasm

package serve

import "testing"

func TestNegotiateEncoding(t *testing.T) {
	all := []string{codingBrotli, codingGzip, codingIdentity}
	for _, tc := range []struct {
		header string
		want   string
	}{
		{"", "identity"},
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0.5, gzip;q=0.8", "gzip"},
		{"br;q=0.8, gzip;q=0.8", "br"}, // a tie goes to the server's preference
		{"BR;Q=1", "br"},
		{"br;q=0, gzip;q=0", "identity"},
		{"br;q=0, *", "gzip"},
		{"*", "br"},
		{"*;q=0", "identity"}, // nothing acceptable: identity anyway
		{"*;q=0, identity;q=0.1", "identity"},
		{"identity", "identity"},
		{"x-gzip", "gzip"},
		{"gzip;q=bogus, br;q=2", "identity"}, // malformed weights are ignored
		{"gzip;q=0.001", "gzip"},
		{" gzip ; q=0.5 , identity;q=0.6", "identity"},
		{"deflate", "identity"},
	} {
		if got := negotiateEncoding(tc.header, all...); got != tc.want {
			t.Errorf("negotiateEncoding(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := negotiateEncoding("br, gzip", codingGzip, codingIdentity); got != "gzip" {
		t.Errorf("without brotli: %q, want gzip", got)
	}
}
