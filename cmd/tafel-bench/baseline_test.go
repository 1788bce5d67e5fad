package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestGeneratorAgainstBaseline drives the baseline server with an in-process worker: every
// client receives every command of its meeting, in order, and the latency is measured.
func TestGeneratorAgainstBaseline(t *testing.T) {
	s := &baseServer{rooms: map[string]*baseRoom{}, up: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	w := &worker{st: newWorkerStats(), unslow: make(chan struct{})}
	w.reconnect.Store(true)
	ms := baselineMeetings(3, 4, 60000)
	if r := w.do(op{Op: "init", Instances: []string{"ws" + strings.TrimPrefix(srv.URL, "http")}, Origin: srv.URL, Baseline: true, Meetings: ms}); !r.OK {
		t.Fatalf("init: %s", r.Err)
	}
	t.Cleanup(w.closeAll)
	if r := w.do(op{Op: "connect", Which: "all", Homes: "first"}); r.Connected != 12 || r.Failed != 0 {
		t.Fatalf("connect: got %d connected, %d failed (%v), want 12 and 0", r.Connected, r.Failed, r.Errors)
	}
	w.do(op{Op: "prepare"})
	w.do(op{Op: "mark"})
	w.do(op{Op: "measure", On: true})
	w.play(2.2, 2)
	// Answers and deliveries may still be on the way: wait for them as the coordinator does.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && (w.pendingCount() > 0 || w.st.deliveries.Load() < 4*w.st.sent.Load()) {
		time.Sleep(20 * time.Millisecond)
	}
	snap := w.st.snapshot()
	if snap.Sent < 3*3 {
		t.Fatalf("sent %d commands, want at least 9 (3 meetings, 2/s, 2.2 s)", snap.Sent)
	}
	// Every client of a meeting (4) gets every command of that meeting, once.
	if snap.Deliveries != 4*snap.Sent {
		t.Errorf("got %d deliveries for %d commands to 4 clients each, want %d", snap.Deliveries, snap.Sent, 4*snap.Sent)
	}
	if snap.Lat.N == 0 || snap.Lat.Quantile(0.5) <= 0 {
		t.Errorf("no latency measured: %+v", snap.Lat)
	}
	chk := w.check()
	if chk.Lost != 0 || chk.Dups != 0 || chk.Reorders != 0 || chk.Clients != 12 {
		t.Errorf("check: got %+v, want 12 clients and nothing lost, duplicated or reordered", chk)
	}
}
