// Package natstest runs a nats-server with JetStream for tests and
// benchmarks: on a free port of 127.0.0.1, with its store in a directory of
// its own, stopped at the end. `make test` installs Debian's nats-server
// when it is missing; a test run by hand without it is skipped, except
// under CI=true, where that is a failure.
//
// It is a public package, not an internal one, so that the end-to-end tests
// and the benchmarks (outside server/) can use it too; no program links it.
package natstest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds the wait for nats-server to accept connections.
const startTimeout = 30 * time.Second

// Server is a nats-server process.
type Server struct {
	// URL is the address clients connect to: nats://127.0.0.1:PORT.
	URL string
	// Port is the port it listens on, the same after Restart.
	Port int
	// Dir is its JetStream store, the same after Restart.
	Dir string

	bin  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Binary returns the path of nats-server. When it is not installed it
// skips the test, or fails it when the environment variable CI is "true".
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nats-server is not installed (make test installs it): ", err)
		}
		t.Skip("nats-server is not installed (make test installs it)")
	}
	return bin
}

// Start starts a nats-server with JetStream, its store in a temporary
// directory, and returns once it accepts connections. It is stopped when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch(Binary(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts the nats-server bin (from PATH if empty) with JetStream and
// its store in dir, on a free port of 127.0.0.1, and returns once it
// accepts connections. Stop it with Stop.
func Launch(bin, dir string) (*Server, error) {
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("nats-server"); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, Dir: dir, Port: port, URL: "nats://127.0.0.1:" + strconv.Itoa(port)}
	return s, s.start()
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("natstest: nats-server is already running")
	}
	cmd := exec.Command(s.bin, "-a", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-js", "-sd", s.Dir, "-l", s.logFile())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("natstest: starting nats-server: %w", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	addr := "127.0.0.1:" + strconv.Itoa(s.Port)
	for deadline := time.Now().Add(startTimeout); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			s.cmd = nil
			return fmt.Errorf("natstest: nats-server exited: %s", s.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("natstest: nats-server does not accept connections on %s after %v", addr, startTimeout)
		}
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s) and waits for
// it to exit. It is a no-op on a stopped server.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Pid returns the process id of the running server, or 0 when stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Restart starts the stopped server again, on the same port with the same
// store, and returns once it accepts connections.
func (s *Server) Restart() error {
	return s.start()
}

// Log returns what the server has logged (to a file beside its store).
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logFile())
	return string(b)
}

func (s *Server) logFile() string { return filepath.Join(s.Dir, "nats-server.log") }

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
