// Package procs starts the processes the benchmarks measure and reads what
// Linux says about them: resident memory, CPU time, and the file limit.
package procs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RaiseNOFILE raises this process's soft RLIMIT_NOFILE to its hard limit
// (children inherit it) and returns the new soft and hard limits. Raising
// the hard limit itself needs CAP_SYS_RESOURCE; when the process lacks it,
// the hard limit stays what it was.
func RaiseNOFILE() (soft, hard uint64, err error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, err
	}
	// Try for a higher hard limit first; it fails without CAP_SYS_RESOURCE.
	want := syscall.Rlimit{Cur: 1 << 20, Max: 1 << 20}
	if rl.Max < want.Max && syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
		return want.Cur, want.Max, nil
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, err
	}
	return rl.Cur, rl.Max, nil
}

// OpenFiles returns the number of file descriptors pid has open.
func OpenFiles(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents), err
}

// RSS returns the resident set size of pid in bytes (VmRSS).
func RSS(pid int) (int64, error) {
	return statusField(pid, "VmRSS:")
}

func statusField(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) < 1 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, err
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("procs: no %s in /proc/%d/status", field, pid)
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// CPUTime returns the user plus system CPU time pid has used.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may contain spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("procs: bad /proc/pid/stat")
	}
	f := strings.Fields(s[i+1:])
	// Fields after the name: state(0) ... utime(11) stime(12).
	if len(f) < 13 {
		return 0, errors.New("procs: short /proc/pid/stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// Child is a server process started for a benchmark.
type Child struct {
	Cmd  *exec.Cmd
	Addr string // host:port it listens on
	done chan error
}

var listeningRE = regexp.MustCompile(`listening on (?:https?://|ws://)?([0-9.]+:[0-9]+)`)

// Start runs name with args and waits until it prints "listening on
// HOST:PORT" on its standard output (within 30 seconds). The rest of its
// output goes to logw. The process is killed when ctx is done.
func Start(ctx context.Context, logw io.Writer, dir, name string, args ...string) (*Child, error) {
	return StartEnv(ctx, logw, dir, nil, name, args...)
}

// StartEnv is Start with env (KEY=value) added to this process's
// environment.
func StartEnv(ctx context.Context, logw io.Writer, dir string, env []string, name string, args ...string) (*Child, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stderr = logw
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &Child{Cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if !found {
				if m := listeningRE.FindStringSubmatch(line); m != nil {
					found = true
					addr <- m[1]
					continue
				}
			}
			fmt.Fprintln(logw, line)
		}
		c.done <- cmd.Wait()
	}()
	select {
	case c.Addr = <-addr:
		return c, nil
	case err := <-c.done:
		return nil, fmt.Errorf("%s exited before listening: %v", name, err)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not report its address within 30s", name)
	}
}

// Pid returns the child's process id.
func (c *Child) Pid() int { return c.Cmd.Process.Pid }

// Stop ends the child: SIGTERM, then SIGKILL after 10 seconds.
func (c *Child) Stop() {
	c.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.Cmd.Process.Kill()
		<-c.done
	}
}
