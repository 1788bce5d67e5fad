package main

import (
	"context"
	"fmt"
	"math"
	"time"
)

// sizes are the scenario sizes of a mode.
type sizes struct {
	chairs           int
	p1Meetings       int     // P1, P2, P3, P4, P5 population: meetings of 10
	p30Meetings      int     // P1 with 30 per meeting, and P6
	p2Small          int     // P2: meetings connected for the small count (×10 connections)
	lightMeetings    int     // P1 again below saturation: meetings of 10
	p35Meetings      int     // P3 and P5: meetings of 10 (a load both stores sustain)
	warmup, seconds  float64 // P1 and P3 windows
	p4Before, p4Wait float64 // P4: play before the kill; longest wait for all to resume
	p4After          float64 // P4: play after all resumed
	p5Normal, p5Slow float64 // P5 windows
	p6Rounds         int
	settle           time.Duration // P2: wait before reading memory
	samples          int           // P2: memory samples a second apart
	drain            time.Duration // after a window: answers still on the way count
	drainMax         time.Duration // longest wait for the answers to the commands of a window
	parts            int           // P1: Tafel and baseline windows alternate this many times
}

var quickSizes = sizes{chairs: 2, p1Meetings: 30, p30Meetings: 4, p2Small: 10, lightMeetings: 10, p35Meetings: 20, warmup: 0.5, seconds: 4,
	p4Before: 2, p4Wait: 30, p4After: 2, p5Normal: 3, p5Slow: 4, p6Rounds: 3, settle: 500 * time.Millisecond,
	samples: 1, drain: 500 * time.Millisecond, drainMax: 15 * time.Second, parts: 1}

var fullSizes = sizes{chairs: 10, p1Meetings: 1000, p30Meetings: 300, p2Small: 100, lightMeetings: 100, p35Meetings: 300, warmup: 10, seconds: 60,
	p4Before: 15, p4Wait: 120, p4After: 15, p5Normal: 30, p5Slow: 60, p6Rounds: 30, settle: 10 * time.Second,
	samples: 5, drain: 2 * time.Second, drainMax: 5 * time.Minute, parts: 2}

// Targets of issue 7.
const (
	targetP1p99      = 2.0  // ms
	targetP1Ratio    = 2.0  // × baseline p99
	targetP2KiB      = 16.0 // per idle connection
	targetP3Penalty  = 2.0  // ms of p99
	targetP4Resume   = 10.0 // s
	targetP5Change   = 0.10 // relative p99 change
	targetP6CommitMs = 5.0
)

// window is one measured stretch of play (or several, merged).
type window struct {
	snap       *Snapshot
	up         int
	serverCPU  []float64 // per Tafel instance (or the baseline), cores
	redisCPU   float64
	genCPU     float64
	machineCPU float64 // whole machine, cores busy
	seconds    float64 // playing
	drain      float64 // waiting for the answers to the last commands afterwards
}

// target is what a window plays against: a fleet and the server processes to watch.
type target struct {
	f      *fleet
	server []int
	redis  int
}

// merge adds o (measured later) to w: counts add up, CPU is averaged over the time played.
func (w *window) merge(o *window) *window {
	if w == nil {
		return o
	}
	t := w.seconds + o.seconds
	avg := func(a, b float64) float64 { return (a*w.seconds + b*o.seconds) / t }
	for i := range w.serverCPU {
		if i < len(o.serverCPU) {
			w.serverCPU[i] = avg(w.serverCPU[i], o.serverCPU[i])
		}
	}
	w.redisCPU, w.genCPU, w.machineCPU = avg(w.redisCPU, o.redisCPU), avg(w.genCPU, o.genCPU), avg(w.machineCPU, o.machineCPU)
	w.snap.merge(o.snap)
	w.up = o.up
	w.seconds = t
	w.drain = max(w.drain, o.drain)
	return w
}

