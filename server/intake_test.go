package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server"
)

// TestIntakeFlow: a Veilig Thuis professional with the intake permission records a police
// report of partner violence with two children, judged structural: MDA++ structureel and the
// safety assessment five working days out. The team overview shows it; someone without the
// permission is refused (and logged). Starting the case gives the persons, the police facts for
// professionals only and a first meeting with a safety-only agenda; the case's members read the
// intake from the case, and the access log records every read.
func TestIntakeFlow(t *testing.T) {
	h := newHarness(t)
	received := h.clock.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	wantDay := meeting.AddWorkingDays(received, 5, nil).Format(time.DateOnly)
	admin, _ := h.account(server.RoleAdmin, "Beheer")
	vt, vtAcc := h.account(server.RoleProfessional, "Vera Triage")
	other, _ := h.account(server.RoleChair, "Otto Anders")
	admin.do(http.MethodPatch, "/api/accounts/"+vtAcc.ID, map[string]any{"intake": true}).want(t, http.StatusOK)

	report := map[string]any{
		"received": received.Format(time.RFC3339),
		"reporter": map[string]any{"kind": "police", "feedback": "via de wijkagent"},
		"persons": []map[string]any{
			{"id": "moeder", "name": "Moeder", "relation": "moeder", "atRisk": true, "household": true},
			{"id": "vader", "name": "Vader", "relation": "vader", "household": true},
			{"id": "sem", "name": "Sem", "birthYear": 2018, "atRisk": true, "household": true},
			{"id": "lot", "name": "Lot", "birthYear": 2021, "atRisk": true, "household": true}},
		"incidents":  []map[string]any{{"what": "Vader sloeg moeder", "from": "vader", "towards": "moeder", "when": "2 december"}},
		"violence":   []string{"physical"},
		"police":     []map[string]any{{"kind": "violence", "text": "Twee eerdere meldingen huiselijk geweld"}},
		"judgements": map[string]any{"acute": map[string]any{"answer": "no", "reason": "Vader is vertrokken"}, "structural": map[string]any{"answer": "yes", "reason": "Herhaald geweld"}},
	}
	other.do(http.MethodPost, "/api/intakes", report).want(t, http.StatusForbidden)
	var in struct {
		meeting.Intake
		State string `json:"state"`
	}
	vt.do(http.MethodPost, "/api/intakes", report).want(t, http.StatusCreated).decode(t, &in)
	if in.Route != meeting.RouteMDAStructural || in.Deadlines.Assessment != wantDay || in.State != meeting.IntakeOpen {
		t.Fatalf("intake: route %s, assessment %s, state %s", in.Route, in.Deadlines.Assessment, in.State)
	}
	var rows []map[string]any
	vt.do(http.MethodGet, "/api/intakes", nil).want(t, http.StatusOK).decode(t, &rows)
	if len(rows) != 1 || rows[0]["route"] != "mda_structural" || rows[0]["state"] != "open" {
		t.Fatalf("overview: %+v", rows)
	}
	other.do(http.MethodGet, "/api/intakes", nil).want(t, http.StatusForbidden)
	other.do(http.MethodGet, "/api/intakes/"+in.ID, nil).want(t, http.StatusForbidden)

	var cv struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	vt.do(http.MethodPost, "/api/intakes/"+in.ID+"/start", map[string]any{"title": "Gezin Sem en Lot"}).want(t, http.StatusCreated).decode(t, &cv)
	vt.do(http.MethodPost, "/api/intakes/"+in.ID+"/start", map[string]any{"title": "Nog eens"}).want(t, http.StatusConflict)
	st, _, err := h.live.Load(context.Background(), cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Persons) != 4 || len(st.Subjects) != 3 || len(st.Meetings) != 1 || len(st.Plans.Facts) != 2 || !st.Plans.Facts[1].ProfessionalsOnly {
		t.Fatalf("case: %d persons, %d subjects, %d meetings, facts %+v", len(st.Persons), len(st.Subjects), len(st.Meetings), st.Plans.Facts)
	}
	for _, it := range st.Meetings[0].Agenda {
		if it.Section != meeting.SectionSafety {
			t.Errorf("first meeting holds a %s item", it.Section)
		}
	}
	var back struct {
		meeting.Intake
		State string `json:"state"`
	}
	vt.do(http.MethodGet, "/api/cases/"+cv.ID+"/intake", nil).want(t, http.StatusOK).decode(t, &back)
	if back.CaseID != cv.ID || back.State != meeting.IntakeDone || len(back.Police) != 1 {
		t.Errorf("intake from the case: case %q state %s police %d", back.CaseID, back.State, len(back.Police))
	}
	other.do(http.MethodGet, "/api/cases/"+cv.ID+"/intake", nil).want(t, http.StatusForbidden)
	entries, err := h.srv.AuditLog().Case(context.Background(), cv.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Object == "intake" && e.Action == "read" && e.Outcome == "granted"
	}
	if !found {
		t.Errorf("case access log: no read of the intake in %+v", entries)
	}
	refused := 0
	for _, e := range h.auditEntries() {
		if strings.HasPrefix(e.Object, "intake") && e.Outcome == "refused" {
			refused++
		}
	}
	if refused < 3 {
		t.Errorf("refused intake accesses logged: %d, want 3", refused)
	}
}

