package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// maxLogPage is the most access-log entries one request returns.
const maxLogPage = 500

func logPage(c echo.Context) (after uint64, limit int, err error) {
	limit = 100
	if v := c.QueryParam("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, invalid("after moet een volgnummer zijn.", "after must be a sequence number.")
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLogPage {
			return 0, 0, invalid("limit moet tussen 1 en 500 liggen.", "limit must lie between 1 and 500.")
		}
	}
	return after, limit, nil
}

type logPageView struct {
	Entries []audit.Entry `json:"entries"`
	// Next is the `after` for the next page (0 when this page is the last).
	Next uint64 `json:"next"`
}

func pageOf(entries []audit.Entry, limit int) logPageView {
	v := logPageView{Entries: entries}
	if v.Entries == nil {
		v.Entries = []audit.Entry{}
	}
	if len(entries) == limit {
		v.Next = entries[len(entries)-1].Seq
	}
	return v
}

// handleAuditLog returns the global access log (administrators). Looking at it is itself
// logged.
func (s *Server) handleAuditLog(c echo.Context) error {
	after, limit, err := logPage(c)
	if err != nil {
		return err
	}
	entries, err := s.audit.Global(c.Request().Context(), after, limit)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	if err := s.recordAdmin(c, "access-log", audit.ActionRead); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(entries, limit))
}

// handleCaseAccessLog returns "who looked at this case" (case chair): newest first, a page of
// entries below `before` (the newest without it) with the `before` of the next, older page; or,
// with `after`, oldest first from there (for reading the whole log in order).
func (s *Server) handleCaseAccessLog(c echo.Context, a CaseAccess) error {
	after, limit, err := logPage(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if c.QueryParam("after") != "" {
		entries, err := s.audit.Case(ctx, a.CaseID, after, limit)
		if err != nil {
			return errUnavailable.WithCause(err)
		}
		return c.JSON(http.StatusOK, pageOf(entries, limit))
	}
	var before uint64
	if v := c.QueryParam("before"); v != "" {
		if before, err = strconv.ParseUint(v, 10, 64); err != nil {
			return invalid("before moet een volgnummer zijn.", "before must be a sequence number.")
		}
	}
	entries, next, err := s.audit.CaseNewest(ctx, a.CaseID, before, limit)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	return c.JSON(http.StatusOK, newestPage{Entries: entries, Before: next})
}

// newestPage is a page of a case's access log, newest first.
type newestPage struct {
	Entries []audit.Entry `json:"entries"`
	// Before is the `before` of the next, older page (0 when this page is the oldest).
	Before uint64 `json:"before"`
}
