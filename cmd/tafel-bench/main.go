// Command tafel-bench is Tafel's benchmark harness: a load generator that sets up accounts,
// cases and invitations through the real REST API, opens real WebSocket clients and plays
// meetings (scores, reveals, agenda moves), against Tafel (embedded store and Redis) and, in
// the same run, against a plain gorilla/websocket broadcast server as the baseline. Each
// scenario prints one JSON line; the run also writes the lines and latency plots to -out.
//
//	tafel-bench [-mode quick|full] [-only P1,P2,…] [-stores bolt,redis,sentinel] [-out docs/bench]
//
// Scenarios (issue 7): P1 fan-out, P2 memory per idle connection, P3 cross-instance,
// P4 reconnect storm, P5 slow consumers, P6 contention; P7 history (issue 19: a two-year case
// against a fresh one, p7.go). See docs/bench.md. The "sentinel"
// store (a primary, one replica, three sentinels; every command waits for the replica) runs
// P1 only, after the single Redis, and reports its cost against it.
//
// The generator re-executes itself as worker processes (`tafel-bench worker`, at most 6,000
// sockets each: the machine allows 20,000 open files per process) and as the baseline server
// (`tafel-bench baseline`). Run it from the repository root: it builds cmd/tafel.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "worker":
			workerMain()
			return
		case "baseline":
			baselineMain(os.Args[2:])
			return
		case "p7server":
			p7ServerMain(os.Args[2:])
			return
		}
	}
	mode := flag.String("mode", "quick", "quick (under 5 minutes) or full (the real figures)")
	only := flag.String("only", "", "comma-separated scenarios to run (default all: P1,P2,P3,P4,P5,P6,P7)")
	stores := flag.String("stores", "bolt,redis,sentinel", "stores to run: bolt, redis, sentinel (P1 only: Redis with a replica and WAIT 1), and bolt-plain, redis-plain (without encryption at rest)")
	out := flag.String("out", "docs/bench", "directory for results-<mode>.jsonl and the plots")
	work := flag.String("work", "", "working directory for data and logs (default: a new temporary one)")
	keep := flag.Bool("keep", false, "keep the working directory")
	logLevel := flag.String("server-log-level", "info", "log level of the Tafel instances")
	verbose := flag.Bool("v", false, "show the workers' errors")
	meetings := flag.Int("meetings", 0, "override the number of 10-person meetings (development)")
	meetings30 := flag.Int("meetings30", 0, "override the number of 30-person meetings (development)")
	appendfsync := flag.String("redis-appendfsync", "always", "Redis appendfsync (always is what Tafel ships; everysec to see what fsync costs)")
	tafelBin := flag.String("tafel", "", "a built tafel binary to use (default: build ./cmd/tafel)")
	seconds := flag.Float64("seconds", 0, "override the P1/P3 window in seconds (development)")
	flag.Parse()

	r := &runner{bin: *tafelBin, appendfsync: *appendfsync, mode: *mode, logLevel: *logLevel, verbose: *verbose, outDir: *out, only: map[string]bool{}}
	switch *mode {
	case "quick":
		r.sz = quickSizes
	case "full":
		r.sz = fullSizes
	default:
		fmt.Fprintln(os.Stderr, "tafel-bench: -mode is quick or full")
		os.Exit(2)
	}
	if *meetings > 0 {
		r.sz.p1Meetings = *meetings
		r.sz.p2Small = max(1, *meetings/5)
	}
	if *meetings30 > 0 {
		r.sz.p30Meetings = *meetings30
	}
	if *seconds > 0 {
		r.sz.seconds = *seconds
	}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(strings.ToUpper(s)); s != "" {
			r.only[s] = true
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "tafel-bench: %s: ending the processes it started\n", s)
		children.killAll()
		if r.tempWork {
			time.Sleep(500 * time.Millisecond) // the killed processes release their files
			_ = os.RemoveAll(r.work)
		}
		os.Exit(130)
	}()
	err := r.run(*stores, *work, *keep)
	children.killAll() // whatever an error path left running
	if err != nil {
		fmt.Fprintln(os.Stderr, "tafel-bench:", err)
		os.Exit(1)
	}
}

