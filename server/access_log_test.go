package server_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// TestEveryCaseAccessLogged walks every REST read and change of case data and checks that
// each leaves exactly one access-log entry with every field filled in. (The shared screen's
// automatic join code is neither: TestDisplayJoinCodeIsNotARead.)
func TestEveryCaseAccessLogged(t *testing.T) {
	h := newHarness(t)
	chair, chairAcc := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	outsider, _ := h.account(server.RoleProfessional, "Olga Buiten")
	caseID := newCase(t, chair, "Casus Janna")
	ci := invite(t, chair, caseID, "Tante Ans", "family")
	ans := h.client()
	ans.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK)
	second := invite(t, chair, caseID, "Buurman Piet", "network")

	base := "/api/cases/" + caseID
	steps := []struct {
		name    string
		who     *client
		method  string
		path    string
		body    any
		status  int
		action  string
		outcome string
		caseID  string
	}{
		{"list cases", chair, http.MethodGet, "/api/cases", nil, 200, audit.ActionList, audit.OutcomeGranted, ""},
		{"create case", chair, http.MethodPost, "/api/cases", caseBody("Casus Twee"), 201, audit.ActionCreate, audit.OutcomeGranted, "*"},
		{"read case", chair, http.MethodGet, base, nil, 200, audit.ActionRead, audit.OutcomeGranted, caseID},
		{"rename case", chair, http.MethodPatch, base, map[string]string{"title": "Casus J."}, 200, audit.ActionUpdate, audit.OutcomeGranted, caseID},
		{"add member", chair, http.MethodPut, base + "/members/" + proAcc.ID, map[string]string{"role": "professional"}, 204, audit.ActionUpdate, audit.OutcomeGranted, caseID},
		{"list members", pro, http.MethodGet, base + "/members", nil, 200, audit.ActionList, audit.OutcomeGranted, caseID},
		{"member reads case", pro, http.MethodGet, base, nil, 200, audit.ActionRead, audit.OutcomeGranted, caseID},
		{"invitee reads case", ans, http.MethodGet, base, nil, 200, audit.ActionRead, audit.OutcomeGranted, caseID},
		{"create invitation", chair, http.MethodPost, base + "/invitations", map[string]string{"meeting": "m1", "name": "Oom Kees", "role": "network"}, 201, audit.ActionCreate, audit.OutcomeGranted, caseID},
		{"list invitations", chair, http.MethodGet, base + "/invitations", nil, 200, audit.ActionList, audit.OutcomeGranted, caseID},
		{"revoke invitation", chair, http.MethodDelete, base + "/invitations/" + second.Invitation.ID, nil, 204, audit.ActionRevoke, audit.OutcomeGranted, caseID},
		{"redeem invitation", h.client(), http.MethodPost, "/api/invitations/redeem", map[string]string{"code": invite(t, chair, caseID, "Oma Riet", "family").code()}, 200, audit.ActionJoin, audit.OutcomeGranted, caseID},
		{"who looked at my case", chair, http.MethodGet, base + "/access-log", nil, 200, audit.ActionRead, audit.OutcomeGranted, caseID},
		{"outsider refused", outsider, http.MethodGet, base, nil, 403, audit.ActionRead, audit.OutcomeRefused, caseID},
		{"member refused chair action", pro, http.MethodGet, base + "/invitations", nil, 403, audit.ActionList, audit.OutcomeRefused, caseID},
		{"invitee refused members route", ans, http.MethodGet, base + "/members", nil, 403, audit.ActionList, audit.OutcomeRefused, caseID},
		{"remove member", chair, http.MethodDelete, base + "/members/" + proAcc.ID, nil, 204, audit.ActionDelete, audit.OutcomeGranted, caseID},
		{"outsider probes unknown case", outsider, http.MethodGet, "/api/cases/nosuchcase", nil, 403, audit.ActionRead, audit.OutcomeRefused, ""},
	}
	_ = chairAcc
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := h.auditEntries()
			st.who.do(st.method, st.path, st.body).want(t, st.status)
			after := h.auditEntries()
			if got := len(after) - len(before); got != 1 {
				t.Fatalf("got %d new access-log entries, want exactly 1", got)
			}
			e := after[len(after)-1]
			if e.Action != st.action || e.Outcome != st.outcome {
				t.Errorf("got action %q outcome %q, want %q %q", e.Action, e.Outcome, st.action, st.outcome)
			}
			switch st.caseID {
			case "*":
				if e.CaseID == "" {
					t.Error("got no case id, want the new case")
				}
			default:
				if e.CaseID != st.caseID {
					t.Errorf("got case %q, want %q", e.CaseID, st.caseID)
				}
			}
			if e.Time.IsZero() || e.PrincipalID == "" || e.Name == "" || e.Role == "" || e.Object == "" ||
				e.Addr != "127.0.0.1" || e.Authority == "" || e.Channel != "http" {
				t.Errorf("entry lacks a field: %+v", e)
			}
			if e.PrincipalID[:2] == "u:" && e.Organisation == "" {
				t.Errorf("professional's entry lacks the organisation: %+v", e)
			}
			if e.CaseID != "" {
				entries, err := h.srv.AuditLog().Case(t.Context(), e.CaseID, 0, 0)
				if err != nil || len(entries) == 0 || entries[len(entries)-1].Time != e.Time || entries[len(entries)-1].Object != e.Object {
					t.Errorf("the entry is not the last of the case's own log (%v)", err)
				}
			}
		})
	}

	t.Run("access log holds no tokens", func(t *testing.T) {
		for _, e := range h.auditEntries() {
			for _, tok := range []string{ci.code(), second.code(), chair.cookie(), ans.cookie()} {
				if tok != "" && (e.Object == tok || e.Authority == tok || e.Name == tok) {
					t.Errorf("entry %d holds a token", e.Seq)
				}
			}
		}
	})
	t.Run("case access log view", func(t *testing.T) {
		var page struct {
			Entries []audit.Entry `json:"entries"`
		}
		chair.do(http.MethodGet, base+"/access-log?limit=500", nil).want(t, http.StatusOK).decode(t, &page)
		sawOutsider := false
		for _, e := range page.Entries {
			if e.CaseID != caseID {
				t.Errorf("case log holds an entry of case %q", e.CaseID)
			}
			sawOutsider = sawOutsider || (e.Name == "Olga Buiten" && e.Outcome == audit.OutcomeRefused)
		}
		if !sawOutsider {
			t.Error("the outsider's refused look is not in the case's access log")
		}
	})
	t.Run("admin view is for admins", func(t *testing.T) {
		chair.do(http.MethodGet, "/api/audit", nil).want(t, http.StatusForbidden)
		admin, _ := h.account(server.RoleAdmin, "Anna Beheer")
		var page struct {
			Entries []audit.Entry `json:"entries"`
		}
		admin.do(http.MethodGet, "/api/audit?limit=500", nil).want(t, http.StatusOK).decode(t, &page)
		if len(page.Entries) < len(steps) {
			t.Errorf("got %d entries, want at least %d", len(page.Entries), len(steps))
		}
	})
}

