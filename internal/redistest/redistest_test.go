package redistest_test

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// do sends one inline command to addr and returns the first line of the reply.
func do(t *testing.T, addr, command string) (string, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(command + "\r\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(line, "$") && !strings.HasPrefix(line, "$-1") {
		line, err = r.ReadString('\n')
	}
	return strings.TrimSpace(line), err
}

// TestKillAndStartKeepsData writes a key, crashes the server with SIGKILL, starts it again on
// the same port and reads the key back from the AOF.
func TestKillAndStartKeepsData(t *testing.T) {
	srv := redistest.Start(t)
	if !strings.HasPrefix(srv.URL(), "redis://127.0.0.1:") {
		t.Fatalf("URL = %q, want a loopback redis:// URL", srv.URL())
	}
	if got, err := do(t, srv.Addr(), "SET k durable"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	if got := configGet(t, srv.Addr(), "appendfsync"); got != "always" {
		t.Fatalf("appendfsync = %q, want always", got)
	}
	if got := configGet(t, srv.Addr(), "appendonly"); got != "yes" {
		t.Fatalf("appendonly = %q, want yes", got)
	}
	srv.Kill()
	if _, err := do(t, srv.Addr(), "PING"); err == nil {
		t.Fatal("PING after Kill got an answer, want a refused connection")
	}
	srv.Kill() // killing a dead server is harmless
	srv.Start()
	if got, err := do(t, srv.Addr(), "GET k"); err != nil || got != "durable" {
		t.Fatalf("GET after restart = %q, %v; want durable", got, err)
	}
	srv.Restart()
	if got, err := do(t, srv.Addr(), "GET k"); err != nil || got != "durable" {
		t.Fatalf("GET after Restart = %q, %v; want durable", got, err)
	}
}

// TestExtraArgs overrides a default on the command line.
func TestExtraArgs(t *testing.T) {
	srv := redistest.Start(t, "--appendfsync", "everysec")
	if got := configGet(t, srv.Addr(), "appendfsync"); got != "everysec" {
		t.Fatalf("appendfsync = %q, want everysec", got)
	}
}

// configGet returns the value of one configuration parameter of the server at addr.
func configGet(t *testing.T, addr, name string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("CONFIG GET " + name + "\r\n")); err != nil {
		t.Fatal(err)
	}
	// *2, $len, name, $len, value
	r := bufio.NewReader(c)
	var lines []string
	for range 5 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v (read %q)", name, err, lines)
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	return lines[4]
}

// fatalTB records the message of Fatalf and stops the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestMissingBinary fails with a message that says how to install redis-server.
func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		redistest.Start(tb)
	}()
	<-done
	if !strings.Contains(tb.msg, "redis-server not found") || !strings.Contains(tb.msg, "make test") {
		t.Fatalf("message = %q, want one that names redis-server and `make test`", tb.msg)
	}
}

// TestSentinelFailover: killing the primary of a sentinel set makes the sentinels promote
// the replica; the old primary rejoins as a replica of the new one, with the data written
// before the kill.
func TestSentinelFailover(t *testing.T) {
	start := time.Now()
	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
	old := set.Primary()
	if got, err := redistest.Do(old.Addr(), "SET", "k", "before"); err != nil || got != "OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	if n, err := redistest.Do(old.Addr(), "WAIT", "1", "5000"); err != nil || n != "1" {
		t.Fatalf("WAIT 1 = %q, %v; want 1 replica", n, err)
	}
	t.Logf("set up in %v", time.Since(start).Round(time.Millisecond))
	killed := time.Now()
	old.Kill()
	primary := set.WaitFailover(old)
	t.Logf("failover to %s after %v", primary.Addr(), time.Since(killed).Round(time.Millisecond))
	if got, err := redistest.Do(primary.Addr(), "GET", "k"); err != nil || got != "before" {
		t.Fatalf("GET on the new primary = %q, %v", got, err)
	}
	rejoin := time.Now()
	old.StartReplicaOf(primary.Addr())
	set.WaitReady()
	t.Logf("the old primary rejoined in %v", time.Since(rejoin).Round(time.Millisecond))
	if got, err := redistest.Do(old.Addr(), "GET", "k"); err != nil || got != "before" {
		t.Fatalf("GET on the rejoined old primary = %q, %v", got, err)
	}
	if _, err := redistest.Do(old.Addr(), "SET", "k", "x"); err == nil || !strings.HasPrefix(err.Error(), "READONLY") {
		t.Fatalf("SET on the rejoined replica: %v, want READONLY", err)
	}
}

// TestCluster: a three-primary cluster serves every slot; keys with one hash tag share a slot.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	seen := map[string]bool{}
	for _, key := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		node, slot, err := c.NodeOf(key)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := redistest.Do(node.Addr(), "SET", key, "v"); err != nil || got != "OK" {
			t.Fatalf("SET %s (slot %d) on %s = %q, %v", key, slot, node.Addr(), got, err)
		}
		seen[node.Addr()] = true
	}
	if len(seen) != 3 {
		t.Fatalf("8 keys landed on %d nodes, want all 3", len(seen))
	}
	_, s1, _ := c.NodeOf("x:{case-1}:log")
	_, s2, _ := c.NodeOf("x:{case-1}:cmds")
	if s1 != s2 {
		t.Fatalf("keys with one hash tag in slots %d and %d", s1, s2)
	}
}
