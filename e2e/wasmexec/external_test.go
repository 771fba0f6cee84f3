package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests below use the runner as another team would: from a throwaway
// module of its own, through go test -exec and go run -exec.

// throwawayFiles is the module, besides the go.mod that go mod init writes.
var throwawayFiles = map[string]string{
	"throwaway.go": `package throwaway

// Sign returns -1, 0 or 1.
func Sign(x int) int {
	if x < 0 {
		return -1
	}
	if x > 0 {
		return 1
	}
	return 0
}
`,
	"throwaway_test.go": `package throwaway

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestPass(t *testing.T) {
	if Sign(5) != 1 {
		t.Fatal("Sign(5) != 1")
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); string(b) != "kept" || err != nil {
		t.Fatalf("read back %q, %v", b, err)
	}
	// The package's directory and its testdata, as natively.
	if b, err := os.ReadFile("testdata/sub/greeting.txt"); string(b) != "hello from the host\n" || err != nil {
		t.Fatalf("testdata/sub/greeting.txt: %q, %v", b, err)
	}
	if _, err := os.Stat("throwaway.go"); err != nil {
		t.Fatal(err)
	}
	t.Log("TestPass ran")
}

func TestEnv(t *testing.T) {
	if v := os.Getenv("THROWAWAY_VAR"); v != "from the host" {
		t.Fatalf("THROWAWAY_VAR=%q", v)
	}
	wd, err := os.Getwd()
	if err != nil || wd != os.Getenv("PWD") {
		t.Fatalf("working directory %q, %v; PWD=%q", wd, err, os.Getenv("PWD"))
	}
	t.Logf("THROWAWAY_VAR=%s in %s", os.Getenv("THROWAWAY_VAR"), filepath.Base(wd))
}

func TestFail(t *testing.T) {
	t.Error("failing on purpose")
}

func TestPanic(t *testing.T) {
	panic("boom")
}

func TestHang(t *testing.T) {
	fmt.Println("hanging")
	select {}
}
`,
	"testdata/sub/greeting.txt": "hello from the host\n",
	"cmd/hello/main.go": `// Command hello prints its arguments and exact bytes, then does what they
// say: exit=N exits with N, hang never returns; else main returns.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	fmt.Printf("args %q\n", os.Args[1:])
	big := make([]byte, 70000)
	for i := range big {
		big[i] = byte(i)
	}
	os.Stdout.Write(big)
	os.Stdout.WriteString("no newline at the end")
	os.Stderr.Write([]byte("to stderr \x00\xff\xfe\xe2\x82 bytes\n"))
	os.Stderr.WriteString("partial")
	for _, a := range os.Args[1:] {
		if n, ok := strings.CutPrefix(a, "exit="); ok {
			code, _ := strconv.Atoi(n)
			os.Exit(code)
		}
		if a == "hang" {
			select {}
		}
	}
}
`,
}

var (
	throwawayOnce sync.Once
	throwawayDir  string
)