// TestEveryWebSocketAccessLogged walks the live protocol: the upgrade, hello (the case is
// read) and every command, granted or refused, each leave exactly one access-log entry with
// every field filled in, for a professional and for a family member.
func TestEveryWebSocketAccessLogged(t *testing.T) {
	h := newHarness(t)
	chair, chairAcc := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")
	ci := invite(t, chair, caseID, "Moeder", "family")
	family := h.client()
	var me struct {
		ID string `json:"id"`
	}
	family.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": ci.code()}).want(t, http.StatusOK).decode(t, &me)
	chairID := "u:" + chairAcc.ID

	var chairWS, familyWS *wstest.Client
	hello := func(c **wstest.Client, who *client) func() {
		return func() {
			*c = who.dialWS(t, caseID)
			(*c).Send(map[string]any{"type": "hello", "lastSeq": 0})
			(*c).Expect("welcome")
		}
	}
	command := func(c **wstest.Client, kind string, payload any, want string) func() {
		return func() {
			if f := (*c).Do(kind, payload); f.Type != want {
				t.Fatalf("%s: got %s, want %s", kind, f.Raw, want)
			}
		}
	}
	steps := []struct {
		name    string
		run     func()
		who     string
		entries int // the upgrade and hello are one entry each: two for hello()
		action  string
		outcome string
	}{
		{"chair connects and reads the case", hello(&chairWS, chair), chairID, 2, audit.ActionRead, audit.OutcomeGranted},
		{"chair schedules", command(&chairWS, "meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()}, "ack"), chairID, 1, "meeting.schedule", audit.OutcomeGranted},
		{"chair starts", command(&chairWS, "meeting.start", map[string]any{"meeting": "m1"}, "ack"), chairID, 1, "meeting.start", audit.OutcomeGranted},
		{"family connects and reads the case", hello(&familyWS, family), me.ID, 2, audit.ActionRead, audit.OutcomeGranted},
		{"family joins", command(&familyWS, "participant.join", map[string]any{"meeting": "m1"}, "ack"), me.ID, 1, "participant.join", audit.OutcomeGranted},
		{"chair admits", command(&chairWS, "participant.admit", map[string]any{"meeting": "m1", "participant": me.ID}, "ack"), chairID, 1, "participant.admit", audit.OutcomeGranted},
		{"family refused a chair action", command(&familyWS, "round.open", map[string]any{"meeting": "m1"}, "nack"), me.ID, 1, "round.open", audit.OutcomeRefused},
		{"chair adds a fact", func() {
			if f := chairWS.DoID("fact-1", "fact.add", map[string]any{"text": "Een feit."}); f.Type != "ack" {
				t.Fatalf("got %s, want an ack", f.Raw)
			}
		}, chairID, 1, "fact.add", audit.OutcomeGranted},
		{"chair repeats the command id", func() {
			if f := chairWS.DoID("fact-1", "fact.add", map[string]any{"text": "Een feit."}); f.Type != "ack" || !f.Duplicate {
				t.Fatalf("got %s, want a duplicate ack", f.Raw)
			}
		}, chairID, 1, "fact.add", audit.OutcomeGranted},
		{"chair's invalid command", command(&chairWS, "fact.add", map[string]any{"text": ""}, "nack"), chairID, 1, "fact.add", audit.OutcomeRefused},
		{"chair's gate-closed command", command(&chairWS, "case.set_phase", map[string]any{"phase": 2}, "nack"), chairID, 1, "case.set_phase", audit.OutcomeRefused},
		{"family confirms the plan", command(&familyWS, "plan.confirm", map[string]any{"meeting": "m1"}, "ack"), me.ID, 1, "plan.confirm", audit.OutcomeGranted},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := h.auditEntries()
			st.run()
			after := h.auditEntries()
			if got := len(after) - len(before); got != st.entries {
				t.Fatalf("got %d new access-log entries, want exactly %d", got, st.entries)
			}
			for i, e := range after[len(before):] {
				action, object := st.action, ""
				if st.entries == 2 && i == 0 {
					action, object = "connect", "live"
				}
				if e.PrincipalID != st.who || e.Action != action || e.Outcome != st.outcome || (object != "" && e.Object != object) {
					t.Errorf("got %s %s %s on %s, want %s %s %s", e.PrincipalID, e.Action, e.Outcome, e.Object, st.who, action, st.outcome)
				}
				if e.Time.IsZero() || e.Name == "" || e.Role == "" || e.CaseID != caseID || e.Object == "" ||
					e.Addr != "127.0.0.1" || e.Authority == "" || e.Channel != "ws" {
					t.Errorf("entry lacks a field: %+v", e)
				}
				switch {
				case e.PrincipalID == chairID && (e.Organisation != "Veilig Thuis" || e.Role != "chair/chair"):
					t.Errorf("chair's entry: got organisation %q role %q, want Veilig Thuis and chair/chair", e.Organisation, e.Role)
				case e.PrincipalID == me.ID && (e.Organisation != "" || e.Role != "family" || e.Name != "Moeder"):
					t.Errorf("family member's entry: got %+v, want Moeder as family without organisation", e)
				}
				// The same entry is in the case's own log, at the same place from the end.
				cl, err := h.srv.AuditLog().Case(t.Context(), caseID, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				n := len(after) - len(before)
				if len(cl) < n {
					t.Fatalf("the case's log has %d entries, want at least %d", len(cl), n)
				}
				ce := cl[len(cl)-n+i]
				// Each log is a chain of its own: the links differ, nothing else.
				ce.Seq, e.Seq, ce.Prev, e.Prev, ce.Hash, e.Hash = 0, 0, "", "", "", ""
				if ce != e {
					t.Errorf("case log entry %+v differs from the global entry %+v", ce, e)
				}
			}
		})
	}
}

// TestCaseListRefreshIsNotARead: the home page asks for the case list again with the ETag it
// holds; an unchanged list is answered 304 and logs nothing, a changed one is a new read.
func TestCaseListRefreshIsNotARead(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	newCase(t, chair, "Casus Janna")
	before := len(h.auditEntries())
	first := chair.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK)
	etag := first.header.Get("ETag")
	if etag == "" || len(h.auditEntries()) != before+1 {
		t.Fatalf("first list: etag %q, %d new entries; want an ETag and one entry", etag, len(h.auditEntries())-before)
	}
	chair.header.Set("If-None-Match", etag)
	chair.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusNotModified)
	if got := len(h.auditEntries()) - before; got != 1 {
		t.Errorf("unchanged refresh: %d entries in all, want still 1", got)
	}
	chair.header.Del("If-None-Match")
	newCase(t, chair, "Casus Twee")
	chair.header.Set("If-None-Match", etag)
	var list []map[string]any
	chair.do(http.MethodGet, "/api/cases", nil).want(t, http.StatusOK).decode(t, &list)
	chair.header.Del("If-None-Match")
	if len(list) != 2 {
		t.Errorf("after a new case: %d cases, want 2", len(list))
	}
}

