package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// openSealedStore opens a bbolt store in dir with case content sealed, as cmd/tafel wires it.
func openSealedStore(t *testing.T, dir string) *sealedstore.Store {
	t.Helper()
	b, err := boltstore.Open(filepath.Join(dir, "tafel.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sealedstore.OpenFileKeys(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := sealedstore.ParseMasterKeys(strings.Repeat("5a", 32))
	st, err := sealedstore.New(context.Background(), b, sealedstore.Options{Keys: keys, Master: m, CaseOf: server.CaseOfKV})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newSealedHarness starts a server on a sealed store whose cases are due for deletion as soon
// as they are closed (retention 0 years, age 0), with invitees' names sealed in the access log.
func newSealedHarness(t *testing.T, opts ...harnessOpt) (*harness, *sealedstore.Store) {
	t.Helper()
	st := openSealedStore(t, t.TempDir())
	clock := newClock()
	opts = append([]harnessOpt{func(o *server.Options) {
		o.Config.Privacy.Retention = map[string]meeting.RetentionRule{"default": {}}
		o.Audit = server.NewAuditLog(st, st, clock.Now)
	}}, opts...)
	return startServer(t, st, clock, opts...), st
}

// jannaCase creates a Janna case holding canary in every name, with meeting m1 started.
func jannaCase(t *testing.T, chair *client, canary string) (string, *wstest.Client) {
	t.Helper()
	var cv caseView
	chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "Casus " + canary,
		"subjects": []map[string]string{{"id": "janna", "name": "Janna " + canary}, {"id": "moeder", "name": "Moeder " + canary}},
		"family":   []map[string]string{{"id": "vader", "name": "Vader " + canary, "relation": "vader"}}}).want(t, http.StatusCreated).decode(t, &cv)
	ws, _ := chair.connect(t, cv.ID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "title": "Overleg " + canary, "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	return cv.ID, ws
}

// joinAs redeems an invitation to m1 of caseID as name and has the chair admit them, linked
// to person.
func joinAs(t *testing.T, h *harness, chair *client, chairWS *wstest.Client, caseID, name, person string) (*client, *wstest.Client, string) {
	t.Helper()
	c := h.client()
	var me struct {
		ID string `json:"id"`
	}
	c.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": invite(t, chair, caseID, name, "family").code()}).want(t, http.StatusOK).decode(t, &me)
	ws, _ := c.connect(t, caseID)
	ws.Must("participant.join", map[string]any{"meeting": "m1"})
	chairWS.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID, "person": person})
	return c, ws, me.ID
}

// TestDeletionLeavesNoCopy: a case is closed, its deletion approved by two professionals, and
// then nothing of it is in any API answer, its connections end, its records and key are gone
// from the store; the access log keeps its entries, whole, with the case's pseudonym for its
// people; another case is untouched.
func TestDeletionLeavesNoCopy(t *testing.T) {
	h, st := newSealedHarness(t)
	testDeletionLeavesNoCopy(t, h, h, st)
}

// TestDeletionLeavesNoCopyOnRedis: the same on two instances sharing one Redis; the sockets
// are on the instance that did not delete the case.
func TestDeletionLeavesNoCopyOnRedis(t *testing.T) {
	hs, sts := sealedRedisInstances(t, 2)
	testDeletionLeavesNoCopy(t, hs[0], hs[1], sts[0])
}