// runner is the coordinator of one run.
type runner struct {
	mode     string
	sz       sizes
	only     map[string]bool
	logLevel string
	verbose  bool
	outDir   string
	work     string
	tempWork bool // remove work at the end (also when interrupted)
	// appendfsync is Redis's AOF fsync policy.
	appendfsync string
	bin         string
	started     time.Time
	// encryption is "on" or "off" (a "-plain" store) for the store being run.
	encryption string

	mu      sync.Mutex
	results []map[string]any
	curves  map[string][]series
	baseP35 *Snapshot // the baseline at P3's scale (P5's normal window), for P3's ratio
	baseP6  *Snapshot // the baseline's P6 burst (run next to the one-instance P6), for the 3-instance ratio
	// p1Windows are the P1 windows by store, meetings and size, so that the sentinel store's P1 is
	// reported against the single Redis's of the same run.
	p1Windows map[string]*window
}

func (r *runner) want(s string) bool { return len(r.only) == 0 || r.only[s] }

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(r.started).Seconds(), fmt.Sprintf(format, args...))
}

// emit prints one scenario's JSON line and keeps it for the results file.
func (r *runner) emit(m map[string]any) {
	m["mode"] = r.mode
	if r.encryption != "" {
		m["encryption"] = r.encryption
	}
	m["load1"] = loadAvg() // the shared machine's load when the scenario ended
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
	r.mu.Lock()
	r.results = append(r.results, m)
	r.mu.Unlock()
}

