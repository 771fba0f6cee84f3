package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/duplexgo/duplex/e2e/bench/internal/report"
	"github.com/duplexgo/duplex/e2e/bench/internal/wasmsize"
)

// The code-by-package table: make bench builds a copy of the minimal
// wsclient program without -s -w, which keeps the name section, and lists
// its packages (`go list -deps`), so that the mangled function names can
// be given their package paths.
const (
	namesWasm     = "wsclient-minimal-names.wasm"
	namesDeps     = "wsclient-minimal-names.deps"
	namesStripped = "wsclient-minimal.wasm"
	namesBuild    = "-trimpath (no -s -w)"
)

// codeByPackage measures the code of the minimal wsclient program by
// package. What cannot be measured is said in the breakdown's Note.
func codeByPackage(cfg runConfig) *report.CodeBreakdown {
	c := &report.CodeBreakdown{
		Program: "wsclient-minimal",
		Desc:    "minimal wsclient program (wsclient/internal/minimal)",
		Build:   namesBuild,
	}
	b, err := os.ReadFile(filepath.Join(cfg.binDir, namesWasm))
	if err != nil {
		c.Note = err.Error()
		return c
	}
	m, err := wasmsize.Parse(b)
	if err != nil {
		c.Note = fmt.Sprintf("%s: %v", namesWasm, err)
		return c
	}
	c.FileBytes = int64(len(b))
	c.CodeSection = m.Size(10, "")
	c.DataSection = m.Size(11, "")
	if m.Size(0, "name") == 0 {
		c.Note = namesWasm + " has no name section (built with -s?)"
		return c
	}
	deps, err := readLines(filepath.Join(cfg.binDir, namesDeps))
	if err != nil {
		c.Note = "package paths unknown (" + err.Error() + "): names are grouped by their text up to the first dot."
	}
	for _, p := range wasmsize.ByPackage(m, wasmsize.NewPackages(deps)) {
		c.Packages = append(c.Packages, report.PackageCode{Package: p.Path, Funcs: p.Funcs, Bytes: p.Bytes})
	}
	if sb, err := os.ReadFile(filepath.Join(cfg.binDir, namesStripped)); err == nil {
		if sm, err := wasmsize.Parse(sb); err == nil {
			c.StrippedCode = sm.Size(10, "")
		}
	}
	return c
}

// readLines returns the non-empty lines of a file.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			out = append(out, string(l))
		}
	}
	return out, sc.Err()
}