// sealedRedisInstances starts n instances of one site on one real Redis, each with its own
// sealed store on it (the case keys in that Redis), cases due for deletion once closed.
func sealedRedisInstances(t *testing.T, n int) ([]*harness, []*sealedstore.Store) {
	t.Helper()
	rs := redistest.Start(t)
	clock := newClock()
	m, _ := sealedstore.ParseMasterKeys(strings.Repeat("6b", 32))
	var hs []*harness
	var sts []*sealedstore.Store
	for range n {
		b, err := redisstore.New(context.Background(), redisstore.Options{URL: rs.URL(), Prefix: "t"})
		if err != nil {
			t.Fatal(err)
		}
		st, err := sealedstore.New(context.Background(), b, sealedstore.Options{Keys: sealedstore.KVKeys{KV: b}, Master: m, CaseOf: server.CaseOfKV})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		opts := []harnessOpt{func(o *server.Options) {
			o.Config.Privacy.Retention = map[string]meeting.RetentionRule{"default": {}}
			o.Audit = server.NewAuditLog(st, st, clock.Now)
		}}
		if len(hs) > 0 {
			opts = append(opts, sameSite(hs[0]))
		}
		hs = append(hs, startServer(t, st, clock, opts...))
		sts = append(sts, st)
	}
	return hs, sts
}

// on is c's session on instance h of the same site.
func on(h *harness, c *client) *client {
	o := h.client()
	o.setCookie(c.cookie())
	return o
}