// measure plays for seconds at one command per second per meeting and returns what the
// workers measured and the CPU the processes used. Afterwards it waits (at most drainMax)
// until every command sent has been answered: deliveries that arrive late still count.
func (r *runner) measure(t target, warmup, seconds float64) (*window, error) {
	f := t.f
	if warmup > 0 {
		if _, err := f.all(op{Op: "play", Seconds: warmup, Rate: 1}); err != nil {
			return nil, err
		}
		if _, err := r.waitAnswered(f); err != nil {
			return nil, err
		}
	}
	if _, err := f.all(op{Op: "reset"}); err != nil {
		return nil, err
	}
	if _, err := f.all(op{Op: "measure", On: true}); err != nil {
		return nil, err
	}
	pids := append(append([]int{}, t.server...), f.pids()...)
	if t.redis > 0 {
		pids = append(pids, t.redis)
	}
	cm := newCPUMeter(pids...)
	b0, t0 := machineCPU()
	start := time.Now()
	if _, err := f.all(op{Op: "play", Seconds: seconds, Rate: 1}); err != nil {
		return nil, err
	}
	el := time.Since(start).Seconds()
	cores := cm.cores()
	b1, t1 := machineCPU()
	drain, err := r.waitAnswered(f)
	if err != nil {
		return nil, err
	}
	time.Sleep(r.sz.drain) // the last deliveries of the last answered commands
	if _, err := f.all(op{Op: "measure", On: false}); err != nil {
		return nil, err
	}
	snap, up, err := f.stats()
	if err != nil {
		return nil, err
	}
	w := &window{snap: snap, up: up, seconds: el, drain: drain, serverCPU: cores[:len(t.server)]}
	for _, c := range cores[len(t.server) : len(t.server)+len(f.workers)] {
		w.genCPU += c
	}
	if t.redis > 0 {
		w.redisCPU = cores[len(cores)-1]
	}
	if t1 > t0 {
		w.machineCPU = float64(b1-b0) / float64(t1-t0) * float64(numCPU())
	}
	return w, nil
}

