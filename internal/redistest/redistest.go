// Package redistest runs a real redis-server for a test: on a free loopback port, in a
// temporary directory, persisting every write to an append-only file (appendonly yes,
// appendfsync always, no RDB snapshots). A test can kill it and start it again on the same port
// from its AOF, the way a crashed Redis comes back.
//
//	srv := redistest.Start(t)
//	store, err := redisstore.New(ctx, redisstore.Options{URL: srv.URL()})
//	...
//	srv.Kill()  // crash: SIGKILL
//	srv.Start() // restart on the same port, from the AOF
//
// The server is stopped in t.Cleanup. When redis-server is not on PATH the test fails with a
// message that says how to install it.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds the wait for redis-server to answer PING after a start (it answers
// LOADING while it replays the AOF).
const readyTimeout = 30 * time.Second

// Server is one redis-server process for one test. Its methods may be called from any
// goroutine.
type Server struct {
	tb    testing.TB
	bin   string
	dir   string
	port  int
	extra []string

	mu     sync.Mutex
	cmd    *exec.Cmd     // nil while the server is down
	exited chan struct{} // closed when cmd has exited and been reaped
}

// Start starts redis-server and waits until it answers. extraArgs are appended to the
// redis-server command line and override the defaults, e.g. "--appendfsync", "everysec".
// The server is killed in tb.Cleanup.
func Start(tb testing.TB, extraArgs ...string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found: run `make test`, which installs it, or apt-get install redis-server (%v)", err)
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), extra: extraArgs}
	tb.Cleanup(s.Kill)
	// Another process may take the free port between our probe and redis-server's bind: try
	// a few ports.
	var lastErr error
	for range 5 {
		if s.port, err = freePort(); err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("redistest: start redis-server: %v", lastErr)
	return nil
}

// Addr is the server's host:port on the loopback interface.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's address as a redis:// URL for database 0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Dir is the directory holding the server's AOF and log.
func (s *Server) Dir() string { return s.dir }

// Kill ends the server with SIGKILL, as a crash would, and waits for it to exit. Killing a
// server that is down does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// Start starts a killed server again on the same port and directory; it replays the AOF and
// answers once loaded. It fails the test when the server does not come up.
func (s *Server) Start() {
	s.tb.Helper()
	if err := s.start(); err != nil {
		s.tb.Fatalf("redistest: restart redis-server on %s: %v", s.Addr(), err)
	}
}

// Restart is Kill followed by Start.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Kill()
	s.Start()
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("already running")
	}
	logPath := filepath.Join(s.dir, "redis.log")
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
		"--daemonize", "no",
		"--logfile", logPath,
		"--loglevel", "warning",
	}
	cmd := exec.Command(s.bin, append(args, s.extra...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test binary
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	if err := waitReady(s.Addr(), exited); err != nil {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return fmt.Errorf("%w; redis.log: %s", err, tail(logPath))
	}
	s.cmd, s.exited = cmd, exited
	return nil
}

// waitReady waits until the server at addr answers PING with PONG, or its process exits.
func waitReady(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if ping(addr) {
			return nil
		}
		select {
		case <-exited: // e.g. the port was taken
			return errors.New("redis-server exited")
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("redis-server on %s did not answer within %v", addr, readyTimeout)
}

// ping reports whether a PING to addr is answered with PONG (not LOADING).
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the end of the log file at path, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}
