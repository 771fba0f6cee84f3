package main

import (
	"slices"
	"testing"
	"time"
)

func TestParseTestArgs(t *testing.T) {
	for _, c := range []struct {
		args       []string
		timeout    time.Duration
		outputs    []string
		outputDirs []string
	}{
		{args: nil},
		// As go test passes them.
		{args: []string{"-test.paniconexit0", "-test.gocoverdir=/w/b001/gocoverdir", "-test.timeout=10m0s",
			"-test.v=true", "-test.run=TestX", "-test.coverprofile=/w/b001/_cover_.out"},
			timeout: 10 * time.Minute, outputs: []string{"/w/b001/_cover_.out"}, outputDirs: []string{"/w/b001/gocoverdir"}},
		// By hand: values in the next argument, relative paths, profiles
		// in -test.outputdir, two dashes; nothing after "--".
		{args: []string{"-test.v", "-test.run", "-test.timeout=1s", "--test.timeout", "90s", "-test.coverprofile", "c.out",
			"-test.outputdir=out", "-test.memprofile=mem.out", "-test.cpuprofile=/abs/cpu.out", "-test.artifacts",
			"--", "-test.trace=t.out"},
			timeout: 90 * time.Second, outputs: []string{"/pkg/c.out", "/abs/cpu.out", "/pkg/out/mem.out"},
			outputDirs: []string{"/pkg/out/_artifacts"}},
		// No limit.
		{args: []string{"-test.timeout=0s", "program-arg", "test.timeout=1s"}},
	} {
		got := parseTestArgs(c.args, "/pkg")
		if got.timeout != c.timeout || !slices.Equal(got.outputs, c.outputs) || !slices.Equal(got.outputDirs, c.outputDirs) {
			t.Errorf("%q: got %+v, want timeout %v, outputs %q, output dirs %q", c.args, got, c.timeout, c.outputs, c.outputDirs)
		}
	}
}