// TestCaseAccessLogNewestFirst: the case page reads the access log newest first, a page at a
// time, down to the oldest entry, each entry once; `after` still reads it oldest first.
func TestCaseAccessLogNewestFirst(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus Janna")
	base := "/api/cases/" + caseID
	for range 7 {
		chair.do(http.MethodGet, base, nil).want(t, http.StatusOK)
	}
	type page struct {
		Entries []audit.Entry `json:"entries"`
		Before  uint64        `json:"before"`
	}
	var all []uint64
	before := uint64(0)
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		path := base + "/access-log?limit=3"
		if before > 0 {
			path += "&before=" + strconv.FormatUint(before, 10)
		}
		var p page
		chair.do(http.MethodGet, path, nil).want(t, http.StatusOK).decode(t, &p)
		for _, e := range p.Entries {
			all = append(all, e.Seq)
		}
		if p.Before == 0 {
			break
		}
		before = p.Before
	}
	// Creating the case, seven reads, and the first look at the log (logged before it is read).
	if len(all) < 9 {
		t.Fatalf("got %d entries, want at least 9: %v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i] != all[i-1]-1 {
			t.Fatalf("entries not newest first, each once: %v", all)
		}
	}
	if all[len(all)-1] != 1 {
		t.Errorf("the last page ends at %d, want the first entry", all[len(all)-1])
	}
	var asc page
	chair.do(http.MethodGet, base+"/access-log?after=0&limit=2", nil).want(t, http.StatusOK).decode(t, &asc)
	if len(asc.Entries) != 2 || asc.Entries[0].Seq != 1 || asc.Entries[1].Seq != 2 {
		t.Errorf("after=0: got %+v, want entries 1 and 2", asc.Entries)
	}
}
