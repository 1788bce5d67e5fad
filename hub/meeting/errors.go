package meeting

import (
	"fmt"
	"strings"
)

// Code classifies why a command was refused.
type Code string

// The error codes Decide returns. The server maps each to an HTTP status and a nack.
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
)

// Error is a refused command: a code and a human message in Dutch and English.
type Error struct {
	Code Code   `json:"code"`
	NL   string `json:"nl"`
	EN   string `json:"en"`
	// Subjects, for gate_closed, names each subject that keeps the gate closed with its lowest
	// score in the deciding round (nil when it has no score).
	Subjects []SubjectLowest `json:"subjects,omitempty"`
}

// SubjectLowest is a subject with its lowest counted score in a round.
type SubjectLowest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Min  *int   `json:"min"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.EN }

func errf(code Code, nl, en string, args ...any) *Error {
	return &Error{Code: code, NL: fmt.Sprintf(nl, args...), EN: fmt.Sprintf(en, args...)}
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
