package hub

import (
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// The write side of a client. Frames queue in c.queue (never blocking the room); the first
// frame queued while no writer runs starts one goroutine that writes until the queue is empty
// and then ends. Pings come from the hub's one pinger (Hub.pinger), which marks a ping due and
// starts a writer the same way. A kill starts a writer too, which writes what is queued (unless
// the client is too slow), the close frame, and closes the socket: c.finished.

// kill ends the connection with a close code. When the client is too slow, its writer may be
// stuck in a write: it makes that write fail at once instead of after WriteWait.
func (c *client) kill(code int, text string) {
	c.once.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
		if code == CloseTooSlow {
			// Drop what the kernel still holds for this client (reset, not a slow drain)
			// and make a write that is stuck fail now.
			if tc, ok := c.conn.NetConn().(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = c.conn.NetConn().SetWriteDeadline(time.Now())
		}
		c.wmu.Lock()
		c.startWriter()
		c.wmu.Unlock()
	})
}

// enqueue queues a frame without ever blocking the room; a full queue disconnects the client
// with "too slow, resume".
func (c *client) enqueue(m *websocket.PreparedMessage) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.wmu.Lock()
	if len(c.queue) >= c.h.cfg.SendBuffer {
		c.wmu.Unlock()
		c.kill(CloseTooSlow, "too slow")
		return false
	}
	c.queue = append(c.queue, m)
	c.startWriter()
	c.wmu.Unlock()
	return true
}

// ping asks the writer for a ping.
func (c *client) ping() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.pingDue = true
	c.startWriter()
}

// startWriter starts the writer unless one runs. Caller holds c.wmu.
func (c *client) startWriter() {
	if !c.writing {
		c.writing = true
		go c.write()
	}
}

// write writes queued frames and due pings until there are none, or, once the client is
// killed, ends the connection (closeFrame).
func (c *client) write() {
	for {
		c.wmu.Lock()
		select {
		case <-c.done: // a kill wins over queued frames
			c.wmu.Unlock()
			c.closeFrame()
			return // writing stays true: no writer starts again
		default:
		}
		batch, ping := c.queue, c.pingDue
		c.queue, c.pingDue = nil, false
		if len(batch) == 0 && !ping {
			c.writing = false
			c.wmu.Unlock()
			return
		}
		c.wmu.Unlock()
		for i, m := range batch {
			if isDone(c.done) { // the rest goes first in closeFrame (unless too slow)
				c.wmu.Lock()
				c.queue = append(batch[i:], c.queue...)
				c.wmu.Unlock()
				break
			}
			_ = c.conn.SetWriteDeadline(time.Now().Add(c.h.cfg.WriteWait))
			if err := c.conn.WritePreparedMessage(m); err != nil {
				c.kill(CloseGoingAway, "")
				break
			}
		}
		if ping && !isDone(c.done) {
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.h.cfg.WriteWait)); err != nil {
				c.kill(CloseGoingAway, "")
			}
		}
	}
}

// isDone reports whether ch is closed.
func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// closeFrame writes what is queued (acks, the last events) unless the client is too slow,
// then the close frame with the kill's code, and closes the socket.
func (c *client) closeFrame() {
	defer close(c.finished)
	defer c.conn.Close()
	if c.closeCode != CloseTooSlow {
		c.wmu.Lock()
		rest := c.queue
		c.queue = nil
		c.wmu.Unlock()
		for _, m := range rest {
			_ = c.conn.SetWriteDeadline(time.Now().Add(c.h.cfg.WriteWait))
			if c.conn.WritePreparedMessage(m) != nil {
				return
			}
		}
	}
	_ = c.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(time.Second))
}
