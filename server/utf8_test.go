package server

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

func validInPieces(p []byte, cuts []int) bool {
	var v utf8Validator
	prev := 0
	for _, c := range cuts {
		if !v.write(p[prev:c]) {
			return false
		}
		prev = c
	}
	return v.write(p[prev:]) && v.done()
}

func TestUTF8Validator(t *testing.T) {
	cases := []string{
		"", "a", "héllo", "日本語", "🎉 party", "\xff", "a\xc3", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xc0\xaf", "ok\xe2\x82\xacok", "\xf0\x9f\x8e\x89\xf0\x9f",
	}
	for _, s := range cases {
		p := []byte(s)
		want := utf8.Valid(p)
		// Every way to cut the input into up to three pieces.
		for i := 0; i <= len(p); i++ {
			for j := i; j <= len(p); j++ {
				if got := validInPieces(p, []int{i, j}); got != want {
					t.Errorf("%q cut at %d,%d: valid=%v, want %v", s, i, j, got, want)
				}
			}
		}
	}
}

func TestUTF8ValidatorRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("a\x00\x7f\xc2\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\xff\xc0\xed\xa0\x80\xf4\x90")
	for range 20000 {
		p := make([]byte, r.IntN(12))
		for i := range p {
			p[i] = alphabet[r.IntN(len(alphabet))]
		}
		var cuts []int
		for c := 0; c < len(p); c += 1 + r.IntN(3) {
			cuts = append(cuts, c)
		}
		if got, want := validInPieces(p, cuts), utf8.Valid(p); got != want {
			t.Fatalf("%q cut at %v: valid=%v, want %v", p, cuts, got, want)
		}
	}
}

func FuzzUTF8Validator(f *testing.F) {
	f.Add([]byte("héllo wörld"), uint8(3))
	f.Add([]byte("\xf0\x9f\x8e\x89"), uint8(1))
	f.Add([]byte("\xed\xa0\x80"), uint8(2))
	f.Fuzz(func(t *testing.T, p []byte, step uint8) {
		var cuts []int
		for c := 0; c < len(p); c += 1 + int(step%7) {
			cuts = append(cuts, c)
		}
		if got, want := validInPieces(p, cuts), utf8.Valid(p); got != want {
			t.Fatalf("%q cut at %v: valid=%v, want %v", p, cuts, got, want)
		}
	})
}
