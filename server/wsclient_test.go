package server_test

import (
	"net/http"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/internal/wstest"
)

// dialWS opens a WebSocket to caseID as c (the upgrade only: no hello yet).
func (c *client) dialWS(t *testing.T, caseID string) *wstest.Client {
	t.Helper()
	h := c.h
	hdr := http.Header{"Origin": {h.srv.Config().PublicURL}, "Cookie": {h.srv.CookieName() + "=" + c.cookie()}}
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(h, caseID), hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial case %s: %v (status %d)", caseID, err, status)
	}
	return wstest.New(t, "", conn)
}

// connect dials caseID as c and completes hello → welcome.
func (c *client) connect(t *testing.T, caseID string) (*wstest.Client, wstest.Frame) {
	t.Helper()
	w := c.dialWS(t, caseID)
	return w, w.Hello(0)
}
