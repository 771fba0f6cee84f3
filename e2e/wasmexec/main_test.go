package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// runnerBin is the wasmexec binary, built once for all the tests; probe is
// testdata/cspprobe built with GOOS=js GOARCH=wasm; both are in testDir,
// removed at the end.
var runnerBin, probe, testDir string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if _, err := chrome.Path(); err != nil {
		fmt.Fprintln(os.Stderr, "wasmexec tests:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "wasmexec-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testDir = dir
	runnerBin = filepath.Join(dir, "wasmexec")
	probe = filepath.Join(dir, "cspprobe.wasm")
	for _, b := range []struct {
		out, pkg string
		env      []string
	}{
		{runnerBin, ".", nil},
		{probe, "./testdata/cspprobe", []string{"GOOS=js", "GOARCH=wasm"}},
	} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Env = append(os.Environ(), b.env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", b.pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

// result is how a command ended: its exit code and its two streams.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs cmd with env added to the environment, in dir (unless empty),
// and returns how it ended.
func runCmd(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), code, shorten(stdout.String()), shorten(stderr.String()))
	return result{code, stdout.String(), stderr.String()}
}

// shorten keeps the end of long output for the log, quoted when it is not
// all text.
func shorten(s string) string {
	if len(s) > 3000 {
		s = fmt.Sprintf("[%d bytes before] ", len(s)-3000) + s[len(s)-3000:]
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' || r == utf8.RuneError }) {
		return strconv.Quote(s)
	}
	return s
}

// runProbe runs the runner on the probe with args, as go test -exec does,
// and returns its exit code, standard output and standard error.
func runProbe(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	r := runCmd(t, "", []string{"WASMEXEC_TIMEOUT=2m"}, runnerBin, append([]string{probe}, args...)...)
	return r.code, r.stdout, r.stderr
}

func TestRunnerPassesAProgramThatKeepsThePolicy(t *testing.T) {
	code, stdout, stderr := runProbe(t)
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if stdout != "cspprobe: to stdout\n" || stderr != "cspprobe: to stderr\n" {
		t.Errorf("stdout %q, stderr %q: want each line relayed, nothing else", stdout, stderr)
	}
}

func TestRunnerRelaysExitCodeAndFiles(t *testing.T) {
	code, stdout, stderr := runProbe(t, "file", "exit=3")
	if code != 3 {
		t.Errorf("exit code %d, want the program's 3", code)
	}
	if want := "cspprobe: file \"in memory\" <nil>\ncspprobe: to stdout\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if strings.Contains(stderr, "violation") {
		t.Errorf("stderr reports a violation:\n%s", stderr)
	}
}

// The program catches the error of the Function constructor and exits 0:
// the violation alone must fail the run, and say what was blocked where.
func TestRunnerFailsOnAViolation(t *testing.T) {
	code, stdout, stderr := runProbe(t, "function")
	if code == 0 {
		t.Errorf("exit code 0 after a violation")
	}
	if !strings.Contains(stdout, "cspprobe: the Function constructor failed:") || !strings.Contains(stdout, "cspprobe: to stdout") {
		t.Errorf("stdout %q: want the program's output, with the failed Function constructor", stdout)
	}
	// Each violation as it happens, then the summary that fails the run.
	for _, re := range []string{
		`(?m)^wasmexec: Content-Security-Policy violation: directive=script-src blocked-uri=eval source=http://127\.0\.0\.1:\d+/wasm_exec\.js:\d+:\d+ sample="" \(reported by page\)$`,
		`(?m)^wasmexec: 1 Content-Security-Policy violation\(s\) of "script-src 'self' 'wasm-unsafe-eval'":$`,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("stderr does not match %s:\n%s", re, stderr)
		}
	}
}

// The page has exactly the policy, and needs nothing it forbids: every
// script is a file of its own origin.
func TestPageIsServedUnderTheStrictPolicy(t *testing.T) {
	mux := pageMux(probe, "key", config{}, []byte("// wasm_exec.js"))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if got := rec.Result().Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != "script-src 'self' 'wasm-unsafe-eval'" {
		t.Errorf("Content-Security-Policy %q, want exactly [\"script-src 'self' 'wasm-unsafe-eval'\"]", got)
	}
	page := rec.Body.String()
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1)
	if len(scripts) == 0 || scripts[0] != `<script src="/csp-watch.js">` {
		t.Errorf("scripts %q: want /csp-watch.js first", scripts)
	}
	for _, tag := range scripts {
		src := regexp.MustCompile(`^<script src="(/[^"]+)">$`).FindStringSubmatch(tag)
		if src == nil {
			t.Errorf("%s: want only <script src=\"/file.js\">", tag)
			continue
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, src[1], nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/javascript" {
			t.Errorf("%s: status %d, Content-Type %q", src[1], rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if regexp.MustCompile(`(?i)\son\w+=|javascript:`).MatchString(page) {
		t.Errorf("the page has an inline event handler or a javascript: URL:\n%s", page)
	}
}

func TestBytesOf(t *testing.T) {
	if got := string(bytesOf("a\u0000\u00ff\u00e9€")); got != "a\x00\xff\xe9€" {
		t.Errorf("bytesOf = %q", got)
	}
}