// throwaway returns the module's directory, made once for all the tests.
func throwaway(t *testing.T) string {
	t.Helper()
	throwawayOnce.Do(func() {
		dir, err := os.MkdirTemp(testDir, "throwaway-")
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range throwawayFiles {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if r := runCmd(t, dir, goEnv(), "go", "mod", "init", "example.com/throwaway"); r.code != 0 {
			t.Fatal("go mod init failed")
		}
		throwawayDir = dir
	})
	if throwawayDir == "" {
		t.Fatal("no throwaway module")
	}
	return throwawayDir
}

// goEnv is the environment of the go commands in the throwaway module: the
// browser's, a module of its own and no network.
func goEnv(extra ...string) []string {
	return append([]string{"GOOS=js", "GOARCH=wasm", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
		"GOPROXY=off", "GOWORK=off", "GOCOVERDIR=", "WASMEXEC_TIMEOUT=", "WASMEXEC_HEADFUL="}, extra...)
}

// goCmd runs go with args in the throwaway module, with the runner as -exec.
func goCmd(t *testing.T, env []string, sub string, args ...string) result {
	t.Helper()
	args = append([]string{sub, "-exec=" + runnerBin}, args...)
	return runCmd(t, throwaway(t), goEnv(env...), "go", args...)
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

// One go test run: -v, -run, the environment, and coverage: go test prints
// the percentage (the test binary's own report, from the counters it writes
// and reads back in the page) and the profile is on the host.
func TestGoTestPassesWithCoverage(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cover.out")
	r := goCmd(t, []string{"THROWAWAY_VAR=from the host"}, "test",
		"-count=1", "-v", "-run", "TestPass|TestEnv", "-coverprofile="+profile, ".")
	if r.code != 0 {
		t.Fatalf("exit code %d, want 0", r.code)
	}
	wantContains(t, "output", r.stdout, "=== RUN   TestPass", "TestPass ran", "--- PASS: TestPass",
		"=== RUN   TestEnv", "THROWAWAY_VAR=from the host in "+filepath.Base(throwaway(t)), "--- PASS: TestEnv")
	if strings.Contains(r.stdout, "TestFail") || strings.Contains(r.stdout, "TestHang") {
		t.Errorf("-run TestPass|TestEnv ran other tests")
	}
	if !regexp.MustCompile(`(?m)^ok  \texample\.com/throwaway\t.*coverage: [1-9][0-9.]*% of statements`).MatchString(r.stdout) {
		t.Errorf("no coverage percentage on go test's ok line")
	}
	b, err := os.ReadFile(profile)
	if err != nil {
		t.Fatalf("the cover profile is not on the host: %v", err)
	}
	if !strings.HasPrefix(string(b), "mode: ") || !strings.Contains(string(b), "example.com/throwaway/throwaway.go:") {
		t.Errorf("cover profile:\n%s\nwant a mode line and lines of throwaway.go", b)
	}
}

// A failing test, then one that hangs until -timeout: go test's own report of
// both, before the runner's limit.
func TestGoTestFailsAndTimesOut(t *testing.T) {
	r := goCmd(t, nil, "test", "-count=1", "-v", "-run", "TestFail|TestHang", "-timeout", "10s", ".")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	wantContains(t, "output", r.stdout, "--- FAIL: TestFail", "failing on purpose", "=== RUN   TestHang\nhanging\n",
		"panic: test timed out after 10s", "running tests:\n\t\tTestHang", "FAIL\texample.com/throwaway")
	if strings.Contains(r.stdout+r.stderr, "wasmexec: timed out") {
		t.Errorf("the runner's limit came before the test's own timeout")
	}
}

// The test binary run by the runner directly, in the package's directory as
// go test does: a panic in a test exits 2, on
// standard error; the test's report stays on standard output.
func TestRunnerPanicExitsTwo(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "throwaway.test")
	if r := runCmd(t, throwaway(t), goEnv(), "go", "test", "-c", "-o", bin, "."); r.code != 0 {
		t.Fatal("go test -c failed")
	}
	r := runCmd(t, throwaway(t), []string{"WASMEXEC_TIMEOUT=3m"}, runnerBin, bin, "-test.v", "-test.run=TestPass|TestPanic")
	if r.code != 2 {
		t.Errorf("exit code %d, want 2 as natively", r.code)
	}
	wantContains(t, "stdout", r.stdout, "=== RUN   TestPass", "--- PASS: TestPass", "--- FAIL: TestPanic")
	wantContains(t, "stderr", r.stderr, "panic: boom", "goroutine ")
	if strings.Contains(r.stdout, "panic:") || strings.Contains(r.stderr, "=== RUN") {
		t.Errorf("standard output and error are mixed")
	}
}

// hello's output, byte for byte, before its exit.
func helloOutput(args string) (stdout, stderr string) {
	big := make([]byte, 70000)
	for i := range big {
		big[i] = byte(i)
	}
	return "args " + args + "\n" + string(big) + "no newline at the end", "to stderr \x00\xff\xfe\xe2\x82 bytes\npartial"
}

// go run: arguments, exact bytes on each stream, the exit code of os.Exit.
func TestGoRunExitCode(t *testing.T) {
	r := goCmd(t, nil, "run", "./cmd/hello", "a b", "exit=3")
	stdout, stderr := helloOutput(`["a b" "exit=3"]`)
	if r.code != 1 || !strings.HasSuffix(r.stderr, "exit status 3\n") {
		t.Errorf("go run: exit code %d, want 1 with \"exit status 3\" (the program's 3)", r.code)
	}
	if r.stdout != stdout {
		t.Errorf("stdout is not the program's bytes: %d bytes, want %d", len(r.stdout), len(stdout))
	}
	if got, _ := strings.CutSuffix(r.stderr, "exit status 3\n"); got != stderr {
		t.Errorf("stderr %q, want %q then go run's exit status", r.stderr, stderr)
	}
}

// go run -cover of a main that returns: exit 0, and the coverage counters
// reach $GOCOVERDIR on the host.
func TestGoRunReturnsWithCoverage(t *testing.T) {
	coverDir := t.TempDir()
	r := goCmd(t, []string{"GOCOVERDIR=" + coverDir}, "run", "-cover", "./cmd/hello")
	stdout, stderr := helloOutput(`[]`)
	if r.code != 0 {
		t.Errorf("exit code %d, want 0", r.code)
	}
	if r.stdout != stdout || r.stderr != stderr {
		t.Errorf("stdout (%d bytes) or stderr %q is not the program's", len(r.stdout), r.stderr)
	}
	names, _ := filepath.Glob(filepath.Join(coverDir, "cov*"))
	var meta, counters bool
	for _, n := range names {
		meta = meta || strings.HasPrefix(filepath.Base(n), "covmeta.")
		counters = counters || strings.HasPrefix(filepath.Base(n), "covcounters.")
	}
	if !meta || !counters {
		t.Errorf("GOCOVERDIR has %q: want covmeta.* and covcounters.*", names)
	}
}

// A program that never ends: its output reaches the host as it writes it,
// then WASMEXEC_TIMEOUT stops it and the browser, and the runner says so.
func TestRunnerTimeoutStopsTheBrowser(t *testing.T) {
	tmp := t.TempDir() // the browser's profile goes there
	r := goCmd(t, []string{"WASMEXEC_TIMEOUT=15s", "TMPDIR=" + tmp}, "run", "./cmd/hello", "hang")
	stdout, stderr := helloOutput(`["hang"]`)
	if r.code != 1 {
		t.Errorf("go run: exit code %d, want 1", r.code)
	}
	if r.stdout != stdout {
		t.Errorf("stdout (%d bytes) is not what the program wrote before it hung", len(r.stdout))
	}
	wantContains(t, "stderr", r.stderr, stderr,
		"wasmexec: timed out: the program ran longer than 15s (WASMEXEC_TIMEOUT=15s): the browser was stopped\n")
	if left := browsersUsing(tmp); len(left) > 0 {
		t.Errorf("browser processes left: %v", left)
	}
}

// browsersUsing returns the processes whose command line has a user data
// directory below dir, once none has been seen for a while (a killed process
// may take a moment to go).
func browsersUsing(dir string) []string {
	var left []string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		left = nil
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			b, err := os.ReadFile(p)
			if err == nil && bytes.Contains(b, []byte("--user-data-dir="+dir)) {
				left = append(left, filepath.Base(filepath.Dir(p)))
			}
		}
		if len(left) == 0 {
			return nil
		}
	}
	return left
}

// Before anything starts: no browser, or a visible window without a display.
func TestRunnerRefusesWithoutBrowserOrDisplay(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"CHROME=/nonexistent"},
			"wasmexec: no Chromium found: CHROME=/nonexistent is not an executable file: set CHROME=/path/to/chrome or install chromium (apt-get install chromium)\n"},
		{[]string{"WASMEXEC_HEADFUL=1", "DISPLAY=", "WAYLAND_DISPLAY="},
			"wasmexec: WASMEXEC_HEADFUL needs a display, and DISPLAY and WAYLAND_DISPLAY are not set\n"},
	} {
		r := runCmd(t, "", c.env, runnerBin, probe)
		if r.code != 1 || r.stdout != "" || r.stderr != c.want {
			t.Errorf("%v: exit code %d, stderr %q; want 1 and %q", c.env, r.code, r.stderr, c.want)
		}
	}
}
