package server

import (
	"errors"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

var errDraining = errors.New("instance draining")

// wsWriteBuffers is shared by every connection of this process (gorilla's BufferPool).
var wsWriteBuffers sync.Pool

// newHub builds s's live hub from cfg, set once at construction: s is its Rights (who may
// reach a case; the access log), and it takes the configured policy and the read time after
// an invitee's meeting closed. Logger and Now default to the server's.
func (s *Server) newHub(cfg hub.Config) *hub.Hub {
	cfg.Rights = s
	cfg.Policy = s.cfg.Policy()
	cfg.AfterClose = s.cfg.InviteReadAfterClose
	cfg.Retention = s.cfg.Privacy.Retention
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	if cfg.Now == nil {
		cfg.Now = s.now
	}
	return hub.New(cfg)
}

// Hub is the server's live hub (nil when built without one).
func (s *Server) Hub() *hub.Hub { return s.hub }

var errOrigin = meeting.NewError(meeting.CodeForbidden, "Verbinding geweigerd: onbekende herkomst.", "Connection refused: unknown origin.")

// handleWS upgrades GET /ws?case=<id> to a WebSocket after checking, in this order: the rate
// limit (middleware), the Origin allowlist (a missing Origin is refused: cross-site WebSocket
// hijacking), the session, and the caller's right to the case. The access is logged once;
// what happens on the socket is the hub's to log.
func (s *Server) handleWS(c echo.Context) error {
	if !s.originAllowed(c.Request().Header.Get("Origin")) {
		return errOrigin
	}
	if s.hub == nil || s.draining.Load() {
		return errUnavailable
	}
	au, err := s.authenticate(c)
	if err != nil {
		return err
	}
	caseID := c.QueryParam("case")
	if !ValidID(caseID) {
		return invalid("Ongeldige casus-id.", "Invalid case id.")
	}
	a, refusal := s.CaseRole(c.Request().Context(), au.Principal, caseID)
	e := entryFor(au.Principal, a.Role)
	e.CaseID, e.Object, e.Action, e.Authority, e.Channel = caseID, "live", "connect", a.Authority, "ws"
	if err := s.recordCaseAccess(c, e, refusal); err != nil {
		return err
	}
	up := websocket.Upgrader{
		// A small read buffer of its own instead of keeping the HTTP server's 4 KiB one: it
		// holds a frame's header and a control frame (at most 125 bytes); the payload of a
		// larger frame is read past it, straight into the message. Take a write buffer from
		// a pool only while a frame is written, so an idle connection holds none.
		ReadBufferSize:  256,
		WriteBufferSize: 4096,
		WriteBufferPool: &wsWriteBuffers,
		CheckOrigin:     func(r *http.Request) bool { return s.originAllowed(r.Header.Get("Origin")) },
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			// gorilla writes its own plain-text error; keep our JSON shape instead.
			c.Response().Header().Set("Sec-Websocket-Version", "13")
			_ = c.JSON(http.StatusBadRequest, invalid("Geen geldige WebSocket-aanvraag.", "Not a valid WebSocket request."))
		},
	}
	// At most WSPerSession sockets per session and WSPerAddr per address on this instance.
	release, ok := s.sockets.take(au.Principal.SessionID, au.Principal.Addr)
	conn, err := up.Upgrade(c.Response(), c.Request(), nil)
	if err != nil || !ok {
		if ok {
			release()
		} else if err == nil {
			s.metrics.rateLimited.WithLabelValues("sockets").Inc()
			refuseSocket(conn)
		}
		return nil // the Error func answered, or the socket is refused with its close code
	}
	// The connection lives on in the hub's goroutines: end this handler (its deep stack
	// and the request, context and parsed token it keeps alive) now that it is hijacked.
	p := au.Principal
	// ?view=display: the shared screen, opened by a member; it shows only what everyone
	// admitted to the meeting may see (meeting.State.SightOf).
	p.Display = p.Professional && c.QueryParam("view") == "display"
	go s.hub.Start(conn, p, caseID, release)
	return nil
}
