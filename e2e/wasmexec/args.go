package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// testArgs is what the runner reads in the program's arguments: the flags of
// package testing that bound the run or name files the host must get.
type testArgs struct {
	// timeout is -test.timeout; 0 when absent or 0.
	timeout time.Duration
	// outputs are the files the program writes for the host: the cover
	// profile and the other profiles, as absolute paths.
	outputs []string
	// outputDirs are the directories whose every file the host gets: the
	// coverage counters (-test.gocoverdir) and -test.artifacts.
	outputDirs []string
}

// valueFlags are the flags of package testing that take a value, which may
// come as the next argument.
var valueFlags = map[string]bool{
	"run": true, "skip": true, "bench": true, "benchtime": true, "count": true, "cpu": true,
	"parallel": true, "timeout": true, "list": true, "shuffle": true, "fuzz": true,
	"fuzztime": true, "fuzzminimizetime": true, "fuzzcachedir": true,
	"coverprofile": true, "gocoverdir": true, "outputdir": true, "testlogfile": true,
	"cpuprofile": true, "memprofile": true, "memprofilerate": true, "blockprofile": true,
	"blockprofilerate": true, "mutexprofile": true, "mutexprofilefraction": true, "trace": true,
}

// profileFlags name files that package testing puts in -test.outputdir.
var profileFlags = []string{"cpuprofile", "memprofile", "blockprofile", "mutexprofile", "trace"}

// parseTestArgs reads the -test.* flags in args, as package testing would,
// up to "--"; relative paths are relative to dir, as in the program.
func parseTestArgs(args []string, dir string) testArgs {
	flags := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, ok := strings.CutPrefix(a, "-")
		if ok {
			name, ok = strings.CutPrefix(strings.TrimPrefix(name, "-"), "test.") // -test.x or --test.x
		}
		if !ok {
			continue
		}
		name, value, hasValue := strings.Cut(name, "=")
		if !hasValue {
			if !valueFlags[name] {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			}
		}
		flags[name] = value
	}

	var t testArgs
	if d, err := time.ParseDuration(flags["timeout"]); err == nil && d > 0 {
		t.timeout = d
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}
	// Package testing's toOutputDir.
	outputDir := flags["outputdir"]
	inOutputDir := func(p string) string {
		if outputDir != "" && !filepath.IsAbs(p) {
			p = filepath.Join(outputDir, p)
		}
		return abs(p)
	}
	if p := flags["coverprofile"]; p != "" {
		t.outputs = append(t.outputs, abs(p))
	}
	for _, f := range profileFlags {
		if p := flags[f]; p != "" {
			t.outputs = append(t.outputs, inOutputDir(p))
		}
	}
	if p := flags["gocoverdir"]; p != "" {
		t.outputDirs = append(t.outputDirs, abs(p))
	}
	if on, _ := strconv.ParseBool(flags["artifacts"]); on {
		t.outputDirs = append(t.outputDirs, inOutputDir("_artifacts"))
	}
	return t
}
