package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/server"
)

// TestMain runs the tests, or, as the child of BenchmarkIdleSockets, holds its sockets.
func TestMain(m *testing.M) {
	if spec := os.Getenv("TAFEL_IDLE_HOLD"); spec != "" {
		os.Exit(holdIdle(spec))
	}
	os.Exit(m.Run())
}

// BenchmarkIdleSockets measures what an idle authenticated WebSocket costs the server: it
// opens TAFEL_IDLE_N sockets (2,000) spread over TAFEL_IDLE_CASES cases (200: ten per case,
// as in tafel-bench P2), each past hello, from a child process (so that the client side of the
// sockets is not counted), and reports the server's Go heap, goroutine stacks, goroutines and
// RSS per socket after a GC with the free memory returned to the system (the floor of RSS: a
// running server's heap also holds garbage up to its GC goal). With TAFEL_IDLE_HEAPPROFILE=<file> it writes the heap profile
// (go tool pprof -sample_index=inuse_space) of the server holding the sockets, and its
// goroutines to <file>.goroutines. Run with
// -benchtime=1x; it measures memory, not time.
func BenchmarkIdleSockets(b *testing.B) {
	n, cases := envOr("TAFEL_IDLE_N", 2000), envOr("TAFEL_IDLE_CASES", 200)
	profile := os.Getenv("TAFEL_IDLE_HEAPPROFILE")
	if profile != "" {
		runtime.MemProfileRate = 64 // every allocation, near enough
	}
	h := newHarness(b, func(o *server.Options) {
		o.Config.WSPerSession, o.Config.WSPerAddr = n+1, n+1
		o.Config.RateLimit, o.Config.RateBurst = 1e6, 1e6 // the upgrades come from one address
	})
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	ids := make([]string, cases)
	for i := range ids {
		ids[i] = newCase(b, chair, fmt.Sprintf("Casus %d", i))
	}
	before := settledMemory()

	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "TAFEL_IDLE_HOLD="+strings.Join([]string{strconv.Itoa(n), h.srv.Config().PublicURL,
		strings.TrimPrefix(h.url, "http"), h.srv.CookieName() + "=" + chair.cookie(), strings.Join(ids, ",")}, " "))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		b.Fatalf("holder: %q %v", line, err)
	}
	after := settledMemory()
	if f := profile; f != "" {
		w, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		_ = pprof.WriteHeapProfile(w)
		_ = w.Close()
		if w, err = os.Create(f + ".goroutines"); err == nil {
			_ = pprof.Lookup("goroutine").WriteTo(w, 1)
			_ = w.Close()
		}
	}
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	b.ReportMetric(per(after.heap, before.heap), "heap-B/conn")
	b.ReportMetric(per(after.stack, before.stack), "stack-B/conn")
	b.ReportMetric(per(after.rss, before.rss), "rss-anon-B/conn")
	b.ReportMetric(per(after.rssFile, before.rssFile), "rss-file-B/conn")
	b.ReportMetric(float64(after.goroutines-before.goroutines)/float64(n), "goroutines/conn")
	// The size new goroutines start with (the runtime sets it from the stacks it scans).
	start := []metrics.Sample{{Name: "/gc/stack/starting-size:bytes"}}
	metrics.Read(start)
	b.ReportMetric(float64(start[0].Value.Uint64()), "stack-start-B")
}

// idleMemory is the process's memory at one moment.
type idleMemory struct {
	heap, stack, rss uint64
	rssFile          uint64 // the store's mapped file, apart
	goroutines       int
}

// settledMemory waits (up to a minute) until the number of goroutines has not changed for a
// second, collects garbage twice (stacks shrink at a GC), returns the free memory to the
// system and reads the memory.
func settledMemory() idleMemory {
	last, since := -1, time.Now()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		g := runtime.NumGoroutine()
		if g != last {
			last, since = g, time.Now()
		}
		if time.Since(since) > time.Second {
			break
		}
	}
	runtime.GC()
	debug.FreeOSMemory() // RSS: what is in use, not what the heap held at its peak
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := idleMemory{heap: ms.HeapAlloc, stack: ms.StackInuse, goroutines: runtime.NumGoroutine()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) == 3 && (f[0] == "RssAnon:" || f[0] == "RssFile:") {
				kib, _ := strconv.ParseUint(f[1], 10, 64)
				if f[0] == "RssAnon:" {
					m.rss = kib << 10
				} else {
					m.rssFile = kib << 10
				}
			}
		}
	}
	return m
}

func envOr(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// holdIdle is the child of BenchmarkIdleSockets (TAFEL_IDLE_HOLD="n origin ws-base cookie
// case,case,…"): it opens n sockets, says hello on each, prints "ready" once every one has
// its welcome and holds them, reading, until its stdin closes.
func holdIdle(spec string) int {
	f := strings.Fields(spec)
	n, _ := strconv.Atoi(f[0])
	origin, base, cookie, cases := f[1], "ws"+f[2], f[3], strings.Split(f[4], ",")
	d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: time.Minute}
	hdr := http.Header{"Origin": {origin}, "Cookie": {cookie}}
	for i := range n {
		conn, _, err := d.Dial(base+"/ws?case="+cases[i%len(cases)], hdr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "holder: dial:", err)
			return 1
		}
		if err := conn.WriteJSON(map[string]any{"type": "hello", "lastSeq": 0}); err != nil {
			fmt.Fprintln(os.Stderr, "holder: hello:", err)
			return 1
		}
		for {
			var fr struct{ Type string }
			_, b, err := conn.ReadMessage()
			if err != nil || json.Unmarshal(b, &fr) != nil {
				fmt.Fprintln(os.Stderr, "holder: waiting for welcome:", err)
				return 1
			}
			if fr.Type == "welcome" {
				break
			}
		}
		go func() {
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}
