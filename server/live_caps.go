package server

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// CloseTooManySockets is the close code of a WebSocket refused because its session or client
// address has Config.WSPerSession or Config.WSPerAddr sockets open on this instance already
// (docs/protocol.md: a 44xx code, so the client stops and says why).
const CloseTooManySockets = 4429

// socketCaps counts the open sockets of this instance per session and per client address.
type socketCaps struct {
	mu                  sync.Mutex
	session, addr       map[string]int
	maxSession, maxAddr int
}

func newSocketCaps(perSession, perAddr int) *socketCaps {
	return &socketCaps{session: map[string]int{}, addr: map[string]int{}, maxSession: perSession, maxAddr: perAddr}
}

// take counts one more socket for session and addr; ok is false (and nothing counted) when a
// cap is reached. release undoes a successful take.
func (sc *socketCaps) take(session, addr string) (release func(), ok bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.addr[addr] >= sc.maxAddr || (session != "" && sc.session[session] >= sc.maxSession) {
		return nil, false
	}
	sc.addr[addr]++
	if session != "" {
		sc.session[session]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			sc.mu.Lock()
			defer sc.mu.Unlock()
			if sc.addr[addr]--; sc.addr[addr] <= 0 {
				delete(sc.addr, addr)
			}
			if session != "" {
				if sc.session[session]--; sc.session[session] <= 0 {
					delete(sc.session, session)
				}
			}
		})
	}, true
}

// refuseSocket closes an upgraded socket at once with CloseTooManySockets.
func refuseSocket(conn *websocket.Conn) {
	_ = conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(CloseTooManySockets, "too many connections"), time.Now().Add(time.Second))
	_ = conn.Close()
}