func testDeletionLeavesNoCopy(t *testing.T, h, other *harness, st *sealedstore.Store) {
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	pro, proAcc := h.account(server.RoleProfessional, "Piet Huisarts")
	admin, _ := h.account(server.RoleAdmin, "Anne Beheer")
	const canary, other2 = "KANARIE-WEG", "KANARIE-BLIJFT"
	caseA, chairWS := jannaCase(t, on(other, chair), canary)
	caseB, _ := jannaCase(t, chair, other2)
	chair.do(http.MethodPut, "/api/cases/"+caseA+"/members/"+proAcc.ID, map[string]string{"role": "professional"}).want(t, http.StatusNoContent)
	mother, motherWS, _ := joinAs(t, other, chair, chairWS, caseA, "Moeder "+canary, "moeder")
	chairWS.Must("fact.add", map[string]any{"text": "Feit " + canary})
	chairWS.Must("meeting.close", map[string]any{"meeting": "m1"})
	for _, p := range []string{"/view", "/invitations", "/access-log"} {
		if b := chair.do(http.MethodGet, "/api/cases/"+caseA+p, nil).want(t, http.StatusOK).body; !strings.Contains(string(b), canary) {
			t.Fatalf("before deletion %s lacks the canary: the check would see nothing", p)
		}
	}
	// Not closed: not due.
	if e := chair.do(http.MethodPost, "/api/cases/"+caseA+"/delete", nil).want(t, http.StatusConflict).err(t); e.Code != meeting.CodeConflict {
		t.Fatalf("deletion of an open case: %+v", e)
	}
	chairWS.Must("case.close", map[string]any{"reason": "Zorg afgerond"})

	var dv struct {
		Deleted   bool               `json:"deleted"`
		Approvals []meeting.Approval `json:"approvals"`
		Pseudonym string             `json:"pseudonym"`
	}
	chair.do(http.MethodPost, "/api/cases/"+caseA+"/delete", nil).want(t, http.StatusOK).decode(t, &dv)
	if dv.Deleted || len(dv.Approvals) != 1 {
		t.Fatalf("after one approval: %+v", dv)
	}
	chair.do(http.MethodPost, "/api/cases/"+caseA+"/delete", nil).want(t, http.StatusOK).decode(t, &dv)
	if dv.Deleted || len(dv.Approvals) != 1 {
		t.Fatalf("the same professional twice: %+v", dv)
	}
	pro.do(http.MethodPost, "/api/cases/"+caseA+"/delete", nil).want(t, http.StatusOK).decode(t, &dv)
	if !dv.Deleted || !strings.HasPrefix(dv.Pseudonym, "casus-") {
		t.Fatalf("after the second professional: %+v", dv)
	}

	// Open connections end: the chair's (4403) and the mother's (her session revoked).
	for name, ws := range map[string]*wstest.Client{"chair": chairWS, "mother": motherWS} {
		if code := ws.CloseCode(); code != 4403 && code != 4409 {
			t.Errorf("the %s's socket closed with %d, want 4403 or 4409", name, code)
		}
	}

	// No API answer holds anything of the case.
	answers := map[string]response{}
	for who, c := range map[string]*client{"chair": chair, "professional": pro, "mother": mother} {
		for _, p := range []string{"", "/view", "/members", "/invitations", "/access-log", "/meetings/m1/minutes.pdf",
			"/persons/moeder/export.json", "/persons/moeder/export.pdf"} {
			r := c.do(http.MethodGet, "/api/cases/"+caseA+p, nil)
			if r.status == http.StatusOK {
				t.Errorf("%s GET %s: 200 after deletion", who, p)
			}
			answers[who+" GET "+p] = r
		}
		answers[who+" list"] = c.do(http.MethodGet, "/api/cases", nil)
		answers[who+" due"] = c.do(http.MethodGet, "/api/retention/due", nil)
	}
	answers["admin access log"] = admin.do(http.MethodGet, "/api/audit?limit=500", nil).want(t, http.StatusOK)
	for what, r := range answers {
		if strings.Contains(string(r.body), canary) || strings.Contains(string(pdfTextOrRaw(t, r.body)), canary) {
			t.Errorf("%s holds the canary: %.200s", what, r.body)
		}
	}
	// The access log keeps the case's entries, whole, with the pseudonym for the mother.
	var page struct {
		Entries []audit.Entry `json:"entries"`
	}
	answers["admin access log"].decode(t, &page)
	found := 0
	for _, e := range page.Entries {
		if e.CaseID == caseA && strings.HasPrefix(e.PrincipalID, "i:") {
			found++
			if e.Name != dv.Pseudonym || !e.Pseudonymised {
				t.Errorf("an invitee's entry of the deleted case reads %q, want the pseudonym %q", e.Name, dv.Pseudonym)
			}
		}
	}
	if found == 0 {
		t.Fatal("the deleted case's invitee entries are gone from the access log")
	}
	for _, name := range []string{audit.GlobalLog, audit.CaseLog(caseA), audit.CaseLog(caseB)} {
		if r, err := audit.Verify(t.Context(), st, name); err != nil || !r.OK() {
			t.Fatalf("%s after the deletion: %+v, %v", name, r, err)
		}
	}
	// The store holds no record of it and no key; nothing can be written to it again.
	ctx := t.Context()
	if recs, _ := st.Backend.Read(ctx, caseA, 0, 0); len(recs) != 0 {
		t.Fatalf("the store holds %d records of the deleted case", len(recs))
	}
	if gone, _ := st.Destroyed(ctx, caseA); !gone {
		t.Fatal("the case key was not destroyed")
	}
	for _, bucket := range []string{"case-members:" + caseA, "case-invitations:" + caseA} {
		if all, _ := st.Backend.List(ctx, bucket); len(all) != 0 {
			t.Fatalf("%s still holds %d entries", bucket, len(all))
		}
	}
	if _, err := h.live.Execute(ctx, principalOf(chair), caseA, "again", &meeting.AddFact{Text: "x"}); err == nil {
		t.Fatal("a command on the deleted case was accepted")
	}
	// The other case is whole.
	if b := chair.do(http.MethodGet, "/api/cases/"+caseB+"/view", nil).want(t, http.StatusOK).body; !strings.Contains(string(b), other2) {
		t.Fatal("the other case lost its content")
	}
}

// pdfTextOrRaw is the inflated text of a PDF body, or the body itself.
func pdfTextOrRaw(t *testing.T, b []byte) string {
	if strings.HasPrefix(string(b), "%PDF") {
		return pdfText(t, b)
	}
	return string(b)
}

// principalOf is the hub principal of a signed-in professional.
func principalOf(c *client) hub.Principal {
	var me struct {
		ID, Name string
	}
	r := c.do(http.MethodGet, "/api/me", nil)
	_ = json.Unmarshal(r.body, &me)
	return hub.Principal{ID: me.ID, Name: me.Name, Professional: true}
}

