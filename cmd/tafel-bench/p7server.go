package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/casegen"
)

// P7's server: the real hub on the real embedded store (bbolt, fsync'd), holding rooms cases
// of the two-year case's shape with the given number of held meetings (0: a fresh case), each
// with its next meeting started and the professionals admitted. It runs in a process of its
// own so that its CPU is measured apart from the clients'. Who connects is taken from the
// query (id, pro, case, meeting, role): there is no server, no account and no access log, the
// same for a fresh and an old case — P7 measures what history costs the hub.
//
//	tafel-bench p7server -dir D -rooms N -meetings M -addr host:port

// p7ServerMain is `tafel-bench p7server`.
func p7ServerMain(args []string) {
	fs := flag.NewFlagSet("p7server", flag.ExitOnError)
	dir := fs.String("dir", "", "data directory")
	rooms := fs.Int("rooms", 10, "cases")
	meetings := fs.Int("meetings", 0, "held meetings per case")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	_ = fs.Parse(args)
	if err := p7Serve(*dir, *rooms, *meetings, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "p7server:", err)
		os.Exit(1)
	}
}

// p7CaseID is the id of P7 room i.
func p7CaseID(i int) string { return fmt.Sprintf("p7-%d", i) }

func p7Serve(dir string, rooms, meetings int, addr string) error {
	st, err := boltstore.Open(filepath.Join(dir, "p7.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	for i := range rooms {
		if err := p7Seed(ctx, st, p7CaseID(i), meetings); err != nil {
			return err
		}
	}
	h := hub.New(hub.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		conn, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		p := hub.Principal{ID: q.Get("id"), Name: q.Get("id"), Professional: q.Get("pro") == "1",
			CaseID: q.Get("case"), MeetingID: q.Get("meeting"), InviteRole: q.Get("role")}
		h.Serve(conn, p, q.Get("case"))
	})
	mux.Handle("/debug/pprof/", http.DefaultServeMux) // net/http/pprof: where a P7 server's CPU goes
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening on http://" + ln.Addr().String())
	return http.Serve(ln, mux)
}

// p7Seed writes the case's history to the store in one append (setting up, not measured).
func p7Seed(ctx context.Context, st hub.Store, caseID string, meetings int) error {
	var data [][]byte
	_, err := casegen.Run(nil, casegen.Named(caseID, meetings, true), func(_ int, _ *meeting.State, evs []meeting.Event) {
		for _, e := range evs {
			b, err := json.Marshal(e)
			if err != nil {
				panic(err)
			}
			data = append(data, b)
		}
	})
	if err != nil {
		return err
	}
	_, err = st.Append(ctx, caseID, 0, "seed-"+caseID, data)
	return err
}
