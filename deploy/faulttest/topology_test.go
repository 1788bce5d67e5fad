package faulttest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
)

// topology is one run of deploy/local/tafel-local.sh: Redis, the instances and nginx, each a
// process this test may signal by the pid the script recorded.
type topology struct {
	tb     testing.TB
	script string
	dir    string
	env    []string

	nginxPort int
	ports     []int // instance ports; instance i (1-based) listens on ports[i-1]
	redisPort int

	// With sentinels (startSentinelTopology): the replica's port and the sentinels' ports.
	replicaPort   int
	sentinelPorts []int
}

// startTopology starts the local topology in a fresh run dir on free loopback ports and stops
// it in tb.Cleanup (the run dir is kept, and named, when the test failed).
func startTopology(tb testing.TB) *topology {
	tb.Helper()
	return newTopology(tb, false)
}

// startSentinelTopology is startTopology with Redis failover (TAFEL_LOCAL_SENTINEL=1): a
// primary, one replica and three sentinels; the instances use --redis-sentinel.
func startSentinelTopology(tb testing.TB) *topology {
	tb.Helper()
	return newTopology(tb, true)
}

func newTopology(tb testing.TB, sentinel bool) *topology {
	tb.Helper()
	bins := []string{"redis-server", "nginx"}
	if sentinel {
		bins = append(bins, "redis-sentinel")
	}
	for _, bin := range bins {
		if _, err := exec.LookPath(bin); err != nil {
			if _, err := os.Stat("/usr/sbin/" + bin); err != nil {
				tb.Fatalf("%s not found: run `make test-deps` (apt-get install redis-server redis-sentinel nginx-light)", bin)
			}
		}
	}
	root, err := repoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "tafel-fault-")
	if err != nil {
		tb.Fatal(err)
	}
	// nginx workers run as nobody when the test runs as root: they must reach the run dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	ports, err := freePorts(9)
	if err != nil {
		tb.Fatal(err)
	}
	t := &topology{tb: tb, script: filepath.Join(root, "deploy", "local", "tafel-local.sh"), dir: dir,
		nginxPort: ports[0], ports: ports[1:4], redisPort: ports[4]}
	t.env = append(os.Environ(),
		"TAFEL_LOCAL_PORT="+strconv.Itoa(t.nginxPort),
		fmt.Sprintf("TAFEL_LOCAL_PORTS=%d,%d,%d", t.ports[0], t.ports[1], t.ports[2]),
		"TAFEL_LOCAL_REDIS_PORT="+strconv.Itoa(t.redisPort),
		"TAFEL_LOCAL_WATCH_PID="+strconv.Itoa(os.Getpid()),
		"TAFEL_LOCAL_BUILDFLAGS="+buildFlags,
		// Participants sign in with passwords alone: the fault tests are about the store.
		"TAFEL_LOCAL_ARGS=--log-level warn --two-factor off",
	)
	if sentinel {
		t.replicaPort, t.sentinelPorts = ports[5], ports[6:9]
		t.env = append(t.env, "TAFEL_LOCAL_SENTINEL=1",
			"TAFEL_LOCAL_REPLICA_PORT="+strconv.Itoa(t.replicaPort),
			fmt.Sprintf("TAFEL_LOCAL_SENTINEL_PORTS=%d,%d,%d", t.sentinelPorts[0], t.sentinelPorts[1], t.sentinelPorts[2]))
	}
	tb.Cleanup(func() {
		t.run(2*time.Minute, "stop")
		if tb.Failed() {
			tb.Logf("run dir kept for inspection: %s", dir)
			return
		}
		if races := t.raceReports(); races != "" {
			tb.Errorf("an instance reported a data race:\n%s", races)
			return
		}
		os.RemoveAll(dir)
	})
	t.start()
	return t
}

// start runs `tafel-local.sh start`: a fresh start, or a restart of what is not running.
// It returns once every instance is ready.
func (t *topology) start() {
	t.tb.Helper()
	t.run(5*time.Minute, "start")
}

func (t *topology) run(timeout time.Duration, cmd string) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", t.script, "--run-dir", t.dir, cmd)
	c.Env = t.env
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		t.tb.Fatalf("tafel-local.sh %s: %v\n%s", cmd, err, out.String())
	}
}

// url is the public entrance (nginx).
func (t *topology) url() string { return "http://127.0.0.1:" + strconv.Itoa(t.nginxPort) }

