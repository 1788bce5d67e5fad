package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// maxClientsPerWorker keeps every generator process well below the limit of 20,000 open
// files per process (a client is one socket).
const maxClientsPerWorker = 6000

// workerProc is a generator worker process (`tafel-bench worker`).
type workerProc struct {
	idx int
	cmd *exec.Cmd
	in  io.WriteCloser

	mu      sync.Mutex // guards in, seq and waiting
	seq     uint64
	waiting map[uint64]chan reply
	dead    chan struct{} // closed when the worker's output ends
	deadErr error
}

func startWorker(idx int, verbose bool) (*workerProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "worker")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if verbose {
		cmd.Stderr = os.Stderr
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	children.add(cmd.Process)
	w := &workerProc{idx: idx, cmd: cmd, in: in, waiting: map[uint64]chan reply{}, dead: make(chan struct{})}
	go w.readReplies(out)
	return w, nil
}

// readReplies hands each reply to the call waiting for its sequence number.
func (w *workerProc) readReplies(out io.Reader) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var r reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		w.mu.Lock()
		ch := w.waiting[r.Seq]
		delete(w.waiting, r.Seq)
		w.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
	w.mu.Lock()
	w.deadErr = fmt.Errorf("worker %d ended: %v", w.idx, sc.Err())
	w.mu.Unlock()
	close(w.dead)
}

func (w *workerProc) pid() int { return w.cmd.Process.Pid }

// call sends one op and waits for its reply. Calls may overlap.
func (w *workerProc) call(o op) (reply, error) {
	ch := make(chan reply, 1)
	w.mu.Lock()
	w.seq++
	o.Seq = w.seq
	w.waiting[o.Seq] = ch
	b, err := json.Marshal(o)
	if err == nil {
		_, err = w.in.Write(append(b, '\n'))
	}
	w.mu.Unlock()
	if err != nil {
		return reply{}, fmt.Errorf("worker %d: %w", w.idx, err)
	}
	select {
	case r := <-ch:
		if r.Err != "" {
			return r, fmt.Errorf("worker %d: %s", w.idx, r.Err)
		}
		return r, nil
	case <-w.dead:
		return reply{}, w.deadErr
	}
}

func (w *workerProc) exit() {
	_, _ = w.call(op{Op: "exit"})
	_ = w.in.Close()
	_ = w.cmd.Wait()
}

// fleet is the workers of one deployment's population.
type fleet struct {
	workers []*workerProc
}

// newFleet starts enough workers for the meetings and hands each a contiguous share.
func newFleet(meetings []meetingSpec, instances []string, origin string, baseline, verbose bool) (*fleet, error) {
	clients := 0
	for i := range meetings {
		clients += 1 + len(meetings[i].Others)
	}
	n := max(1, (clients+maxClientsPerWorker-1)/maxClientsPerWorker)
	f := &fleet{}
	per := (len(meetings) + n - 1) / n
	for i := 0; i < n; i++ {
		lo, hi := i*per, min((i+1)*per, len(meetings))
		if lo >= hi {
			break
		}
		w, err := startWorker(i, verbose)
		if err != nil {
			f.exit()
			return nil, err
		}
		f.workers = append(f.workers, w)
		if _, err := w.call(op{Op: "init", Worker: i, Instances: instances, Origin: origin, Baseline: baseline, Meetings: meetings[lo:hi]}); err != nil {
			f.exit()
			return nil, err
		}
	}
	return f, nil
}

// all sends o to every worker at once and returns the replies.
func (f *fleet) all(o op) ([]reply, error) {
	out := make([]reply, len(f.workers))
	errs := make([]error, len(f.workers))
	var wg sync.WaitGroup
	for i, w := range f.workers {
		wg.Add(1)
		go func(i int, w *workerProc) {
			defer wg.Done()
			out[i], errs[i] = w.call(o)
		}(i, w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// connect opens clients and reports how many failed (with the first errors).
func (f *fleet) connect(o op) (connected, failed int, errs []string, err error) {
	o.Op = "connect"
	rs, err := f.all(o)
	for _, r := range rs {
		connected += r.Connected
		failed += r.Failed
		errs = append(errs, r.Errors...)
	}
	return connected, failed, errs, err
}

// stats merges every worker's snapshot.
func (f *fleet) stats() (*Snapshot, int, error) {
	rs, err := f.all(op{Op: "stats"})
	if err != nil {
		return nil, 0, err
	}
	s := &Snapshot{}
	up := 0
	for _, r := range rs {
		if r.Stats != nil {
			s.merge(r.Stats)
		}
		up += r.Up
	}
	return s, up, nil
}

func (f *fleet) pids() []int {
	var out []int
	for _, w := range f.workers {
		out = append(out, w.pid())
	}
	return out
}

func (f *fleet) exit() {
	for _, w := range f.workers {
		w.exit()
	}
}
