package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// Error codes. They are shared with the WebSocket protocol (nack codes, docs/protocol.md).
const (
	CodeForbidden       = "forbidden"
	CodeInvalid         = "invalid"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeGateClosed      = "gate_closed"
	CodeUnauthenticated = "unauthenticated"
	CodeRateLimited     = "rate_limited"
	CodeTooLarge        = "too_large"
	CodeUnavailable     = "unavailable"
)

// statusByCode is the one table that maps error codes to HTTP statuses.
var statusByCode = map[string]int{
	CodeForbidden:       http.StatusForbidden,
	CodeInvalid:         http.StatusBadRequest,
	CodeNotFound:        http.StatusNotFound,
	CodeConflict:        http.StatusConflict,
	CodeGateClosed:      http.StatusConflict,
	CodeUnauthenticated: http.StatusUnauthorized,
	CodeRateLimited:     http.StatusTooManyRequests,
	CodeTooLarge:        http.StatusRequestEntityTooLarge,
	CodeUnavailable:     http.StatusServiceUnavailable,
}

// closeByCode is the one table that maps error codes to WebSocket close codes, for a
// connection the hub ends because its principal may no longer reach the case
// (docs/protocol.md: 4401 sign in again, 4403 not allowed, 4000 try again).
var closeByCode = map[string]int{
	CodeUnauthenticated: hub.CloseUnauthorized,
	CodeForbidden:       hub.CloseForbidden,
	CodeUnavailable:     hub.CloseTryAgain,
}

// CloseCode is the WebSocket close code of the error (hub.CloseCoder): a revoked session
// closes with 4409, otherwise by code.
func (e *Error) CloseCode() int {
	if e.close != 0 {
		return e.close
	}
	return closeByCode[e.Code]
}

// HTTPStatus returns the HTTP status of an error code (500 for an unknown code).
func HTTPStatus(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Message is a human-readable text in Dutch and English.
type Message struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// Error is a refusal with a code and a Dutch and English message. Its JSON form is the body
// of every error response: {"code":…,"message":{"nl":…,"en":…}}.
type Error struct {
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Message says what went wrong, for people.
	Message Message `json:"message"`
	// Err is the underlying cause, for logs only (never sent to the client).
	Err error `json:"-"`
	// close overrides the WebSocket close code of Code (e.g. 4409 for a revoked session).
	close int
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message.EN, e.Err)
	}
	return e.Code + ": " + e.Message.EN
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and messages.
func newError(code, nl, en string) *Error {
	return &Error{Code: code, Message: Message{NL: nl, EN: en}}
}

// withCause returns a copy of e carrying cause for the logs.
func (e *Error) withCause(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// AsError converts err to an *Error: an *Error anywhere in the chain is returned as is;
// anything else becomes an internal error with no detail for the client.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return errInternal.withCause(err)
}

// Common errors.
var (
	errInternal        = newError("internal", "Er ging iets mis aan onze kant.", "Something went wrong on our side.")
	errUnauthenticated = newError(CodeUnauthenticated, "U bent niet (meer) aangemeld.", "You are not (or no longer) signed in.")
	errForbidden       = newError(CodeForbidden, "U hebt geen toegang tot dit onderdeel.", "You may not access this.")
	errNotFound        = newError(CodeNotFound, "Niet gevonden.", "Not found.")
	errRateLimited     = newError(CodeRateLimited, "Te veel verzoeken; probeer het zo opnieuw.", "Too many requests; try again shortly.")
	errTooLarge        = newError(CodeTooLarge, "Het verzoek is te groot.", "The request is too large.")
	errUnavailable     = newError(CodeUnavailable, "De dienst is tijdelijk niet beschikbaar.", "The service is temporarily unavailable.")
	errCSRF            = newError(CodeForbidden, "Verzoek geweigerd: onbekende herkomst.", "Request refused: unknown origin.")
	errBadJSON         = newError(CodeInvalid, "Het verzoek is geen geldige JSON.", "The request is not valid JSON.")
)

// invalid returns an `invalid` error with the given messages.
func invalid(nl, en string) *Error { return newError(CodeInvalid, nl, en) }
