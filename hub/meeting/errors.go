package meeting

import (
	"fmt"
	"strings"
)

// Code classifies why something was refused. It is Tafel's one error vocabulary: the domain
// returns the first five, the hub and the server add the others for what happens at their
// edges. Each edge has one table from Code to its own signal: the server to HTTP statuses, the
// hub to WebSocket close codes.
type Code string

// The error codes. docs/protocol.md lists them with their HTTP statuses and close codes.
const (
	// CodeGateClosed: the safety-first gate does not allow this yet (names the subjects and
	// their lowest scores).
	CodeGateClosed Code = "gate_closed"
	// CodeForbidden: the actor's role in this case or meeting does not allow the command.
	CodeForbidden Code = "forbidden"
	// CodeInvalid: the command is malformed or its values are out of range.
	CodeInvalid Code = "invalid"
	// CodeConflict: the command does not fit the current state (e.g. a round is already open).
	CodeConflict Code = "conflict"
	// CodeNotFound: the command names something that does not exist.
	CodeNotFound Code = "not_found"
	// CodeUnavailable: the store cannot be reached; nothing was stored, try again.
	CodeUnavailable Code = "unavailable"
	// CodeRateLimited: too many commands or requests in a row.
	CodeRateLimited Code = "rate_limited"
	// CodeTooLarge: a frame, body or field is too large.
	CodeTooLarge Code = "too_large"
	// CodeUnauthenticated: no valid session or invitation (sign in again).
	CodeUnauthenticated Code = "unauthenticated"
	// CodeRevoked: the session was ended (logged out or revoked) while it was in use.
	CodeRevoked Code = "revoked"
	// CodeInternal: something went wrong on the server's side; no detail is given.
	CodeInternal Code = "internal"
)

// Message is a text for people, in Dutch and English. It is the project's one such type.
type Message struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// Error is a refusal: a code and a human message in Dutch and English. Its JSON form is the
// body of every REST error ({"code":…,"message":{"nl":…,"en":…}}) and the core of a nack.
type Error struct {
	Code    Code `json:"code"`
	Message `json:"message"`
	// Subjects, for gate_closed, names each subject that keeps the gate closed with its lowest
	// score in the deciding round (nil when it has no score).
	Subjects []SubjectLowest `json:"subjects,omitempty"`
	// Err is the underlying cause, for logs only (never sent to a client).
	Err error `json:"-"`
}

// NewError returns an *Error with code and its Dutch and English message.
func NewError(code Code, nl, en string) *Error {
	return &Error{Code: code, Message: Message{NL: nl, EN: en}}
}

// SubjectLowest is a subject with its lowest counted score in a round.
type SubjectLowest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Min  *int   `json:"min"`
}

// Error implements error: the code and the English message (and the cause, when there is one).
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.EN, e.Err)
	}
	return string(e.Code) + ": " + e.EN
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// WithCause returns a copy of e that carries cause for the logs.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

func errf(code Code, nl, en string, args ...any) *Error {
	return NewError(code, fmt.Sprintf(nl, args...), fmt.Sprintf(en, args...))
}

func invalid(nl, en string, args ...any) *Error { return errf(CodeInvalid, nl, en, args...) }

func forbidden(nl, en string, args ...any) *Error { return errf(CodeForbidden, nl, en, args...) }

func conflict(nl, en string, args ...any) *Error { return errf(CodeConflict, nl, en, args...) }

func notFound(what, id string) *Error {
	return errf(CodeNotFound, "%s %q bestaat niet", "%s %q does not exist", what, id)
}

// lowestText renders "Janna: 2, moeder: 3" (or "geen score"/"no score").
func lowestText(subjects []SubjectLowest, none string) string {
	parts := make([]string, 0, len(subjects))
	for _, s := range subjects {
		if s.Min == nil {
			parts = append(parts, s.Name+": "+none)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %d", s.Name, *s.Min))
	}
	return strings.Join(parts, ", ")
}
