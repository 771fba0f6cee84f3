package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package's own files and its testdata, not its subdirectories, within
// the bound.
func TestHostFiles(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{"a.go": 10, "sub/b.go": 10, "testdata/c/d.txt": 20, "testdata/e.txt": 30} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths := func(files []hostFile) (ps []string) {
		for _, f := range files {
			ps = append(ps, strings.TrimPrefix(f.Path, dir))
		}
		return ps
	}
	files, skipped := hostFiles(dir)
	if got, want := paths(files), []string{"/a.go", "/testdata/c/d.txt", "/testdata/e.txt"}; !slices.Equal(got, want) || skipped {
		t.Errorf("hostFiles = %q, %v; want %q, false", got, skipped, want)
	}
	defer func(max int64) { maxHostFiles = max }(maxHostFiles)
	maxHostFiles = 35
	files, skipped = hostFiles(dir)
	if got, want := paths(files), []string{"/a.go", "/testdata/c/d.txt"}; !slices.Equal(got, want) || !skipped {
		t.Errorf("bounded to 35 bytes: hostFiles = %q, %v; want %q, true", got, skipped, want)
	}
}
