package hub

import (
	"encoding/json"
	"errors"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Close codes of protocol v1 (docs/protocol.md). 1001, 1006 and 4000–4099 tell the client to
// reconnect and resume; 1000 and 4400–4499 tell it to stop.
const (
	CloseNormal       = 1000 // stop
	CloseGoingAway    = 1001 // reconnect (elsewhere) and resume
	CloseTryAgain     = 4000 // reconnect with backoff and resume
	CloseTooSlow      = 4001 // send buffer full: reconnect with backoff and resume
	CloseDraining     = 4002 // instance draining: reconnect at once, elsewhere, and resume
	CloseProtocol     = 4400 // protocol violation: stop
	CloseUnauthorized = 4401 // not authenticated or session expired: stop, log in again
	CloseForbidden    = 4403 // not (or no longer) allowed in this case: stop
	CloseRevoked      = 4409 // session revoked: stop
)

// closeByCode is the one table from error codes to WebSocket close codes, for a connection
// the hub ends because its principal may not (or no longer) reach the case. Any other code
// closes with 4403.
var closeByCode = map[meeting.Code]int{
	meeting.CodeUnauthenticated: CloseUnauthorized,
	meeting.CodeRevoked:         CloseRevoked,
	meeting.CodeForbidden:       CloseForbidden,
	meeting.CodeUnavailable:     CloseTryAgain,
}

// closeCodeFor is the close code for a refused connection: by the code of the *meeting.Error
// in err's chain, else 4403.
func closeCodeFor(err error) int {
	var e *meeting.Error
	if errors.As(err, &e) {
		if code, ok := closeByCode[e.Code]; ok {
			return code
		}
	}
	return CloseForbidden
}

// inFrame is any frame a client sends.
type inFrame struct {
	Type    string          `json:"type"`
	LastSeq uint64          `json:"lastSeq"`
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// You describes the connected person in the welcome frame.
type You struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Professional bool   `json:"professional"`
}

type welcomeFrame struct {
	Type   string `json:"type"`
	Case   string `json:"case"`
	You    You    `json:"you"`
	Seq    uint64 `json:"seq"`
	Resume string `json:"resume"`
}

type eventsFrame struct {
	Type   string          `json:"type"`
	Events []meeting.Event `json:"events"`
}

type viewFrame struct {
	Type string            `json:"type"`
	Seq  uint64            `json:"seq"`
	View *meeting.CaseView `json:"view"`
}

// The update frame is what a batch of events brings a client, in one frame (docs/protocol.md):
//
//	{"type":"update","seq":S,"events":[…],"base":B,"ops":[…],"acks":[…]}
//
// events: those of the batch the client may see (omitted when none); then the view change,
// either "base" and "ops" (an RFC 6902 patch from the view at B) or "view" (the whole view at
// S); acks: the client's own commands the batch stored (omitted when none). The hub writes it
// from encoded parts (room.updateFrame), so that the parts shared by an audience are encoded
// once.

// updateAck is one ack inside an update frame.
type updateAck struct {
	ID        string `json:"id"`
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
}

type ackFrame struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
}

type nackFrame struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Code    meeting.Code    `json:"code"`
	Message meeting.Message `json:"message"`
	Details *nackDetails    `json:"details,omitempty"`
}

// nackDetails carries, for gate_closed, the subjects that keep the gate closed.
type nackDetails struct {
	Subjects []meeting.SubjectLowest `json:"subjects"`
}

// newNack is the nack frame of command id refused with e.
func newNack(id string, e *meeting.Error) nackFrame {
	f := nackFrame{Type: "nack", ID: id, Code: e.Code, Message: e.Message}
	if len(e.Subjects) > 0 {
		f.Details = &nackDetails{Subjects: e.Subjects}
	}
	return f
}

// PresenceEntry is one connected person.
type PresenceEntry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type presenceFrame struct {
	Type   string          `json:"type"`
	Online []PresenceEntry `json:"online"`
}

// unavailable reports whether a refusal means the right could not be checked (the store is
// unreachable): the command is refused but the connection stays.
func unavailable(err error) bool {
	return errors.Is(err, ErrUnavailable) || closeCodeFor(err) == CloseTryAgain
}

// asError maps any error of a command to the refusal its nack reports: an *meeting.Error as
// itself, anything else (the store failed) as unavailable.
func asError(err error) *meeting.Error {
	var e *meeting.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, ErrUnavailable) {
		return errUnavailable
	}
	return errNotStored.WithCause(err)
}

var (
	errUnavailable = meeting.NewError(meeting.CodeUnavailable,
		"De opslag is even niet bereikbaar; er is niets opgeslagen. Probeer het zo opnieuw.",
		"Storage is unreachable for a moment; nothing was stored. Try again shortly.")
	errNotStored = meeting.NewError(meeting.CodeUnavailable,
		"De opdracht kon niet worden opgeslagen; er is niets veranderd. Probeer het opnieuw.",
		"The command could not be stored; nothing changed. Please try again.")
	errRateLimited = meeting.NewError(meeting.CodeRateLimited,
		"Te veel opdrachten achter elkaar; wacht even.", "Too many commands in a row; wait a moment.")
	errBadID = meeting.NewError(meeting.CodeInvalid,
		"Een opdracht heeft een id van 1 tot 64 tekens.", "A command needs an id of 1 to 64 characters.")
	errForbiddenCase = meeting.NewError(meeting.CodeForbidden,
		"Je hebt geen toegang (meer) tot deze casus.", "You do not (or no longer) have access to this case.")
)
