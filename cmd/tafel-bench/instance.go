package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server process the harness started: a Tafel instance, Redis or the baseline.
type proc struct {
	name   string
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:port (Redis: redis://…)
	port   int
	exited chan struct{}

	mu    sync.Mutex
	lines []string // stdout lines
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// childSet is every process the harness started, to end them if the harness is interrupted.
type childSet struct {
	mu    sync.Mutex
	procs []*os.Process
}

var children childSet

func (s *childSet) add(p *os.Process) {
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
}

// killAll ends every started process that may still run (by its own pid).
func (s *childSet) killAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		_ = p.Signal(syscall.SIGKILL)
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start runs name with args, logging stderr to logPath and keeping stdout lines.
func start(name, logPath string, env []string, bin string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, exited: make(chan struct{})}
	children.add(cmd.Process)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitLine waits for a stdout line containing substr.
func (p *proc) waitLine(substr string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.Contains(l, substr) {
				p.mu.Unlock()
				return l, nil
			}
		}
		p.mu.Unlock()
		select {
		case <-p.exited:
			return "", fmt.Errorf("%s exited before printing %q", p.name, substr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("%s printed no %q within %s", p.name, substr, timeout)
}

// waitHTTP waits until GET url answers 200.
func waitHTTP(url string, timeout time.Duration, exited chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("process exited before %s answered", url)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer 200 within %s", url, timeout)
}

// stop ends the process with SIGTERM (graceful drain) and waits, SIGKILL after timeout.
func (p *proc) stop(timeout time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(timeout):
		p.kill()
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits.
func (p *proc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// tafelOpts configures one Tafel instance.
type tafelOpts struct {
	bin       string
	dir       string // data directory and logs
	port      int
	publicURL string // shared by the instances of one deployment
	redisURL  string
	sentinel  string // --redis-sentinel instead of redisURL
	jwtKey    string
	logLevel  string
	logSuffix string // distinguishes the log of a restarted instance
	// plain stores case content unencrypted (--plain-store-for-benchmarks): the "-plain"
	// stores, to measure what encryption at rest costs.
	plain bool
}

// benchMasterKey is the master key of the case keys of every Redis and Sentinel deployment of a run (the
// embedded store generates its own).
var benchMasterKey = func() string {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return hex.EncodeToString(k)
}()

// startTafel starts an instance and waits until /readyz answers. It returns the first-start
// set-up link when the instance printed one.
func startTafel(name string, o tafelOpts) (*proc, string, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(o.port)
	// The bench signs in with passwords alone; its metrics are read with a token.
	args := []string{"--addr", addr, "--data", o.dir, "--public-url", o.publicURL, "--log-level", o.logLevel, "--two-factor", "off",
		// Every generated client connects from 127.0.0.1, and a chair follows many cases at
		// once: lift the socket caps per address and per session.
		"--ws-per-addr", "1000000", "--ws-per-session", "1000000"}
	env := []string{"TAFEL_METRICS_TOKEN=" + benchMetricsToken}
	if o.redisURL != "" {
		args = append(args, "--redis", o.redisURL)
		env = append(env, "TAFEL_JWT_KEY="+o.jwtKey, "TAFEL_MASTER_KEY="+benchMasterKey)
	}
	if o.plain {
		args = append(args, "--plain-store-for-benchmarks")
	}
	if o.sentinel != "" {
		args = append(args, "--redis-sentinel", o.sentinel)
		env = append(env, "TAFEL_JWT_KEY="+o.jwtKey, "TAFEL_MASTER_KEY="+benchMasterKey)
	}
	p, err := start(name, filepath.Join(o.dir, name+o.logSuffix+".log"), env, o.bin, args...)
	if err != nil {
		return nil, "", err
	}
	p.url, p.port = "http://"+addr, o.port
	if _, err := p.waitLine("Tafel draait op", 60*time.Second); err != nil {
		p.kill()
		return nil, "", err
	}
	if err := waitHTTP(p.url+"/readyz", 30*time.Second, p.exited); err != nil {
		p.kill()
		return nil, "", err
	}
	// The set-up link follows the first line when there are no accounts yet.
	time.Sleep(200 * time.Millisecond)
	link := ""
	p.mu.Lock()
	for _, l := range p.lines {
		if i := strings.Index(l, "/setup#"); i >= 0 {
			link = strings.TrimSpace(l)
		}
	}
	p.mu.Unlock()
	return p, link, nil
}

// startRedis starts redis-server with the persistence Tafel ships with (AOF, appendfsync
// always unless told otherwise, no RDB snapshots) in dir; extra are more redis-server flags.
func startRedis(dir, appendfsync string, extra ...string) (*proc, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found: apt-get install redis-server (or `make test-deps`)")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", appendfsync, "--maxclients", "10000"}, extra...)
	p, err := start("redis", filepath.Join(dir, "redis.log"), nil, bin, args...)
	if err != nil {
		return nil, err
	}
	p.url, p.port = fmt.Sprintf("redis://127.0.0.1:%d/0", port), port
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.kill()
	return nil, errors.New("redis-server did not start")
}

// startBaseline starts the baseline broadcast server (this binary, `baseline`).
func startBaseline(dir string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := start("baseline", filepath.Join(dir, "baseline.log"), nil, self, "baseline", "--addr", addr)
	if err != nil {
		return nil, err
	}
	p.url, p.port = "http://"+addr, port
	if err := waitHTTP(p.url+"/readyz", 20*time.Second, p.exited); err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// buildTafel builds cmd/tafel into dir and returns the binary's path.
func buildTafel(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tafel")
	var err error
	// The checkout is shared: a frontend build may be replacing frontend/dist right now.
	for attempt := 0; attempt < 5; attempt++ {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/tafel")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err = cmd.Run(); err == nil {
			return bin, nil
		}
		time.Sleep(5 * time.Second)
	}
	return "", fmt.Errorf("build cmd/tafel: %w", err)
}