// TestIntakeSealed: an intake is sealed at rest with a key of its own — the store's backend
// never holds its names or police information in the clear.
func TestIntakeSealed(t *testing.T) {
	h, st := newSealedHarness(t)
	admin, _ := h.account(server.RoleAdmin, "Beheer")
	vt, vtAcc := h.account(server.RoleProfessional, "Vera Triage")
	admin.do(http.MethodPatch, "/api/accounts/"+vtAcc.ID, map[string]any{"intake": true}).want(t, http.StatusOK)
	const canary = "KANARIE-INTAKE"
	var in meeting.Intake
	vt.do(http.MethodPost, "/api/intakes", map[string]any{
		"received": h.clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"reporter": map[string]any{"kind": "neighbour"},
		"persons":  []map[string]any{{"id": "kind", "name": "Kind " + canary, "atRisk": true}},
		"police":   []map[string]any{{"kind": "firearms", "text": "Vuurwapen " + canary}},
		"judgements": map[string]any{"acute": map[string]any{"answer": "yes", "reason": "r"}, "structural": map[string]any{"answer": "no", "reason": "r"},
			"multiProblem": map[string]any{"answer": "no", "reason": "r"}},
	}).want(t, http.StatusCreated).decode(t, &in)
	raw, err := st.Backend.Get(context.Background(), "intakes", in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), canary) || len(raw) == 0 {
		t.Errorf("the stored intake is not sealed: %.120q", raw)
	}
	if b := vt.do(http.MethodGet, "/api/intakes/"+in.ID, nil).want(t, http.StatusOK).body; !strings.Contains(string(b), canary) {
		t.Error("the intake does not read back")
	}
}

// TestIntakeLocalField: on the local-field route the case goes to a local case director (an
// account), who holds it as its chair; the Veilig Thuis professional becomes a professional
// member; without a director the start is refused; an intake closed without a case cannot start
// one.
func TestIntakeLocalField(t *testing.T) {
	h := newHarness(t)
	admin, _ := h.account(server.RoleAdmin, "Beheer")
	vt, vtAcc := h.account(server.RoleProfessional, "Vera Triage")
	wijk, wijkAcc := h.account(server.RoleProfessional, "Wim Wijkteam")
	admin.do(http.MethodPatch, "/api/accounts/"+vtAcc.ID, map[string]any{"intake": true}).want(t, http.StatusOK)
	report := func(multi string) map[string]any {
		return map[string]any{
			"received": h.clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
			"reporter": map[string]any{"kind": "school"},
			"persons":  []map[string]any{{"id": "kind", "name": "Kind", "atRisk": true}, {"id": "moeder", "name": "Moeder", "household": true}},
			"judgements": map[string]any{"acute": map[string]any{"answer": "no", "reason": "r"}, "structural": map[string]any{"answer": "no", "reason": "r"},
				"multiProblem": map[string]any{"answer": multi, "reason": "r"}},
		}
	}
	var in meeting.Intake
	vt.do(http.MethodPost, "/api/intakes", report("yes")).want(t, http.StatusCreated).decode(t, &in)
	if in.Route != meeting.RouteLocalField {
		t.Fatalf("route %s, want local_field", in.Route)
	}
	vt.do(http.MethodPost, "/api/intakes/"+in.ID+"/start", map[string]any{"title": "Gezin"}).want(t, http.StatusBadRequest)
	var cv struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	vt.do(http.MethodPost, "/api/intakes/"+in.ID+"/start", map[string]any{"title": "Gezin", "director": wijkAcc.ID}).want(t, http.StatusCreated).decode(t, &cv)
	if cv.Role != server.CaseRoleProfessional {
		t.Errorf("the Veilig Thuis professional's role: %s, want professional", cv.Role)
	}
	st, _, err := h.live.Load(context.Background(), cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := st.Director(); d == nil || d.ID != "u:"+wijkAcc.ID {
		t.Errorf("director %+v, want the local case director", d)
	}
	var members []map[string]any
	wijk.do(http.MethodGet, "/api/cases/"+cv.ID+"/members", nil).want(t, http.StatusOK).decode(t, &members)
	roles := map[string]any{}
	for _, m := range members {
		roles[m["accountId"].(string)] = m["role"]
	}
	if roles[wijkAcc.ID] != server.CaseRoleChair || roles[vtAcc.ID] != server.CaseRoleProfessional {
		t.Errorf("members: %+v", roles)
	}
	// Closed without a case: nothing starts from it.
	var closed meeting.Intake
	vt.do(http.MethodPost, "/api/intakes", report("no")).want(t, http.StatusCreated).decode(t, &closed)
	if closed.Route != meeting.RouteClose {
		t.Fatalf("all no: route %s, want close", closed.Route)
	}
	vt.do(http.MethodPost, "/api/intakes/"+closed.ID+"/close", map[string]any{"reason": "Niets aan de hand; melder ingelicht"}).want(t, http.StatusOK)
	vt.do(http.MethodPost, "/api/intakes/"+closed.ID+"/route", map[string]any{"route": "local_field", "reason": "toch"}).want(t, http.StatusConflict)
	vt.do(http.MethodPost, "/api/intakes/"+closed.ID+"/start", map[string]any{"title": "Gezin", "director": wijkAcc.ID}).want(t, http.StatusConflict)
}

// TestCreateCaseWithPersons: POST /api/cases takes every person once with both flags — the
// mother one person, at risk and of the household.
func TestCreateCaseWithPersons(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Vera Voorzitter")
	var cv struct {
		ID string `json:"id"`
	}
	chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "Gezin", "persons": []map[string]any{
		{"name": "Janna", "atRisk": true}, {"name": "Moeder", "relation": "moeder", "atRisk": true, "household": true},
		{"name": "Vader", "relation": "vader", "household": true}}}).want(t, http.StatusCreated).decode(t, &cv)
	st, _, err := h.live.Load(context.Background(), cv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Persons) != 3 || len(st.Subjects) != 2 || len(st.Family) != 2 || st.Subjects[1].ID != st.Family[0].ID {
		t.Errorf("persons %+v subjects %+v family %+v", st.Persons, st.Subjects, st.Family)
	}
	chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "Gezin", "persons": []map[string]any{{"name": "Vader", "household": true}}}).want(t, http.StatusBadRequest)
}

