// Package natstest runs a nats-server with JetStream for tests: on a free
// port of 127.0.0.1, with its store in a temporary directory, stopped when
// the test ends. `make test` installs Debian's nats-server when it is
// missing; a test run by hand without it is skipped, except under CI=true,
// where that is a failure.
package natstest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
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

	t    testing.TB
	bin  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	log  *bytes.Buffer
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

// Start starts a nats-server with JetStream and returns once it accepts
// connections. It is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, bin: Binary(t), Dir: t.TempDir(), Port: freePort(t)}
	s.URL = "nats://127.0.0.1:" + strconv.Itoa(s.Port)
	t.Cleanup(s.Stop)
	s.start()
	return s
}

func (s *Server) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.t.Fatal("natstest: nats-server is already running")
	}
	s.log = &bytes.Buffer{}
	cmd := exec.Command(s.bin, "-a", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-js", "-sd", s.Dir)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatal("natstest: starting nats-server: ", err)
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
			return
		}
		select {
		case <-done:
			s.t.Fatalf("natstest: nats-server exited: %s", s.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("natstest: nats-server does not accept connections on %s after %v", addr, startTimeout)
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

// Restart starts the stopped server again, on the same port with the same
// store.
func (s *Server) Restart() {
	s.t.Helper()
	s.start()
}

// String returns the server's URL.
func (s *Server) String() string { return fmt.Sprint(s.URL) }

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