// curve keeps a distribution for a plot: group "delivery", "commit" or "resume".
func (r *runner) curve(label string, h *Hist) {
	group := "delivery"
	switch {
	case strings.Contains(label, "commit"):
		group = "commit"
	case strings.Contains(label, "resume"):
		group = "resume"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.curves == nil {
		r.curves = map[string][]series{}
	}
	cp := Hist{}
	cp.Merge(h)
	r.curves[group] = append(r.curves[group], series{label: label, hist: cp})
}

// storeLabel names the store a baseline series was measured next to.
func storeLabel(d *deployment) string {
	label := d.store
	switch d.store {
	case "bolt":
		label = "embedded"
	case "sentinel":
		label = "redis+replica (WAIT 1)"
	}
	if d.plain {
		label += ", unencrypted"
	}
	return label
}

func numCPU() int { return runtime.NumCPU() }

func (r *runner) run(stores, work string, keep bool) error {
	r.started = time.Now()
	ctx := context.Background()
	if work == "" {
		d, err := os.MkdirTemp("", "tafel-bench-")
		if err != nil {
			return err
		}
		work = d
		r.tempWork = !keep
		if !keep {
			defer os.RemoveAll(d)
		}
	}
	if err := os.MkdirAll(work, 0o700); err != nil {
		return err
	}
	r.work = work
	r.logf("mode %s, working directory %s", r.mode, work)
	if r.bin == "" {
		bin, err := buildTafel(ctx, work)
		if err != nil {
			return err
		}
		r.bin = bin
	}
	info := machineInfo()
	info["commit"] = gitCommit()
	info["mode"] = r.mode
	info["started"] = r.started.UTC().Format(time.RFC3339)
	info["fsync_p50_ms"], info["fsync_p99_ms"] = fsyncProbe(work, 200)
	r.emit(map[string]any{"scenario": "machine", "machine": info})
	if r.want("P7") { // its own servers (the hub on bbolt, in processes of their own): once, not per store
		if err := r.p7(); err != nil {
			return err
		}
	}
	for _, s := range strings.Split(stores, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		switch s {
		case "bolt", "redis", "sentinel":
			r.encryption = "on"
		case "bolt-plain", "redis-plain": // the same without encryption at rest, to measure its cost
			r.encryption = "off"
		default:
			return fmt.Errorf("unknown store %q", s)
		}
		if err := r.storeRun(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	r.logf("done in %s", time.Since(r.started).Round(time.Second))
	return r.writeOutputs()
}

// storeRun runs the scenarios that apply to one store.
func (r *runner) storeRun(ctx context.Context, store string) error {
	needP := r.want("P1") || r.want("P2") || r.want("P3") || r.want("P4") || r.want("P5")
	needQ := r.want("P1") || r.want("P6")
	if !needP && !needQ {
		return nil // P7 only: it runs once, before the stores
	}
	if strings.HasPrefix(store, "bolt") && !(needP || needQ) {
		return nil
	}
	if store == "sentinel" {
		// P1 only: what waiting for the replica costs, against the single Redis.
		if !r.want("P1") {
			return nil
		}
		needP, needQ = true, false
	}
	p2, p5 := r.want("P2") && store != "sentinel", r.want("P5") && store != "sentinel"
	d, err := r.newDeployment(ctx, store)
	if err != nil {
		return err
	}
	defer d.close()
	base, err := startBaseline(d.dir)
	if err != nil {
		return err
	}
	defer base.stop(5 * time.Second)
	baseURL := []string{"ws" + strings.TrimPrefix(base.url, "http")}

	if needP {
		t0 := time.Now()
		pm, err := d.pop.meetings(ctx, r.sz.p1Meetings, 10, func(n int) { r.logf("%s: %d cases set up", store, n) })
		if err != nil {
			return err
		}
		r.logf("%s: %d cases with 9 invitees each set up in %s (%d API calls)", store, len(pm),
			time.Since(t0).Round(time.Second), d.pop.api.calls.Load())
		f, err := newFleet(pm, d.wsURLs(), d.publicURL, false, r.verbose)
		if err != nil {
			return err
		}
		defer f.exit()
		bf, err := newFleet(baselineMeetings(r.sz.p1Meetings, 10, 40000), baseURL, base.url, true, r.verbose)
		if err != nil {
			return err
		}
		defer bf.exit()
		if p2 {
			if err := r.p2(d, f, bf, base); err != nil {
				return err
			}
		}
		if err := r.connectAll(f, "first"); err != nil {
			return err
		}
		if err := r.connectAll(bf, "first"); err != nil {
			return err
		}
		if _, err := bf.all(op{Op: "prepare"}); err != nil {
			return err
		}
		t0 = time.Now()
		if rs, err := f.all(op{Op: "prepare"}); err != nil {
			return err
		} else if errs := replyErrors(rs); errs != "" {
			return fmt.Errorf("prepare: %s", errs)
		}
		r.logf("%s: meetings started, everyone admitted, first rounds open (%s)", store, time.Since(t0).Round(time.Second))
		if r.want("P1") {
			if _, err := r.p1("P1", d, d.tafelPids()[:1], f, bf, base, r.sz.p1Meetings, 10); err != nil {
				return err
			}
			// Again below saturation: how fast it is when it keeps up.
			n, err := r.subset(f, r.sz.lightMeetings, nil, "first")
			if err != nil {
				return err
			}
			if _, err := r.subset(bf, r.sz.lightMeetings, nil, "first"); err != nil {
				return err
			}
			if _, err := r.p1("P1", d, d.tafelPids()[:1], f, bf, base, n, 10); err != nil {
				return err
			}
		}
		if p5 {
			if _, err := r.subset(f, r.sz.p35Meetings, nil, "first"); err != nil {
				return err
			}
			if _, err := r.subset(bf, r.sz.p35Meetings, nil, "first"); err != nil {
				return err
			}
			if err := r.p5(d, f, bf, base); err != nil {
				return err
			}
			if _, err := f.all(op{Op: "closeall"}); err != nil {
				return err
			}
			if _, err := f.all(op{Op: "exclude", Fraction: 0}); err != nil {
				return err
			}
		}
		if store == "redis" && (r.want("P3") || r.want("P4")) {
			for len(d.insts) < 3 {
				if _, err := d.addInstance(0); err != nil {
					return err
				}
			}
			if r.want("P3") {
				if err := r.p3(d, f); err != nil {
					return err
				}
			}
			if r.want("P4") {
				if err := r.p4(d, f); err != nil {
					return err
				}
			}
		}
		if _, err := f.all(op{Op: "closeall"}); err != nil {
			return err
		}
		if _, err := bf.all(op{Op: "closeall"}); err != nil {
			return err
		}
	}
	if needQ {
		if err := r.thirtyPerMeeting(ctx, d, base, baseURL); err != nil {
			return err
		}
	}
	return nil
}

// thirtyPerMeeting runs P1 with 30 people per meeting and P6 (on Redis also with the 30
// scorers spread over three instances).
func (r *runner) thirtyPerMeeting(ctx context.Context, d *deployment, base *proc, baseURL []string) error {
	if d.store == "redis" && r.want("P6") {
		// Three live instances (P4 may have killed one): P6 also runs spread over them.
		for len(d.tafelPids()) < 3 {
			if _, err := d.addInstance(0); err != nil {
				return err
			}
		}
	}
	insts := d.liveWSURLs()
	d.pop.api = newAPI(strings.Replace(insts[0], "ws", "http", 1), d.publicURL, 0, apiSrcs)
	t0 := time.Now()
	qm, err := d.pop.meetings(ctx, r.sz.p30Meetings, 30, nil)
	if err != nil {
		return err
	}
	r.logf("%s: %d cases with 29 invitees each set up in %s", d.store, len(qm), time.Since(t0).Round(time.Second))
	f, err := newFleet(qm, insts[:1], d.publicURL, false, r.verbose)
	if err != nil {
		return err
	}
	defer f.exit()
	bf, err := newFleet(baselineMeetings(r.sz.p30Meetings, 30, 45000), baseURL, base.url, true, r.verbose)
	if err != nil {
		return err
	}
	defer bf.exit()
	if err := r.connectAll(f, "first"); err != nil {
		return err
	}
	if rs, err := f.all(op{Op: "prepare"}); err != nil {
		return err
	} else if errs := replyErrors(rs); errs != "" {
		return fmt.Errorf("prepare: %s", errs)
	}
	if _, err := bf.all(op{Op: "prepare"}); err != nil {
		return err
	}
	if r.want("P1") {
		if err := r.connectAll(bf, "first"); err != nil {
			return err
		}
		if _, err := r.p1("P1", d, d.tafelPids()[:1], f, bf, base, r.sz.p30Meetings, 30); err != nil {
			return err
		}
	}
	if r.want("P6") {
		if err := r.p6(d, d.tafelPids()[:1], f, "first", bf); err != nil {
			return err
		}
		if len(insts) >= 3 {
			if _, err := f.all(op{Op: "setinstances", Instances: insts}); err != nil {
				return err
			}
			if err := r.p6(d, d.tafelPids(), f, "spread", nil); err != nil {
				return err
			}
		}
	}
	_, _ = f.all(op{Op: "closeall"})
	_, _ = bf.all(op{Op: "closeall"})
	return nil
}

// connectAll connects every client of a fleet and fails when any connection fails.
func (r *runner) connectAll(f *fleet, homes string) error {
	t0 := time.Now()
	conns, failed, errs, err := f.connect(op{Which: "all", Homes: homes})
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d connections failed: %v", failed, errs)
	}
	r.logf("%d clients connected in %s", conns, time.Since(t0).Round(time.Millisecond))
	return nil
}

func replyErrors(rs []reply) string {
	var errs []string
	for _, x := range rs {
		errs = append(errs, x.Errors...)
	}
	return strings.Join(errs, "; ")
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if err := exec.Command("git", "diff", "--quiet", "HEAD", "--", "hub", "server", "cmd/tafel").Run(); err != nil {
		c += "+local-changes"
	}
	return c
}

// writeOutputs writes the JSON lines and the plots to the output directory.
func (r *runner) writeOutputs() error {
	if r.outDir == "" {
		return nil
	}
	if err := os.MkdirAll(r.outDir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(r.outDir, "results-"+r.mode+".jsonl"))
	if err != nil {
		return err
	}
	for _, m := range r.results {
		b, _ := json.Marshal(m)
		fmt.Fprintln(f, string(b))
	}
	if err := f.Close(); err != nil {
		return err
	}
	plots := []struct{ group, file, title, unit string }{
		{"delivery", "latency-cdf", "Command to every participant: delivery latency (same host, " + r.mode + " run)", "ms"},
		{"commit", "commit-cdf", "P6: 30 scorers submit at once, command to ack", "ms"},
		{"resume", "resume-cdf", "P4: connection lost to resumed, after killing the instance", "s"},
	}
	for _, p := range plots {
		ss := r.curves[p.group]
		if len(ss) == 0 {
			continue
		}
		path := filepath.Join(r.outDir, p.file+"-"+r.mode+".png")
		if err := plotLatency(path, p.title, p.unit, ss); err != nil {
			return err
		}
		r.logf("wrote %s", path)
	}
	return nil
}
