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
// StartReplica adds a replica; StartSentinels starts a primary, replicas and sentinels
// (redis-sentinel) that fail over when the primary dies; StartCluster starts a Redis Cluster
// of primaries. Do sends one command, for checks.
//
// Every process is stopped in t.Cleanup. When redis-server or redis-sentinel is not on PATH
// the test fails with a message that says how to install it.
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
	tb      testing.TB
	bin     string
	dir     string
	port    int
	busPort int // cluster bus port (0: not a cluster node)
	extra   []string

	mu        sync.Mutex
	cmd       *exec.Cmd     // nil while the server is down
	exited    chan struct{} // closed when cmd has exited and been reaped
	replicaOf string        // host:port of the primary this server replicates at its next start ("": none)
}

// Start starts redis-server and waits until it answers. extraArgs are appended to the
// redis-server command line and override the defaults, e.g. "--appendfsync", "everysec".
// The server is killed in tb.Cleanup.
func Start(tb testing.TB, extraArgs ...string) *Server {
	tb.Helper()
	return startServer(tb, "", false, extraArgs)
}

// StartReplica starts a redis-server that replicates primary (--replicaof), with the same
// persistence as Start, and waits until its link to the primary is up and it has synced.
func StartReplica(tb testing.TB, primary *Server, extraArgs ...string) *Server {
	tb.Helper()
	s := startServer(tb, primary.Addr(), false, extraArgs)
	s.WaitSynced()
	return s
}

func startServer(tb testing.TB, replicaOf string, cluster bool, extraArgs []string) *Server {
	tb.Helper()
	s := &Server{tb: tb, bin: lookPath(tb, "redis-server", "redis-server"), dir: tb.TempDir(), extra: extraArgs, replicaOf: replicaOf}
	tb.Cleanup(s.Kill)
	// Another process may take the free port between our probe and redis-server's bind: try
	// a few ports.
	var lastErr error
	for range 5 {
		var err error
		if s.port, err = freePort(); err == nil && cluster {
			s.busPort, err = freePort()
		}
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("redistest: start redis-server: %v", lastErr)
	return nil
}

// lookPath finds bin on PATH and fails the test with how to install pkg when it is missing.
func lookPath(tb testing.TB, bin, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		tb.Fatalf("%s not found: run `make test` (or `make test-deps`), which installs it, or apt-get install %s (%v)", bin, pkg, err)
	}
	return p
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

// StartReplicaOf starts a killed server again as a replica of primary (host:port): the way
// a failed primary rejoins after a failover. Its own AOF is replaced by the primary's data.
// It returns once the server answers; WaitSynced waits for the sync.
func (s *Server) StartReplicaOf(primary string) {
	s.tb.Helper()
	s.mu.Lock()
	s.replicaOf = primary
	s.mu.Unlock()
	s.Start()
}

// Running reports whether the server process runs.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// WaitSynced waits until the server is a replica whose link to its primary is up and whose
// initial sync is over. It fails the test after readyTimeout.
func (s *Server) WaitSynced() {
	s.tb.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		info, err := Do(s.Addr(), "INFO", "replication")
		if err == nil && strings.Contains(info, "role:slave") && strings.Contains(info, "master_link_status:up") &&
			strings.Contains(info, "master_sync_in_progress:0") {
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("redistest: replica %s not in sync after %v: %v\n%s", s.Addr(), readyTimeout, err, info)
		}
		time.Sleep(20 * time.Millisecond)
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
	if s.busPort != 0 {
		args = append(args, "--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(s.busPort),
			"--cluster-config-file", filepath.Join(s.dir, "nodes.conf"), "--cluster-node-timeout", "2000")
	}
	args = append(args, s.extra...)
	if s.replicaOf != "" {
		host, port, err := net.SplitHostPort(s.replicaOf)
		if err != nil {
			return err
		}
		args = append(args, "--replicaof", host, port)
	}
	cmd := exec.Command(s.bin, args...)
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
