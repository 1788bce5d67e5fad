package server

import (
	"errors"
	"net/http"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// httpForm is how one error code reads over HTTP: the status, and the code a REST client is
// given.
type httpForm struct {
	status int
	code   meeting.Code
}

// httpByCode is the one table from error codes (meeting.Code, the project's one vocabulary) to
// HTTP. A revoked session reads as unauthenticated: over HTTP both mean "sign in again"; only a
// socket tells them apart (4409, hub's close-code table). An unknown code is a 500 "internal".
var httpByCode = map[meeting.Code]httpForm{
	meeting.CodeForbidden:       {http.StatusForbidden, meeting.CodeForbidden},
	meeting.CodeInvalid:         {http.StatusBadRequest, meeting.CodeInvalid},
	meeting.CodeNotFound:        {http.StatusNotFound, meeting.CodeNotFound},
	meeting.CodeConflict:        {http.StatusConflict, meeting.CodeConflict},
	meeting.CodeGateClosed:      {http.StatusConflict, meeting.CodeGateClosed},
	meeting.CodeUnauthenticated: {http.StatusUnauthorized, meeting.CodeUnauthenticated},
	meeting.CodeRevoked:         {http.StatusUnauthorized, meeting.CodeUnauthenticated},
	meeting.CodeRateLimited:     {http.StatusTooManyRequests, meeting.CodeRateLimited},
	meeting.CodeTooLarge:        {http.StatusRequestEntityTooLarge, meeting.CodeTooLarge},
	meeting.CodeUnavailable:     {http.StatusServiceUnavailable, meeting.CodeUnavailable},
}

// HTTPStatus returns the HTTP status of an error code (500 for an unknown code).
func HTTPStatus(code meeting.Code) int {
	if h, ok := httpByCode[code]; ok {
		return h.status
	}
	return http.StatusInternalServerError
}

// restError is the body of an error response for e: its code as REST reads it (httpByCode)
// and its messages; the cause stays in the logs.
func restError(e *meeting.Error) *meeting.Error {
	h, ok := httpByCode[e.Code]
	if !ok {
		return errInternal
	}
	if h.code == e.Code {
		return e
	}
	out := *e
	out.Code = h.code
	return &out
}

// asError converts err to a *meeting.Error: one anywhere in the chain is returned as is;
// anything else becomes an internal error with no detail for the client.
func asError(err error) *meeting.Error {
	var e *meeting.Error
	if errors.As(err, &e) {
		return e
	}
	return errInternal.WithCause(err)
}

// Common errors.
var (
	errInternal        = meeting.NewError(meeting.CodeInternal, "Er ging iets mis aan onze kant.", "Something went wrong on our side.")
	errUnauthenticated = meeting.NewError(meeting.CodeUnauthenticated, "U bent niet (meer) aangemeld.", "You are not (or no longer) signed in.")
	errForbidden       = meeting.NewError(meeting.CodeForbidden, "U hebt geen toegang tot dit onderdeel.", "You may not access this.")
	errNotFound        = meeting.NewError(meeting.CodeNotFound, "Niet gevonden.", "Not found.")
	errRateLimited     = meeting.NewError(meeting.CodeRateLimited, "Te veel verzoeken; probeer het zo opnieuw.", "Too many requests; try again shortly.")
	errTooLarge        = meeting.NewError(meeting.CodeTooLarge, "Het verzoek is te groot.", "The request is too large.")
	errUnavailable     = meeting.NewError(meeting.CodeUnavailable, "De dienst is tijdelijk niet beschikbaar.", "The service is temporarily unavailable.")
	errCSRF            = meeting.NewError(meeting.CodeForbidden, "Verzoek geweigerd: onbekende herkomst.", "Request refused: unknown origin.")
	errBadJSON         = meeting.NewError(meeting.CodeInvalid, "Het verzoek is geen geldige JSON.", "The request is not valid JSON.")
)

// invalid returns an `invalid` error with the given messages.
func invalid(nl, en string) *meeting.Error { return meeting.NewError(meeting.CodeInvalid, nl, en) }
