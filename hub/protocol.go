package hub

import (
	"encoding/json"
	"errors"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
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

// Nack codes beyond the domain's (meeting.Code).
const (
	CodeUnavailable = "unavailable"  // the store cannot be reached: nothing was stored
	CodeRateLimited = "rate_limited" // too many commands
	CodeTooLarge    = "too_large"    // a frame or field is too large
)

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

// viewPatchFrame turns the view at Base into the view at Seq (RFC 6902 operations).
type viewPatchFrame struct {
	Type string         `json:"type"`
	Seq  uint64         `json:"seq"`
	Base uint64         `json:"base"`
	Ops  []jsonpatch.Op `json:"ops"`
}

type ackFrame struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
}

// Message is a human message in Dutch and English.
type Message struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

type nackFrame struct {
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	Code    string  `json:"code"`
	Message Message `json:"message"`
	Details any     `json:"details,omitempty"`
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

// CommandError is a refused command as the hub reports it.
type CommandError struct {
	Code    string
	Message Message
	Details any
}

func (e *CommandError) Error() string { return e.Code + ": " + e.Message.EN }

// accessError is a command refused because its sender may not (or no longer) reach the case.
type accessError struct{ cause error }

func (e *accessError) Error() string { return "hub: no access to the case: " + e.cause.Error() }
func (e *accessError) Unwrap() error { return e.cause }

// asCommandError maps any error of a command to a nack.
func asCommandError(err error) *CommandError {
	var ae *accessError
	if errors.As(err, &ae) {
		return errForbiddenCase
	}
	var ce *CommandError
	if errors.As(err, &ce) {
		return ce
	}
	var de *meeting.Error
	if errors.As(err, &de) {
		var details any
		if len(de.Subjects) > 0 {
			details = map[string]any{"subjects": de.Subjects}
		}
		return &CommandError{Code: string(de.Code), Message: Message{NL: de.NL, EN: de.EN}, Details: details}
	}
	if errors.Is(err, ErrUnavailable) {
		return errUnavailable
	}
	return &CommandError{Code: CodeUnavailable, Message: Message{
		NL: "De opdracht kon niet worden opgeslagen; er is niets veranderd. Probeer het opnieuw.",
		EN: "The command could not be stored; nothing changed. Please try again."}}
}

var (
	errUnavailable = &CommandError{Code: CodeUnavailable, Message: Message{
		NL: "De opslag is even niet bereikbaar; er is niets opgeslagen. Probeer het zo opnieuw.",
		EN: "Storage is unreachable for a moment; nothing was stored. Try again shortly."}}
	errRateLimited = &CommandError{Code: CodeRateLimited, Message: Message{
		NL: "Te veel opdrachten achter elkaar; wacht even.", EN: "Too many commands in a row; wait a moment."}}
	errBadID = &CommandError{Code: string(meeting.CodeInvalid), Message: Message{
		NL: "Een opdracht heeft een id van 1 tot 64 tekens.", EN: "A command needs an id of 1 to 64 characters."}}
	errForbiddenCase = &CommandError{Code: string(meeting.CodeForbidden), Message: Message{
		NL: "Je hebt geen toegang (meer) tot deze casus.", EN: "You do not (or no longer) have access to this case."}}
)
