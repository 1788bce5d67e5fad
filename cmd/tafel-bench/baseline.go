package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The baseline is a plain gorilla/websocket broadcast server in the style of gorilla's chat
// example: a room per meeting, one reader and one writer goroutine per connection, a bounded
// send buffer (a full one disconnects the client), no store, no authentication, no domain
// rules. It speaks just enough of Tafel's protocol (hello → welcome, command → events + ack)
// for the same generator to drive it, so that every Tafel figure has a reference measured
// in the same run on the same machine.

const (
	baseSendBuffer = 64
	basePing       = 20 * time.Second
	baseWriteWait  = 10 * time.Second
)

type baseRoom struct {
	mu      sync.Mutex
	seq     uint64
	clients map[*baseClient]struct{}
}

type baseClient struct {
	conn *websocket.Conn
	send chan *websocket.PreparedMessage
	done chan struct{}
	once sync.Once
}

func (c *baseClient) kill() { c.once.Do(func() { close(c.done) }) }

func (c *baseClient) enqueue(m *websocket.PreparedMessage) {
	select {
	case c.send <- m:
	default:
		c.kill() // too slow
	}
}

type baseServer struct {
	mu    sync.Mutex
	rooms map[string]*baseRoom
	up    websocket.Upgrader
}

func (s *baseServer) room(id string) *baseRoom {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[id]
	if r == nil {
		r = &baseRoom{clients: map[*baseClient]struct{}{}}
		s.rooms[id] = r
	}
	return r
}

func (s *baseServer) serveWS(w http.ResponseWriter, req *http.Request) {
	conn, err := s.up.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	r := s.room(req.URL.Query().Get("case"))
	c := &baseClient{conn: conn, send: make(chan *websocket.PreparedMessage, baseSendBuffer), done: make(chan struct{})}
	go c.writer()
	defer func() {
		r.mu.Lock()
		delete(r.clients, c)
		r.mu.Unlock()
		c.kill()
	}()
	var in struct {
		Type    string          `json:"type"`
		ID      string          `json:"id"`
		Kind    string          `json:"kind"`
		Payload json.RawMessage `json:"payload"`
	}
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return
		}
		in.Payload = nil
		if json.Unmarshal(b, &in) != nil {
			return
		}
		switch in.Type {
		case "hello":
			r.mu.Lock()
			welcome, _ := json.Marshal(baseWelcome{Type: "welcome", Case: req.URL.Query().Get("case"), Seq: r.seq, Resume: "snapshot"})
			c.enqueue(prepared(welcome))
			r.clients[c] = struct{}{}
			r.mu.Unlock()
		case "command":
			if len(in.Payload) == 0 {
				in.Payload = json.RawMessage("{}")
			}
			r.mu.Lock()
			r.seq++
			ev, _ := json.Marshal(baseEvents{Type: "events", Events: []baseEvent{{
				Seq: r.seq, ID: in.ID + ":0", Type: in.Kind, Time: time.Now().UTC(), Visibility: "all", Data: in.Payload}}})
			m := prepared(ev)
			for o := range r.clients {
				o.enqueue(m)
			}
			ack, _ := json.Marshal(baseAck{Type: "ack", ID: in.ID, Seq: r.seq})
			c.enqueue(prepared(ack))
			r.mu.Unlock()
		}
	}
}

// Frames of the baseline, in the field order of Tafel's (the generator matches the prefix).
type (
	baseWelcome struct {
		Type   string `json:"type"`
		Case   string `json:"case"`
		Seq    uint64 `json:"seq"`
		Resume string `json:"resume"`
	}
	baseEvent struct {
		Seq        uint64          `json:"seq"`
		ID         string          `json:"id"`
		Type       string          `json:"type"`
		Time       time.Time       `json:"time"`
		Visibility string          `json:"visibility"`
		Data       json.RawMessage `json:"data"`
	}
	baseEvents struct {
		Type   string      `json:"type"`
		Events []baseEvent `json:"events"`
	}
	baseAck struct {
		Type      string `json:"type"`
		ID        string `json:"id"`
		Seq       uint64 `json:"seq"`
		Duplicate bool   `json:"duplicate"`
	}
)

func prepared(b []byte) *websocket.PreparedMessage {
	m, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		panic(err)
	}
	return m
}

func (c *baseClient) writer() {
	ping := time.NewTicker(basePing)
	defer ping.Stop()
	defer c.conn.Close()
	for {
		select {
		case m := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(baseWriteWait))
			if c.conn.WritePreparedMessage(m) != nil {
				c.kill()
				return
			}
		case <-ping.C:
			if c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(baseWriteWait)) != nil {
				c.kill()
				return
			}
		case <-c.done:
			_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "too slow"), time.Now().Add(time.Second))
			return
		}
	}
}

// metrics answers the two Go memory gauges the harness reads, in Prometheus text format.
func (s *baseServer) metrics(w http.ResponseWriter, _ *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "go_memstats_heap_alloc_bytes %d\ngo_memstats_heap_inuse_bytes %d\ngo_memstats_stack_inuse_bytes %d\ngo_goroutines %d\n",
		ms.HeapAlloc, ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine())
}

// baselineMain is `tafel-bench baseline --addr host:port`.
func baselineMain(args []string) {
	addr := "127.0.0.1:0"
	for i := 0; i < len(args)-1; i++ {
		if args[i] == "--addr" {
			addr = args[i+1]
		}
	}
	s := &baseServer{rooms: map[string]*baseRoom{}, up: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	mux.HandleFunc("/metrics", s.metrics)
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	fmt.Println("listening on http://" + strings.TrimPrefix(ln.Addr().String(), "http://"))
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}