// waitAnswered waits until no command of the fleet waits for its answer, at most drainMax,
// and returns how long it waited.
func (r *runner) waitAnswered(f *fleet) (float64, error) {
	t0 := time.Now()
	for time.Since(t0) < r.sz.drainMax {
		rs, err := f.all(op{Op: "pending"})
		if err != nil {
			return 0, err
		}
		n := 0
		for _, x := range rs {
			n += x.Up
		}
		if n == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(t0).Seconds(), nil
}

// measurePair measures Tafel and the baseline in alternating parts (Tafel, baseline, Tafel,
// baseline …), so that both see the same drift of a shared machine's load.
func (r *runner) measurePair(t, b target, seconds float64) (*window, *window, error) {
	var tw, bw *window
	per := seconds / float64(r.sz.parts)
	for i := 0; i < r.sz.parts; i++ {
		w, err := r.measure(t, r.sz.warmup, per)
		if err != nil {
			return nil, nil, err
		}
		tw = tw.merge(w)
		w, err = r.measure(b, r.sz.warmup, per)
		if err != nil {
			return nil, nil, err
		}
		bw = bw.merge(w)
	}
	return tw, bw, nil
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round3(a / b)
}

// latencyFigures is the JSON form of a window's delivery latency.
func latencyFigures(w *window) map[string]any {
	s := w.snap
	return map[string]any{
		"p50_ms": round3(s.Lat.Quantile(0.5)), "p99_ms": round3(s.Lat.Quantile(0.99)),
		"p999_ms": round3(s.Lat.Quantile(0.999)), "max_ms": round3(float64(s.Lat.Max) / 1000),
		"mean_ms": round3(s.Lat.Mean()), "deliveries": s.Deliveries,
		"deliveries_per_s": round3(float64(s.Deliveries) / (w.seconds + w.drain)),
		"commands_per_s":   round3(float64(s.Sent) / w.seconds),
		"skipped_ticks":    s.Skipped,
		"acks_per_s":       round3(float64(s.Acks) / (w.seconds + w.drain)),
		"window_s":         round3(w.seconds), "drain_s": round3(w.drain),
		"frames_per_s": round3(float64(s.Frames) / w.seconds),
		"mb_per_s":     round3(float64(s.Bytes) / w.seconds / 1e6),
		"ack_p50_ms":   round3(s.Ack.Quantile(0.5)), "ack_p99_ms": round3(s.Ack.Quantile(0.99)),
		"server_cpu_cores":    round3(sum(w.serverCPU)),
		"generator_cpu_cores": round3(w.genCPU),
		"machine_cpu_cores":   round3(w.machineCPU),
		"cpu_us_per_delivery": round3(sum(w.serverCPU) * w.seconds * 1e6 / math.Max(1, float64(s.Deliveries))),
		"nacks":               s.Nacks,
		"clients_up":          w.up,
	}
}

// subset closes every client of the fleet and connects those of the first meetings (about
// n; each worker takes its share) to the given instances; it returns how many meetings
// take part.
func (r *runner) subset(f *fleet, n int, instances []string, homes string) (int, error) {
	if _, err := f.all(op{Op: "closeall"}); err != nil {
		return 0, err
	}
	if instances != nil {
		if _, err := f.all(op{Op: "setinstances", Instances: instances}); err != nil {
			return 0, err
		}
	}
	per := (n + len(f.workers) - 1) / len(f.workers)
	conns, failed, errs, err := f.connect(op{N: per, Which: "all", Homes: homes})
	if err != nil {
		return 0, err
	}
	if failed > 0 {
		return 0, fmt.Errorf("%d connections failed: %v", failed, errs)
	}
	r.logf("%d clients of %d meetings connected", conns, per*len(f.workers))
	return per * len(f.workers), nil
}

// p1 plays the meetings (already prepared) on Tafel and on the baseline and prints P1.
func (r *runner) p1(name string, d *deployment, servers []int, f *fleet, bf *fleet, base *proc, meetings, per int) (*window, error) {
	redis := 0
	if d.redis != nil {
		redis = d.redis.pid()
	}
	r.logf("%s %s: %d meetings × %d, %gs warm-up + %gs", name, d.store, meetings, per, r.sz.warmup, r.sz.seconds)
	tw, bw, err := r.measurePair(target{f, servers, redis}, target{f: bf, server: []int{base.pid()}}, r.sz.seconds)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"scenario": name, "store": d.store, "instances": len(servers),
		"meetings": meetings, "per_meeting": per, "clients": meetings * per, "seconds": round3(tw.seconds)}
	for k, v := range latencyFigures(tw) {
		out[k] = v
	}
	if redis > 0 {
		out["redis_cpu_cores"] = round3(tw.redisCPU)
	}
	out["baseline"] = latencyFigures(bw)
	out["ratio"] = map[string]any{
		"p50": ratio(tw.snap.Lat.Quantile(0.5), bw.snap.Lat.Quantile(0.5)),
		"p99": ratio(tw.snap.Lat.Quantile(0.99), bw.snap.Lat.Quantile(0.99)), "p999": ratio(tw.snap.Lat.Quantile(0.999), bw.snap.Lat.Quantile(0.999)),
		"cpu_per_delivery": ratio(sum(tw.serverCPU)/math.Max(1, float64(tw.snap.Deliveries)), sum(bw.serverCPU)/math.Max(1, float64(bw.snap.Deliveries))),
	}
	p99 := tw.snap.Lat.Quantile(0.99)
	out["target"] = map[string]any{"p99_ms": targetP1p99, "ratio_p99": targetP1Ratio,
		"met": p99 <= targetP1p99 && p99 <= targetP1Ratio*bw.snap.Lat.Quantile(0.99)}
	key := fmt.Sprintf("%d×%d", meetings, per)
	r.mu.Lock()
	if r.p1Windows == nil {
		r.p1Windows = map[string]*window{}
	}
	r.p1Windows[d.store+" "+key] = tw
	single := r.p1Windows["redis "+key]
	r.mu.Unlock()
	if d.store == "sentinel" && single != nil {
		// The cost of the replica's acknowledgement: the same load on the single Redis, same run.
		out["single_redis"] = latencyFigures(single)
		out["vs_single_redis"] = map[string]any{
			"p50":     ratio(tw.snap.Lat.Quantile(0.5), single.snap.Lat.Quantile(0.5)),
			"p99":     ratio(p99, single.snap.Lat.Quantile(0.99)),
			"ack_p50": ratio(tw.snap.Ack.Quantile(0.5), single.snap.Ack.Quantile(0.5)),
			"ack_p99": ratio(tw.snap.Ack.Quantile(0.99), single.snap.Ack.Quantile(0.99)),
		}
	}
	r.emit(out)
	r.curve(fmt.Sprintf("Tafel %s %s %dx%d", storeLabel(d), name, meetings, per), &tw.snap.Lat)
	r.curve(fmt.Sprintf("baseline %dx%d (next to %s)", meetings, per, storeLabel(d)), &bw.snap.Lat)
	return tw, nil
}

