package redistest

import (
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

// SentinelOptions configures StartSentinels. The zero value of every field means its default.
type SentinelOptions struct {
	// MasterName is the name the sentinels monitor the primary under. Default "tafel".
	MasterName string
	// Replicas is the number of replicas of the primary. Default 1.
	Replicas int
	// Sentinels is the number of sentinels; the quorum is a majority of them. Default 3.
	Sentinels int
	// DownAfter is the sentinels' down-after-milliseconds: how long the primary may not
	// answer before a sentinel thinks it down. Default 2 s.
	DownAfter time.Duration
	// FailoverTimeout is the sentinels' failover-timeout; a sentinel does not start a new
	// failover of the same master within twice this time of the previous one. Default 2 s.
	FailoverTimeout time.Duration
}

func (o SentinelOptions) withDefaults() SentinelOptions {
	if o.MasterName == "" {
		o.MasterName = "tafel"
	}
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.Sentinels == 0 {
		o.Sentinels = 3
	}
	if o.DownAfter == 0 {
		o.DownAfter = 2 * time.Second
	}
	if o.FailoverTimeout == 0 {
		o.FailoverTimeout = 2 * time.Second
	}
	return o
}

// SentinelSet is a Redis primary with its replicas (each a Server with the persistence of
// Start, and min-replicas-to-write 1) and the sentinels that watch them, all on loopback
// ports. Which server is the
// primary changes with every failover: ask Primary.
//
//	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
//	store, err := redisstore.New(ctx, redisstore.Options{Sentinel: &redisstore.Sentinel{
//		MasterName: set.MasterName, Addrs: set.SentinelAddrs()}})
//	old := set.Primary()
//	old.Kill()
//	newPrimary := set.WaitFailover(old)
//	old.StartReplicaOf(newPrimary.Addr()) // the old primary rejoins as a replica
//
// Everything is stopped in tb.Cleanup.
type SentinelSet struct {
	tb         testing.TB
	opts       SentinelOptions
	MasterName string
	Servers    []*Server
	Sentinels  []*SentinelProc
}

// StartSentinels starts a primary, its replicas and the sentinels, and returns once every
// sentinel knows every replica and every other sentinel (a failover can then happen).
func StartSentinels(tb testing.TB, opts SentinelOptions) *SentinelSet {
	tb.Helper()
	opts = opts.withDefaults()
	set := &SentinelSet{tb: tb, opts: opts, MasterName: opts.MasterName}
	// A replica that (re)joins syncs at once instead of waiting 5 s for others to join the
	// same diskless transfer: until it has synced no append can be confirmed. A primary
	// without a connected replica refuses writes (NOREPLICAS): one cut off by a failover takes
	// none that would be dropped when it rejoins.
	args := []string{"--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1", "--min-replicas-max-lag", "5"}
	primary := Start(tb, args...)
	set.Servers = append(set.Servers, primary)
	for range opts.Replicas {
		set.Servers = append(set.Servers, StartReplica(tb, primary, args...))
	}
	bin := lookPath(tb, "redis-sentinel", "redis-sentinel")
	for range opts.Sentinels {
		set.Sentinels = append(set.Sentinels, startSentinel(tb, bin, primary.Addr(), opts))
	}
	set.WaitReady()
	return set
}

// SentinelAddrs are the sentinels' host:port addresses.
func (set *SentinelSet) SentinelAddrs() []string {
	out := make([]string, len(set.Sentinels))
	for i, s := range set.Sentinels {
		out[i] = s.Addr()
	}
	return out
}

// Server returns the server listening on addr (host:port), or nil.
func (set *SentinelSet) Server(addr string) *Server {
	for _, s := range set.Servers {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

// Primary returns the server the sentinels name as the primary now (the first sentinel
// that answers), failing the test when none answers.
func (set *SentinelSet) Primary() *Server {
	set.tb.Helper()
	for _, sn := range set.Sentinels {
		if addr, err := sn.MasterAddr(set.MasterName); err == nil {
			if s := set.Server(addr); s != nil {
				return s
			}
		}
	}
	set.tb.Fatalf("redistest: no sentinel names a primary of %q", set.MasterName)
	return nil
}

// Replicas returns the servers other than the current primary.
func (set *SentinelSet) Replicas() []*Server {
	set.tb.Helper()
	p := set.Primary()
	var out []*Server
	for _, s := range set.Servers {
		if s != p {
			out = append(out, s)
		}
	}
	return out
}

// WaitFailover waits until every sentinel names a primary other than old and that server
// says it is a primary, and returns it. It fails the test after a minute.
func (set *SentinelSet) WaitFailover(old *Server) *Server {
	set.tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if p, err := set.agreedPrimary(); err == nil && p != old {
			if info, err := Do(p.Addr(), "INFO", "replication"); err == nil && strings.Contains(info, "role:master") {
				return p
			}
		}
		if time.Now().After(deadline) {
			set.tb.Fatalf("redistest: no failover away from %s within a minute", old.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// agreedPrimary returns the server every sentinel names as the primary.
func (set *SentinelSet) agreedPrimary() (*Server, error) {
	var addr string
	for _, sn := range set.Sentinels {
		a, err := sn.MasterAddr(set.MasterName)
		if err != nil {
			return nil, err
		}
		if addr != "" && a != addr {
			return nil, fmt.Errorf("sentinels disagree: %s and %s", addr, a)
		}
		addr = a
	}
	s := set.Server(addr)
	if s == nil {
		return nil, fmt.Errorf("sentinels name an unknown primary %s", addr)
	}
	return s, nil
}

// WaitReady waits until every sentinel agrees on the primary, sees it up, knows every
// other server as a replica that is up and every other sentinel, and every replica has
// synced: the state in which a failover can promote a replica. It fails the test after a
// minute.
func (set *SentinelSet) WaitReady() {
	set.tb.Helper()
	deadline := time.Now().Add(time.Minute)
	var why error
	for {
		if why = set.ready(); why == nil {
			return
		}
		if time.Now().After(deadline) {
			set.tb.Fatalf("redistest: sentinel set not ready after a minute: %v", why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (set *SentinelSet) ready() error {
	p, err := set.agreedPrimary()
	if err != nil {
		return err
	}
	for _, s := range set.Servers {
		if !s.Running() {
			return fmt.Errorf("%s is down", s.Addr())
		}
		if s == p {
			continue
		}
		info, err := Do(s.Addr(), "INFO", "replication")
		if err != nil {
			return err
		}
		if !strings.Contains(info, "master_port:"+strconv.Itoa(p.port)+"\r") || !strings.Contains(info, "master_link_status:up") ||
			!strings.Contains(info, "master_sync_in_progress:0") {
			return fmt.Errorf("replica %s not in sync with %s", s.Addr(), p.Addr())
		}
	}
	for _, sn := range set.Sentinels {
		m, err := sn.fields("SENTINEL", "MASTER", set.MasterName)
		if err != nil {
			return err
		}
		if m["flags"] != "master" || m["num-slaves"] != strconv.Itoa(len(set.Servers)-1) ||
			m["num-other-sentinels"] != strconv.Itoa(len(set.Sentinels)-1) {
			return fmt.Errorf("sentinel %s sees master %v", sn.Addr(), m)
		}
		reps, err := DoAny(sn.Addr(), "SENTINEL", "REPLICAS", set.MasterName)
		if err != nil {
			return err
		}
		list, _ := reps.([]any)
		for _, r := range list {
			f := pairs(r)
			// Sentinels refresh a replica's INFO only every 10 s while the primary is up, so
			// the link status they report lags; the servers' own INFO above is current.
			if f["flags"] != "slave" {
				return fmt.Errorf("sentinel %s sees replica %s as %s", sn.Addr(), f["name"], f["flags"])
			}
		}
	}
	return nil
}

// SentinelProc is one redis-sentinel process.
type SentinelProc struct {
	tb   testing.TB
	bin  string
	dir  string
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

func startSentinel(tb testing.TB, bin, primary string, opts SentinelOptions) *SentinelProc {
	tb.Helper()
	sn := &SentinelProc{tb: tb, bin: bin, dir: tb.TempDir()}
	tb.Cleanup(sn.Kill)
	host, pport, _ := net.SplitHostPort(primary)
	var lastErr error
	for range 5 {
		var err error
		if sn.port, err = freePort(); err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		// Sentinel rewrites its configuration file (its id, the current primary, the other
		// sentinels): a fresh one per start of the set.
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\nlogfile %s\nloglevel notice\n"+
			"sentinel monitor %s %s %s %d\n"+
			"sentinel down-after-milliseconds %s %d\n"+
			"sentinel failover-timeout %s %d\n"+
			"sentinel parallel-syncs %s 1\n",
			sn.port, sn.dir, filepath.Join(sn.dir, "sentinel.log"),
			opts.MasterName, host, pport, opts.Sentinels/2+1,
			opts.MasterName, opts.DownAfter.Milliseconds(),
			opts.MasterName, opts.FailoverTimeout.Milliseconds(),
			opts.MasterName)
		if err := os.WriteFile(sn.confPath(), []byte(conf), 0o600); err != nil {
			tb.Fatal(err)
		}
		if lastErr = sn.start(); lastErr == nil {
			return sn
		}
	}
	tb.Fatalf("redistest: start redis-sentinel: %v", lastErr)
	return nil
}

func (sn *SentinelProc) confPath() string { return filepath.Join(sn.dir, "sentinel.conf") }

// Addr is the sentinel's host:port on the loopback interface.
func (sn *SentinelProc) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(sn.port)) }

// Dir holds the sentinel's configuration file and log.
func (sn *SentinelProc) Dir() string { return sn.dir }

// MasterAddr asks the sentinel for the address of the primary it monitors as name.
func (sn *SentinelProc) MasterAddr(name string) (string, error) {
	v, err := DoAny(sn.Addr(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
	if err != nil {
		return "", err
	}
	hp, ok := v.([]any)
	if !ok || len(hp) != 2 {
		return "", fmt.Errorf("sentinel %s knows no master %q", sn.Addr(), name)
	}
	return net.JoinHostPort(fmt.Sprint(hp[0]), fmt.Sprint(hp[1])), nil
}

func (sn *SentinelProc) fields(args ...string) (map[string]string, error) {
	v, err := DoAny(sn.Addr(), args...)
	if err != nil {
		return nil, err
	}
	return pairs(v), nil
}

// pairs turns a flat [k1 v1 k2 v2 …] reply into a map.
func pairs(v any) map[string]string {
	list, _ := v.([]any)
	out := map[string]string{}
	for i := 0; i+1 < len(list); i += 2 {
		out[fmt.Sprint(list[i])] = fmt.Sprint(list[i+1])
	}
	return out
}

func (sn *SentinelProc) start() error {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.cmd != nil {
		return errors.New("already running")
	}
	cmd := exec.Command(sn.bin, sn.confPath())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	if err := waitReady(sn.Addr(), exited); err != nil {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return fmt.Errorf("%w; sentinel.log: %s", err, tail(filepath.Join(sn.dir, "sentinel.log")))
	}
	sn.cmd, sn.exited = cmd, exited
	return nil
}

// Kill ends the sentinel with SIGKILL and waits for it to exit.
func (sn *SentinelProc) Kill() {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.cmd == nil {
		return
	}
	_ = sn.cmd.Process.Signal(syscall.SIGKILL)
	<-sn.exited
	sn.cmd = nil
}
