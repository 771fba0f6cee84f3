//go:build !js

package main

import (
	"os"
	"strings"
	"testing"
)

// README.md shows this example's files as they are here, so that its code
// can never rot: each file, from its package clause on (the doc comment
// aside), appears in the README verbatim.
func TestReadmeShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"main.go", "index.html", "serve/main.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		shown := string(b)
		if i := strings.Index(shown, "\npackage main\n"); i >= 0 {
			build, _, _ := strings.Cut(shown, "\n")
			shown = shown[i+1:]
			if strings.HasPrefix(build, "//go:build ") {
				shown = build + "\n\n" + shown
			}
		}
		if !strings.Contains(string(readme), shown) {
			t.Errorf("README.md does not show %s as it is:\n%s", name, shown)
		}
	}
}