// TestDeletingACaseDeletesItsIntake: an intake holds the same people and police information as
// the case it started, so deleting the case (four eyes) deletes the intake with it: its record,
// its key and its place in the team overview; another intake stays.
func TestDeletingACaseDeletesItsIntake(t *testing.T) {
	h, st := newSealedHarness(t)
	admin, _ := h.account(server.RoleAdmin, "Beheer")
	vt, vtAcc := h.account(server.RoleProfessional, "Vera Triage")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	admin.do(http.MethodPatch, "/api/accounts/"+vtAcc.ID, map[string]any{"intake": true}).want(t, http.StatusOK)
	report := func(name string) meeting.Intake {
		var in meeting.Intake
		vt.do(http.MethodPost, "/api/intakes", map[string]any{
			"received": h.clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
			"reporter": map[string]any{"kind": "police"},
			"persons":  []map[string]any{{"id": "kind", "name": name, "atRisk": true, "household": true}},
			"police":   []map[string]any{{"kind": "violence", "text": "Melding over " + name}},
			"judgements": map[string]any{"acute": map[string]any{"answer": "no", "reason": "r"},
				"structural": map[string]any{"answer": "yes", "reason": "r"}},
		}).want(t, http.StatusCreated).decode(t, &in)
		return in
	}
	gone, kept := report("Kind KANARIE-WEG"), report("Kind KANARIE-BLIJFT")
	var cv struct {
		ID string `json:"id"`
	}
	vt.do(http.MethodPost, "/api/intakes/"+gone.ID+"/start", map[string]any{"title": "Gezin"}).want(t, http.StatusCreated).decode(t, &cv)
	vt.do(http.MethodPut, "/api/cases/"+cv.ID+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	ws, _ := vt.connect(t, cv.ID)
	ws.Must("case.close", map[string]any{"reason": "Zorg afgerond"})
	vt.do(http.MethodPost, "/api/cases/"+cv.ID+"/delete", nil).want(t, http.StatusOK)
	pro.do(http.MethodPost, "/api/cases/"+cv.ID+"/delete", nil).want(t, http.StatusOK)

	vt.do(http.MethodGet, "/api/intakes/"+gone.ID, nil).want(t, http.StatusNotFound)
	if b := vt.do(http.MethodGet, "/api/intakes", nil).want(t, http.StatusOK).body; strings.Contains(string(b), gone.ID) || !strings.Contains(string(b), kept.ID) {
		t.Errorf("team overview after the deletion: %s", b)
	}
	ctx := t.Context()
	if _, err := st.Backend.Get(ctx, "intakes", gone.ID); err == nil {
		t.Error("the store still holds the deleted case's intake")
	}
	if destroyed, _ := st.Destroyed(ctx, "intake-"+gone.ID); !destroyed {
		t.Error("the intake's key was not destroyed")
	}
	if b := vt.do(http.MethodGet, "/api/intakes/"+kept.ID, nil).want(t, http.StatusOK).body; !strings.Contains(string(b), "KANARIE-BLIJFT") {
		t.Error("the other intake lost its content")
	}
}
