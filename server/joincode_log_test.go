package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestDisplayJoinCodeIsNotARead: the shared screen's automatic join codes read and change no
// case data, so making one leaves no access-log entry — however often the screen asks — while a
// refused attempt still does. What the code leads to is recorded: the newcomer's redemption
// (naming the chair whose screen made the code), their connection, their joining the lobby and
// the chair's admission; a named invitation the chair makes on purpose is recorded too.
func TestDisplayJoinCodeIsNotARead(t *testing.T) {
	h := newHarness(t)
	chair, chairAcc := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	caseID := newCase(t, chair, "Casus Janna")
	base := "/api/cases/" + caseID
	chair.do(http.MethodPut, base+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})

	caseLog := func() []audit.Entry {
		entries, err := h.srv.AuditLog().Case(t.Context(), caseID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	before, globalBefore := len(caseLog()), len(h.auditEntries())
	var jc createdInvitation
	for range 3 { // the screen asks again after each use and before each expiry
		chair.do(http.MethodPost, base+"/meetings/m1/join-code", nil).want(t, http.StatusCreated).decode(t, &jc)
	}
	if got := caseLog()[before:]; len(got) != 0 {
		t.Errorf("three automatic join codes left %d case access-log entries, want none: %+v", len(got), got)
	}
	if got := len(h.auditEntries()) - globalBefore; got != 0 {
		t.Errorf("three automatic join codes left %d global access-log entries, want none", got)
	}

	// A professional who is not the chair is refused, and the attempt is recorded.
	pro.do(http.MethodPost, base+"/meetings/m1/join-code", nil).want(t, http.StatusForbidden)
	got := caseLog()[before:]
	if len(got) != 1 || got[0].Outcome != audit.OutcomeRefused || got[0].PrincipalID != "u:"+proAcc.ID || !strings.HasSuffix(got[0].Object, "join-code") {
		t.Fatalf("a refused join code: got %+v, want one refused entry of the professional", got)
	}

	// The aunt uses the code: her redemption names the chair behind the screen.
	before = len(caseLog())
	aunt := h.client()
	var me struct {
		ID string `json:"id"`
	}
	aunt.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code(), "name": "Ilse"}).want(t, http.StatusOK).decode(t, &me)
	aws, _ := aunt.connect(t, caseID)
	aws.Must("participant.join", map[string]any{"meeting": "m1"})
	ws.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID})
	var actions []string
	for _, e := range caseLog()[before:] {
		actions = append(actions, e.PrincipalID+" "+e.Action)
		if e.Action == audit.ActionJoin && !strings.Contains(e.Authority, "u:"+chairAcc.ID) {
			t.Errorf("the redemption's authority %q does not name the chair whose screen made the code", e.Authority)
		}
	}
	want := []string{me.ID + " join", me.ID + " connect", me.ID + " read", me.ID + " participant.join", "u:" + chairAcc.ID + " participant.admit"}
	if strings.Join(actions, ", ") != strings.Join(want, ", ") {
		t.Errorf("the code's use recorded\n  %s\nwant\n  %s", strings.Join(actions, ", "), strings.Join(want, ", "))
	}

	// A named invitation is made on purpose: recorded.
	before = len(caseLog())
	invite(t, chair, caseID, "Oom Kees", "network")
	if got := caseLog()[before:]; len(got) != 1 || got[0].Action != audit.ActionCreate || got[0].Object != "invitation" {
		t.Errorf("a named invitation: got %+v, want one create entry", got)
	}
}

// TestDisciplineInTheMeetingAndTheLog: a professional's discipline — from their account, or
// for a professional invited by a link, from the invitation — reaches the meeting's
// participants in every view (the family's and the shared screen's too) and the access log; an
// invitation gives a discipline only to a professional.
func TestDisciplineInTheMeetingAndTheLog(t *testing.T) {
	h := newHarness(t)
	chair, chairAcc := h.account(server.RoleChair, "Carla Voorzitter") // "maatschappelijk werk"
	caseID := newCase(t, chair, "Casus Janna")
	base := "/api/cases/" + caseID
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	chair.do(http.MethodPost, base+"/invitations", map[string]string{"meeting": "m1", "name": "Oma", "role": "family", "discipline": "politie"}).want(t, http.StatusBadRequest)
	var ci createdInvitation
	chair.do(http.MethodPost, base+"/invitations", map[string]string{"meeting": "m1", "name": "Agent Bos", "role": "professional", "discipline": "politie"}).
		want(t, http.StatusCreated).decode(t, &ci)
	police := h.client()
	var me struct {
		ID string `json:"id"`
	}
	police.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
	pws, _ := police.connect(t, caseID)
	pws.Must("participant.join", map[string]any{"meeting": "m1"})
	ws.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID})
	fam := invite(t, chair, caseID, "Moeder", "family")
	mother := h.client()
	var mom struct {
		ID string `json:"id"`
	}
	mother.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": fam.code()}).want(t, http.StatusOK).decode(t, &mom)
	mws, _ := mother.connect(t, caseID)
	mws.Must("participant.join", map[string]any{"meeting": "m1"})
	seq := ws.Must("participant.admit", map[string]any{"meeting": "m1", "participant": mom.ID})
	want := map[string]string{"u:" + chairAcc.ID: "maatschappelijk werk", me.ID: "politie", mom.ID: ""}
	for name, c := range map[string]*wstest.Client{"chair": ws, "mother": mws} {
		cv := c.WaitView(seq)
		if cv.Current == nil {
			t.Fatalf("%s: no current meeting", name)
		}
		for _, p := range cv.Current.Participants {
			if p.Discipline != want[p.ID] {
				t.Errorf("%s's view: %s has discipline %q, want %q", name, p.Name, p.Discipline, want[p.ID])
			}
		}
	}
	var page struct {
		Entries []audit.Entry `json:"entries"`
	}
	chair.do(http.MethodGet, base+"/access-log?limit=500", nil).want(t, http.StatusOK).decode(t, &page)
	seen := map[string]bool{}
	for _, e := range page.Entries {
		if d, ok := want[e.PrincipalID]; ok && e.Discipline != d {
			t.Errorf("%s's entry %s: discipline %q, want %q", e.Name, e.Action, e.Discipline, d)
		}
		seen[e.PrincipalID] = true
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("no access-log entry of %s", id)
		}
	}
}