// TestExportOfAPerson: a professional exports the mother's file: her explanation is in it,
// the entry withheld from her is not (and is counted), her own statement and the correction
// are, and so is who looked at the case; she cannot export it herself.
func TestExportOfAPerson(t *testing.T) {
	h, _ := newSealedHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID, chairWS := jannaCase(t, chair, "EXPORT")
	mother, motherWS, _ := joinAs(t, h, chair, chairWS, caseID, "Moeder Sanne", "moeder")
	_, fatherWS, _ := joinAs(t, h, chair, chairWS, caseID, "Vader Kees", "vader")
	chairWS.Must("round.open", map[string]any{"meeting": "m1"})
	st, _, _ := h.live.Load(t.Context(), caseID)
	round := st.Meetings[0].Rounds[0].ID
	for _, sub := range []string{"janna", "moeder"} {
		chairWS.Must("score.submit", map[string]any{"round": round, "subject": sub, "value": 3, "meaning": "PROFUITLEG", "notHigher": "x", "professionalsOnly": true})
		motherWS.Must("score.submit", map[string]any{"round": round, "subject": sub, "value": 5, "meaning": "MOEDERUITLEG", "notHigher": "Nog onrustig."})
		fatherWS.Must("score.submit", map[string]any{"round": round, "subject": sub, "value": 4, "meaning": "VADERUITLEG", "notHigher": "-"})
	}
	chairWS.Must("round.reveal", map[string]any{"round": round})
	st, _, _ = h.live.Load(t.Context(), caseID)
	for _, it := range st.Meetings[0].Agenda {
		if it.Kind == "safety_agreements" {
			chairWS.Must("agenda.open", map[string]any{"meeting": "m1", "item": it.ID})
		}
	}
	chairWS.Must("agreement.add", map[string]any{"id": "a1", "plan": "safety", "action": "Vader woont bij GEHEIMADRES.", "owner": map[string]string{"name": "Vader"},
		"hiddenFrom": []string{"moeder"}, "hiddenReason": "veiligheid"})
	chairWS.Must("agreement.add", map[string]any{"id": "a2", "plan": "safety", "action": "Moeder belt DEELAFSPRAAK.", "owner": map[string]string{"name": "Moeder"}})
	chairWS.Must("entry.correct", map[string]any{"kind": "agreement", "entry": "a2", "text": "Moeder belt DEELAFSPRAAK elke week.", "reason": "VERBETERREDEN"})
	motherWS.Must("statement.add", map[string]any{"kind": "agreement", "entry": "a2", "person": "moeder", "text": "EIGENVERKLARING"})

	var x server.PersonExport
	r := chair.do(http.MethodGet, "/api/cases/"+caseID+"/persons/moeder/export.json", nil).want(t, http.StatusOK)
	r.decode(t, &x)
	js := string(r.body)
	for _, want := range []string{"MOEDERUITLEG", "DEELAFSPRAAK elke week", "EIGENVERKLARING", "Carla Voorzitter", "Moeder Sanne"} {
		if !strings.Contains(js, want) {
			t.Errorf("the mother's JSON file lacks %q", want)
		}
	}
	for _, not := range []string{"GEHEIMADRES", "VERBETERREDEN", "PROFUITLEG", "hiddenFrom"} {
		if strings.Contains(js, not) {
			t.Errorf("the mother's JSON file holds %q", not)
		}
	}
	if x.Withheld.FromPerson != 1 || x.Withheld.ProfessionalsOnly != 1 || len(x.Meetings) != 1 {
		t.Errorf("withheld %+v, meetings %d; want 1 withheld from her, 1 professionals-only explanation about her, 1 meeting", x.Withheld, len(x.Meetings))
	}
	pdf := chair.do(http.MethodGet, "/api/cases/"+caseID+"/persons/moeder/export.pdf", nil).want(t, http.StatusOK)
	if ct := pdf.header.Get("Content-Type"); ct != "application/pdf" || pdf.header.Get("Cache-Control") != "no-store" {
		t.Errorf("PDF headers: %v", pdf.header)
	}
	text := pdfText(t, pdf.body)
	for _, want := range []string{"MOEDERUITLEG", "EIGENVERKLARING", "verbeterd op", "niet voor u zichtbaar"} {
		if !strings.Contains(text, want) {
			t.Errorf("the mother's PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "GEHEIMADRES") || strings.Contains(text, "PROFUITLEG") {
		t.Error("the mother's PDF holds what is withheld from her")
	}
	// The father's file lacks nothing of his and holds nothing withheld from him either way.
	fx := chair.do(http.MethodGet, "/api/cases/"+caseID+"/persons/vader/export.json", nil).want(t, http.StatusOK)
	if !strings.Contains(string(fx.body), "GEHEIMADRES") || strings.Contains(string(fx.body), "MOEDERUITLEG") {
		t.Errorf("the father's file: %.300s", fx.body)
	}
	// The mother herself cannot make an export (a professional makes it for her); every try
	// is in the access log.
	mother.do(http.MethodGet, "/api/cases/"+caseID+"/persons/moeder/export.json", nil).want(t, http.StatusForbidden)
	chair.do(http.MethodGet, "/api/cases/"+caseID+"/persons/buurman/export.json", nil).want(t, http.StatusNotFound)
	n := 0
	for _, e := range h.auditEntries() {
		if e.Action == "export" && e.Object == "person/moeder/export" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d access-log entries of exports of the mother's file, want 3", n)
	}
}

// TestRetentionJob: the job lists the cases whose retention ended, runs on one instance at a
// time, and removes access-log entries past the log's retention without breaking the chain.
func TestRetentionJob(t *testing.T) {
	h, st := newSealedHarness(t, func(o *server.Options) { o.Config.Privacy.AccessLogRetention = 24 * time.Hour })
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	done, doneWS := jannaCase(t, chair, "KLAAR")
	open, _ := jannaCase(t, chair, "LOOPT")
	doneWS.Must("meeting.close", map[string]any{"meeting": "m1"})
	doneWS.Must("case.close", map[string]any{"reason": "Zorg afgerond"})
	// A second instance on the same store: of two runs at once, one does the job.
	h2 := startServer(t, st, h.clock, sameSite(h), func(o *server.Options) {
		o.Config.Privacy.Retention = map[string]meeting.RetentionRule{"default": {}}
		o.Audit = server.NewAuditLog(st, st, h.clock.Now)
	})
	var reports [2]server.RetentionReport
	var wg sync.WaitGroup
	for i, s := range []*server.Server{h.srv, h2.srv} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if reports[i], err = s.RetentionOnce(t.Context()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ran := 0
	for _, r := range reports {
		if r.Ran {
			ran++
			if len(r.Due) != 1 || r.Due[0] != done {
				t.Errorf("due: %v, want only %s (not %s)", r.Due, done, open)
			}
		}
	}
	if ran == 0 {
		t.Fatal("neither instance ran the job")
	}
	var due []struct{ ID, Due string }
	chair.do(http.MethodGet, "/api/retention/due", nil).want(t, http.StatusOK).decode(t, &due)
	if len(due) != 1 || due[0].ID != done {
		t.Fatalf("GET /api/retention/due = %+v", due)
	}
	before := len(h.auditEntries())
	h.clock.Advance(49 * time.Hour)
	rep, err := h.srv.RetentionOnce(t.Context())
	if err != nil || !rep.Ran || rep.Trimmed == 0 {
		t.Fatalf("the job two days later: %+v, %v", rep, err)
	}
	after, _ := h.srv.AuditLog().Global(t.Context(), 0, 0)
	if len(after) >= before {
		t.Fatalf("the global log has %d entries, had %d: nothing was removed", len(after), before)
	}
	for _, name := range []string{audit.GlobalLog, audit.CaseLog(done), audit.CaseLog(open)} {
		if r, err := audit.Verify(t.Context(), st, name); err != nil || !r.OK() || r.Anchor == nil {
			t.Fatalf("%s after the log's retention: %+v, %v", name, r, err)
		}
	}
}