// storeOptions reach Redis, for reading the case logs directly: the one Redis, or with
// sentinels the current primary.
func (t *topology) storeOptions() redisstore.Options {
	if len(t.sentinelPorts) > 0 {
		return redisstore.Options{Sentinel: &redisstore.Sentinel{MasterName: "tafel", Addrs: t.sentinelAddrs()}}
	}
	return redisstore.Options{URL: "redis://127.0.0.1:" + strconv.Itoa(t.redisPort) + "/0"}
}

func (t *topology) sentinelAddrs() []string {
	var out []string
	for _, p := range t.sentinelPorts {
		out = append(out, "127.0.0.1:"+strconv.Itoa(p))
	}
	return out
}

// instanceOf returns the instance (1-based) listening on addr ("127.0.0.1:port"), or 0. For
// nginx's list of the upstreams it tried ("a, b") it is the last one, which answered.
func (t *topology) instanceOf(addr string) int {
	if i := strings.LastIndex(addr, ","); i >= 0 {
		addr = strings.TrimSpace(addr[i+1:])
	}
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	for i, port := range t.ports {
		if strconv.Itoa(port) == p {
			return i + 1
		}
	}
	return 0
}

// pid returns the recorded pid of "redis", "tafelN" or "nginx".
func (t *topology) pid(name string) int {
	t.tb.Helper()
	b, err := os.ReadFile(filepath.Join(t.dir, "pids", name+".pid"))
	if err != nil {
		t.tb.Fatalf("pid of %s: %v", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.tb.Fatalf("pid of %s: %v", name, err)
	}
	return pid
}

// signal sends sig to process name and waits until it has exited. It returns the time the
// signal was sent.
func (t *topology) signal(name string, sig syscall.Signal, wait time.Duration) time.Time {
	t.tb.Helper()
	pid := t.pid(name)
	if !alive(pid) {
		t.tb.Fatalf("%s (pid %d) is not running", name, pid)
	}
	at := time.Now()
	if err := syscall.Kill(pid, sig); err != nil {
		t.tb.Fatalf("signal %s (pid %d): %v", name, pid, err)
	}
	deadline := time.Now().Add(wait)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.tb.Fatalf("%s (pid %d) still runs %v after %v", name, pid, wait, sig)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return at
}

// alive reports whether pid runs (a zombie, never reaped here, does not count).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if state, ok := strings.CutPrefix(sc.Text(), "State:"); ok {
			return !strings.HasPrefix(strings.TrimSpace(state), "Z")
		}
	}
	return true
}

// readyz returns the status of GET /readyz on instance i, asked directly (not through nginx);
// 0 when it does not answer.
func (t *topology) readyz(i int) int {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", t.ports[i-1]))
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitReadyz waits until every instance answers /readyz with want.
func (t *topology) waitReadyz(want int, within time.Duration) {
	t.tb.Helper()
	deadline := time.Now().Add(within)
	for i := 1; i <= len(t.ports); i++ {
		for got := t.readyz(i); got != want; got = t.readyz(i) {
			if time.Now().After(deadline) {
				t.tb.Fatalf("tafel%d /readyz: got %d, want %d", i, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

var setupLink = regexp.MustCompile(`https?://\S+/setup#(\S+)`)

// firstStartToken returns the token of the first-start link instance 1 printed.
func (t *topology) firstStartToken() string {
	t.tb.Helper()
	b, err := os.ReadFile(filepath.Join(t.dir, "tafel1", "out.log"))
	if err != nil {
		t.tb.Fatal(err)
	}
	m := setupLink.FindSubmatch(b)
	if m == nil {
		t.tb.Fatalf("no first-start link in tafel1/out.log:\n%s", b)
	}
	return string(m[1])
}

// raceReports returns the data race reports in the instances' logs, if any.
func (t *topology) raceReports() string {
	var out strings.Builder
	for i := range t.ports {
		b, _ := os.ReadFile(filepath.Join(t.dir, fmt.Sprintf("tafel%d", i+1), "err.log"))
		if idx := bytes.Index(b, []byte("WARNING: DATA RACE")); idx >= 0 {
			end := min(len(b), idx+4000)
			fmt.Fprintf(&out, "tafel%d:\n%s\n", i+1, b[idx:end])
		}
	}
	return out.String()
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
