package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestMinutesPDFRoute fetches the minutes PDF as a member, as the case's invitee and as
// people who may not: each request leaves exactly one access-log entry.
func TestMinutesPDFRoute(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	outsider, _ := h.account(server.RoleProfessional, "Olga Buiten")
	caseA := newCase(t, chair, "Casus A")
	caseB := newCase(t, chair, "Casus B")
	chair.do(http.MethodPut, "/api/cases/"+caseA+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	ws, _ := chair.connect(t, caseA)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "title": "Eerste overleg", "at": time.Now().UTC()})
	redeem := func(caseID string) *client {
		c := h.client()
		c.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": invite(t, chair, caseID, "Tante Ans", "family").code()}).want(t, http.StatusOK)
		return c
	}
	inviteeA, inviteeB := redeem(caseA), redeem(caseB)

	path := "/api/cases/" + caseA + "/meetings/m1/minutes.pdf"
	tests := []struct {
		name    string
		who     *client
		path    string
		status  int
		outcome string
	}{
		{"chair", chair, path, http.StatusOK, audit.OutcomeGranted},
		{"professional member", pro, path, http.StatusOK, audit.OutcomeGranted},
		{"invitee of the case not admitted to the meeting", inviteeA, path, http.StatusForbidden, audit.OutcomeRefused},
		{"invitee of another case", inviteeB, path, http.StatusForbidden, audit.OutcomeRefused},
		{"professional who is no member", outsider, path, http.StatusForbidden, audit.OutcomeRefused},
		{"unknown meeting", chair, "/api/cases/" + caseA + "/meetings/m9/minutes.pdf", http.StatusNotFound, audit.OutcomeGranted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.auditEntries()
			r := tt.who.do(http.MethodGet, tt.path, nil).want(t, tt.status)
			after := h.auditEntries()
			if got := len(after) - len(before); got != 1 {
				t.Fatalf("got %d new access-log entries, want exactly 1", got)
			}
			e := after[len(after)-1]
			mid := strings.Split(tt.path, "/")[5]
			if e.CaseID != caseA || e.Object != "meeting/"+mid+"/minutes" || e.Action != audit.ActionRead || e.Outcome != tt.outcome ||
				e.Channel != "http" || e.Addr != "127.0.0.1" || e.Authority == "" || e.PrincipalID == "" || e.Time.IsZero() {
				t.Errorf("got entry %+v, want a %s read of meeting/%s/minutes of %s", e, tt.outcome, mid, caseA)
			}
			if tt.status != http.StatusOK {
				if e := r.err(t); e.Message.NL == "" || e.Message.EN == "" {
					t.Errorf("got error %+v, want Dutch and English messages", e)
				}
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("got Content-Type %q, want application/pdf", ct)
			}
			if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("got Content-Disposition %q, want an attachment", cd)
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", cc)
			}
			if text := pdfText(t, r.body); !strings.Contains(text, "Eerste overleg") {
				t.Error("the minutes do not name the meeting")
			}
		})
	}
}
