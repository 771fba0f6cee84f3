//go:build !wasm

package serve

import (
	"strconv"
	"strings"
)

// Content codings the handler can send, in order of preference when the
// client accepts several equally.
const (
	codingBrotli   = "br"
	codingGzip     = "gzip"
	codingIdentity = "identity"
)

// negotiateEncoding picks the content coding for a response from the
// Accept-Encoding header (RFC 9110, section 12.5.3) among the available
// codings, which must be in order of preference: the one with the highest
// q-value wins, ties go to the earlier one. Codings with q=0 are refused;
// "*" stands for every coding the header does not name; identity is
// acceptable unless refused explicitly or through "*". When nothing is
// acceptable it returns identity anyway: a response the client may not want
// is better than none for a program it asked for.
func negotiateEncoding(header string, available ...string) string {
	named := map[string]float64{}
	star := -1.0 // no "*"
	for _, part := range strings.Split(header, ",") {
		name, q, ok := parseCoding(part)
		if !ok {
			continue
		}
		switch name {
		case "*":
			star = q
			continue
		case "x-gzip": // an alias (RFC 9110, section 8.4.1.3)
			name = codingGzip
		}
		if old, seen := named[name]; !seen || q > old {
			named[name] = q
		}
	}
	qOf := func(coding string) float64 {
		if q, ok := named[coding]; ok {
			return q
		}
		if coding == codingIdentity {
			if star >= 0 {
				return star
			}
			return 1e-3 // acceptable, after anything asked for
		}
		return max(star, 0)
	}
	best, bestQ := codingIdentity, 0.0
	for _, c := range available {
		if q := qOf(c); q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}

// parseCoding parses one element of Accept-Encoding: a coding and an
// optional ";q=" weight (default 1). Malformed weights make the element
// ignored.
func parseCoding(s string) (name string, q float64, ok bool) {
	name, params, _ := strings.Cut(s, ";")
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "", 0, false
	}
	q = 1
	for _, p := range strings.Split(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", 0, false
		}
		q = f
	}
	return name, q, true
}