// mem is a server's memory at one moment.
type mem struct {
	rss, heap, stack, goroutines float64
}

// memory reads a server's memory after a settling pause: RSS, stacks and goroutines the last
// of the samples a second apart, the Go heap their least (closest to the live heap after a
// GC).
func (r *runner) memory(p *proc) mem {
	time.Sleep(r.sz.settle)
	m := mem{heap: math.Inf(1)}
	for i := 0; i < r.sz.samples; i++ {
		if v, err := procRSS(p.pid()); err == nil {
			m.rss = float64(v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if v, err := scrapeMetric(ctx, p.url+"/metrics", "go_memstats_heap_alloc_bytes"); err == nil {
			m.heap = math.Min(m.heap, v)
		}
		if v, err := scrapeMetric(ctx, p.url+"/metrics", "go_memstats_stack_inuse_bytes"); err == nil {
			m.stack = v
		}
		if v, err := scrapeMetric(ctx, p.url+"/metrics", "go_goroutines"); err == nil {
			m.goroutines = v
		}
		cancel()
		if i < r.sz.samples-1 {
			time.Sleep(time.Second)
		}
	}
	if math.IsInf(m.heap, 1) {
		m.heap = 0
	}
	return m
}

// p2Measure connects idle clients step by step and returns per-connection memory for each
// count, against the memory of the server before the first connection.
func (r *runner) p2Measure(p *proc, f *fleet, stepsMeetings []int) ([]map[string]any, error) {
	m0 := r.memory(p)
	var out []map[string]any
	for _, n := range stepsMeetings {
		perWorker := (n + len(f.workers) - 1) / len(f.workers)
		conns, failed, errs, err := f.connect(op{N: perWorker, Which: "all", Homes: "first"})
		if err != nil {
			return nil, err
		}
		if failed > 0 {
			return nil, fmt.Errorf("P2: %d connections failed: %v", failed, errs)
		}
		m := r.memory(p)
		per := func(a, b float64) float64 { return round3((a - b) / 1024 / float64(conns)) }
		out = append(out, map[string]any{"connections": conns,
			"rss_mib": round3(m.rss / (1 << 20)), "heap_mib": round3(m.heap / (1 << 20)),
			"rss_before_mib": round3(m0.rss / (1 << 20)), "heap_before_mib": round3(m0.heap / (1 << 20)),
			"rss_kib_per_conn":    per(m.rss, m0.rss),
			"heap_kib_per_conn":   per(m.heap, m0.heap),
			"stack_kib_per_conn":  per(m.stack, m0.stack),
			"goroutines_per_conn": round3((m.goroutines - m0.goroutines) / float64(conns)),
		})
	}
	return out, nil
}

// p2 measures idle authenticated connections on Tafel and on the baseline.
func (r *runner) p2(d *deployment, f *fleet, bf *fleet, base *proc) error {
	steps := []int{r.sz.p2Small, r.sz.p1Meetings}
	r.logf("P2 %s: idle connections %d and %d", d.store, steps[0]*10, steps[1]*10)
	// A fresh process: the memory the set-up calls left behind (and that the Go runtime
	// returns to the system only slowly) would otherwise be reused by the connections and
	// hide their cost. The data persists in the store; sessions stay valid.
	if err := d.restart(0); err != nil {
		return err
	}
	t, err := r.p2Measure(d.insts[0], f, steps)
	if err != nil {
		return err
	}
	b, err := r.p2Measure(base, bf, steps)
	if err != nil {
		return err
	}
	for i := range t {
		kib := t[i]["rss_kib_per_conn"].(float64)
		out := map[string]any{"scenario": "P2", "store": d.store}
		for k, v := range t[i] {
			out[k] = v
		}
		out["baseline"] = b[i]
		out["ratio"] = map[string]any{"rss_per_conn": ratio(kib, b[i]["rss_kib_per_conn"].(float64)),
			"heap_per_conn": ratio(t[i]["heap_kib_per_conn"].(float64), b[i]["heap_kib_per_conn"].(float64))}
		out["target"] = map[string]any{"kib_per_conn": targetP2KiB, "met": kib <= targetP2KiB}
		r.emit(out)
	}
	return nil
}

// p5 compares the latency of the clients that keep reading before and after 10 % of the
// invitees stop reading, on Tafel and on the baseline.
func (r *runner) p5(d *deployment, f *fleet, bf *fleet, base *proc) error {
	r.logf("P5 %s: 2 × %gs normal, then %gs with 10%% of clients not reading", d.store, r.sz.p5Normal, r.sz.p5Slow)
	redis := 0
	if d.redis != nil {
		redis = d.redis.pid()
	}
	var normalBase *Snapshot
	run := func(f *fleet, server []int, redis int) (map[string]any, float64, error) {
		t := target{f, server, redis}
		// The same clients are left out of both windows: the 10 % that will stop reading.
		if _, err := f.all(op{Op: "exclude", Fraction: 0.1}); err != nil {
			return nil, 0, err
		}
		// Two normal windows before the slow one: the change between them is the drift that
		// has nothing to do with slow clients (views grow as rounds pile up; the machine's
		// load moves).
		w0, err := r.measure(t, 0, r.sz.p5Normal)
		if err != nil {
			return nil, 0, err
		}
		w1, err := r.measure(t, 0, r.sz.p5Normal)
		if err != nil {
			return nil, 0, err
		}
		normalBase = w1.snap
		if _, err := f.all(op{Op: "slow", Fraction: 0.1}); err != nil {
			return nil, 0, err
		}
		w2, err := r.measure(t, 0, r.sz.p5Slow)
		if err != nil {
			return nil, 0, err
		}
		// Let the slow clients read again, with reconnecting off: the close codes they find
		// say whether the server had ended their connections (4001: send buffer full;
		// 1006: closed without a close frame, e.g. after the pong wait).
		if _, err := f.all(op{Op: "reconnect", On: false}); err != nil {
			return nil, 0, err
		}
		if _, err := f.all(op{Op: "reset"}); err != nil {
			return nil, 0, err
		}
		if _, err := f.all(op{Op: "unslow"}); err != nil {
			return nil, 0, err
		}
		time.Sleep(3 * time.Second)
		after, up, err := f.stats()
		if err != nil {
			return nil, 0, err
		}
		if _, err := f.all(op{Op: "reconnect", On: true}); err != nil {
			return nil, 0, err
		}
		p0, p1, p2 := w0.snap.Lat.Quantile(0.99), w1.snap.Lat.Quantile(0.99), w2.snap.Lat.Quantile(0.99)
		change, drift := 0.0, 0.0
		if p1 > 0 {
			change = (p2 - p1) / p1
		}
		if p0 > 0 {
			drift = (p1 - p0) / p0
		}
		return map[string]any{"normal_before": latencyFigures(w0), "normal": latencyFigures(w1), "slow": latencyFigures(w2),
			"p99_change": round3(change), "p99_drift_between_normal_windows": round3(drift),
			"closes_found_by_slow_clients": after.Closes, "up_after": up}, change, nil
	}
	t, change, err := run(f, d.tafelPids(), redis)
	if err != nil {
		return err
	}
	b, _, err := run(bf, []int{base.pid()}, 0)
	if err != nil {
		return err
	}
	r.baseP35 = normalBase // the baseline at P3's scale
	out := map[string]any{"scenario": "P5", "store": d.store, "slow_fraction": 0.1, "meetings": r.sz.p35Meetings, "per_meeting": 10}
	for k, v := range t {
		out[k] = v
	}
	out["baseline"] = b
	out["target"] = map[string]any{"p99_change_max": targetP5Change, "met": math.Abs(change) <= targetP5Change}
	r.emit(out)
	return nil
}

// p6 is the contention scenario on the first meeting of the 30-person population: everyone
// scores at the same instant, rounds times. On Redis it also counts the runs of the append script per command.
func (r *runner) p6(d *deployment, servers []int, f *fleet, homes string, bf *fleet) error {
	r.logf("P6 %s (%d instances): 30 scorers at once, %d rounds", d.store, len(servers), r.sz.p6Rounds)
	w0 := f.workers[0]
	if _, err := f.all(op{Op: "closeall"}); err != nil {
		return err
	}
	if r, err := w0.call(op{Op: "connect", N: 1, Which: "all", Homes: homes}); err != nil || r.Failed > 0 {
		return fmt.Errorf("P6 connect: %v %v", err, r.Errors)
	}
	var before map[string]int64
	if d.redis != nil {
		before = redisCommandStats(d.redis)
	}
	if _, err := w0.call(op{Op: "reset"}); err != nil {
		return err
	}
	cm := newCPUMeter(servers...)
	t0 := time.Now()
	br, err := w0.call(op{Op: "burst", Rounds: r.sz.p6Rounds})
	if err != nil {
		return err
	}
	el := time.Since(t0).Seconds()
	cores := cm.cores()
	st, err := w0.call(op{Op: "stats"})
	if err != nil {
		return err
	}
	s := st.Stats
	out := map[string]any{"scenario": "P6", "store": d.store, "instances": len(servers), "scorers": 30,
		"rounds": r.sz.p6Rounds, "commits": s.Commit.N, "commands_acked": s.Acks, "failed": br.Failed, "errors": br.Errors,
		"commit_p50_ms": round3(s.Commit.Quantile(0.5)), "commit_p99_ms": round3(s.Commit.Quantile(0.99)),
		"commit_max_ms": round3(float64(s.Commit.Max) / 1000), "nacks": s.Nacks,
		"server_cpu_cores": round3(sum(cores)), "seconds": round3(el)}
	if d.redis != nil {
		after := redisCommandStats(d.redis)
		// The append script is the only caller of XLEN (the access log's appends find the last
		// entry with XREVRANGE), so XLEN calls are runs of the append script. A run stores a
		// batch of commands, or none when it conflicts: runs per acked command is at most
		// 1 + the retries, and below 1 when batches form.
		runs := after["xlen"] - before["xlen"]
		out["append_attempts"] = runs
		out["runs_per_command"] = round3(float64(runs) / math.Max(1, float64(s.Acks)))
		out["retries_source"] = "Redis INFO commandstats: XLEN calls (one per run of the append script, which stores a batch of commands)"
	} else {
		out["retries"] = 0
		out["retries_per_commit"] = 0.0
		out["retries_source"] = "none possible: one instance, a room decides and stores its batches one after another"
	}
	// The baseline: the same burst on the same shape of meeting.
	if bf != nil {
		bw := bf.workers[0]
		if _, err := bf.all(op{Op: "closeall"}); err != nil {
			return err
		}
		if r, err := bw.call(op{Op: "connect", N: 1, Which: "all", Homes: "first"}); err != nil || r.Failed > 0 {
			return fmt.Errorf("P6 baseline connect: %v %v", err, r.Errors)
		}
		_, _ = bw.call(op{Op: "reset"})
		if _, err := bw.call(op{Op: "burst", Rounds: r.sz.p6Rounds}); err != nil {
			return err
		}
		bs, err := bw.call(op{Op: "stats"})
		if err != nil {
			return err
		}
		r.baseP6 = bs.Stats
		r.curve(fmt.Sprintf("baseline P6 commit (next to %s)", storeLabel(d)), &bs.Stats.Commit)
	}
	if bs := r.baseP6; bs != nil { // on 3 instances: the baseline burst measured next to 1 instance
		out["baseline"] = map[string]any{"commit_p50_ms": round3(bs.Commit.Quantile(0.5)), "commit_p99_ms": round3(bs.Commit.Quantile(0.99))}
		out["ratio"] = map[string]any{"commit_p99": ratio(s.Commit.Quantile(0.99), bs.Commit.Quantile(0.99))}
	}
	out["target"] = map[string]any{"commit_p99_ms": targetP6CommitMs, "met": s.Commit.Quantile(0.99) <= targetP6CommitMs}
	r.emit(out)
	r.curve(fmt.Sprintf("Tafel %s P6 commit, %d inst.", storeLabel(d), len(servers)), &s.Commit)
	return nil
}

// p3 compares P1 on one instance with P1 on three instances sharing Redis, back to back, with
// the same meetings: the clients of a meeting are spread over the three instances.
func (r *runner) p3(d *deployment, f *fleet) error {
	redis := d.redis.pid()
	r.logf("P3: P1 on 1 instance and on 3 instances (clients spread) in turn, %gs each", r.sz.seconds)
	// The two topologies alternate (1, 3, 1, 3 …) so both see the same drift of the machine.
	var w1, w3 *window
	per := r.sz.seconds / float64(r.sz.parts)
	meetings := 0
	for i := 0; i < r.sz.parts; i++ {
		for _, three := range []bool{false, true} {
			insts, homes, servers := d.wsURLs()[:1], "first", d.tafelPids()[:1]
			if three {
				insts, homes, servers = d.wsURLs(), "spread", d.tafelPids()
			}
			n, err := r.subset(f, r.sz.p35Meetings, insts, homes)
			if err != nil {
				return fmt.Errorf("P3 (%d instances): %w", len(insts), err)
			}
			meetings = n
			w, err := r.measure(target{f, servers, redis}, r.sz.warmup, per)
			if err != nil {
				return err
			}
			if three {
				w3 = w3.merge(w)
			} else {
				w1 = w1.merge(w)
			}
		}
	}
	penalty := w3.snap.Lat.Quantile(0.99) - w1.snap.Lat.Quantile(0.99)
	out := map[string]any{"scenario": "P3", "store": "redis", "meetings": meetings, "per_meeting": 10,
		"one": latencyFigures(w1), "three": latencyFigures(w3), "three_redis_cpu_cores": round3(w3.redisCPU),
		"p99_penalty_ms": round3(penalty),
		"p99_ratio_one":  ratio(w3.snap.Lat.Quantile(0.99), w1.snap.Lat.Quantile(0.99)),
		"target":         map[string]any{"p99_penalty_ms": targetP3Penalty, "met": penalty <= targetP3Penalty}}
	if r.baseP35 != nil {
		out["ratio_baseline_p99"] = ratio(w3.snap.Lat.Quantile(0.99), r.baseP35.Lat.Quantile(0.99))
		out["baseline_p99_ms"] = round3(r.baseP35.Lat.Quantile(0.99))
	}
	r.emit(out)
	r.curve("Tafel redis P3 3 instances", &w3.snap.Lat)
	return nil
}

// p4 kills the instance that holds every client while the meetings play, and checks that all
// clients resume on the other instances without losing, duplicating or reordering events.
func (r *runner) p4(d *deployment, f *fleet) error {
	victim := d.insts[0]
	if _, err := f.all(op{Op: "closeall"}); err != nil {
		return err
	}
	if _, err := f.all(op{Op: "setinstances", Instances: d.wsURLs()}); err != nil {
		return err
	}
	conns, failed, errs, err := f.connect(op{Which: "all", Homes: "first"})
	if err != nil || failed > 0 {
		return fmt.Errorf("P4 connect: %v %v", err, errs)
	}
	r.logf("P4: %d clients on instance 1; kill it after %gs of play", conns, r.sz.p4Before)
	if _, err := f.all(op{Op: "reset"}); err != nil {
		return err
	}
	if _, err := f.all(op{Op: "mark"}); err != nil {
		return err
	}
	total := r.sz.p4Before + r.sz.p4Wait + r.sz.p4After
	playDone := make(chan error, 1)
	go func() {
		_, err := f.all(op{Op: "play", Seconds: total, Rate: 1})
		playDone <- err
	}()
	time.Sleep(time.Duration(r.sz.p4Before * float64(time.Second)))
	killedAt := time.Now()
	victim.kill()
	// Wait until every client is welcomed again.
	var allUp time.Duration
	deadline := killedAt.Add(time.Duration(r.sz.p4Wait * float64(time.Second)))
	up := 0
	for time.Now().Before(deadline) {
		rs, err := f.all(op{Op: "up"})
		if err != nil {
			return err
		}
		up = 0
		for _, x := range rs {
			up += x.Up
		}
		if up == conns {
			allUp = time.Since(killedAt)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.logf("P4: %d of %d up again after %s", up, conns, time.Since(killedAt).Round(time.Millisecond))
	// Stop playing early once everyone is back and the after-period has passed.
	if allUp > 0 {
		time.Sleep(time.Duration(r.sz.p4After * float64(time.Second)))
		if _, err := f.all(op{Op: "stopplay"}); err != nil {
			return err
		}
	}
	if err := <-playDone; err != nil {
		return err
	}
	// Quiet: every command answered, then compare what the clients hold until the figures
	// stop changing — an event still on its way to a lagging client is late, not lost.
	answered, err := r.waitAnswered(f)
	if err != nil {
		return err
	}
	var c *checkResult
	settle := time.Now()
	for stable := 0; stable < 3 && time.Since(settle) < 2*time.Minute; {
		time.Sleep(2 * time.Second)
		rs, err := f.all(op{Op: "check"})
		if err != nil {
			return err
		}
		n := &checkResult{}
		for _, x := range rs {
			n.Clients += x.Check.Clients
			n.Lost += x.Check.Lost
			n.Dups += x.Check.Dups
			n.Reorders += x.Check.Reorders
			n.Down += x.Check.Down
			n.Pending += x.Check.Pending
			n.BehindMax = max(n.BehindMax, x.Check.BehindMax)
			n.Samples = append(n.Samples, x.Check.Samples...)
		}
		if c != nil && n.key() == c.key() {
			stable++
		} else {
			stable = 0
		}
		c = n
		if c.Lost == 0 && c.Pending == 0 && c.Down == 0 {
			break
		}
	}
	for _, smp := range c.Samples {
		r.logf("P4 lost: %s", smp)
	}
	quiet := time.Since(settle).Seconds() + answered
	snap, _, err := f.stats()
	if err != nil {
		return err
	}
	allUpS := -1.0
	if allUp > 0 {
		allUpS = round3(allUp.Seconds())
	}
	out := map[string]any{"scenario": "P4", "store": "redis", "instances": 3, "clients": conns,
		"all_resumed_s": allUpS, "resume_p50_s": round3(snap.Resume.Quantile(0.5) / 1000),
		"resume_p99_s": round3(snap.Resume.Quantile(0.99) / 1000), "resume_max_s": round3(float64(snap.Resume.Max) / 1e6),
		"resumed": snap.Resume.N, "reconnect_attempts_failed": snap.ReconnectFails,
		"lost": c.Lost, "duplicated": c.Dups, "reordered": c.Reorders, "still_down": c.Down,
		"quiet_after_s":       round3(quiet),
		"unanswered_commands": c.Pending, "commands_sent": snap.Sent, "commands_resent": snap.Resent, "duplicate_acks": snap.DupAcks,
		"nacks": snap.Nacks, "closes": snap.Closes,
		"target": map[string]any{"all_resumed_s": targetP4Resume, "met": allUp > 0 && allUp.Seconds() <= targetP4Resume &&
			c.Lost == 0 && c.Dups == 0 && c.Reorders == 0}}
	r.emit(out)
	r.curve("P4 resume after kill", &snap.Resume)
	return nil
}
