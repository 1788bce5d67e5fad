package server_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
)

// pdfText returns a PDF's bytes with every content stream inflated, so that the text the
// core fonts draw ("(…) Tj") can be searched for.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("got %.20q, want a PDF", pdf)
	}
	// A compressed stream may end in a CR byte: only the LF before endstream is the PDF's.
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\nendstream`)
	var out strings.Builder
	inflated := 0
	last := 0
	for _, m := range streams.FindAllSubmatchIndex(pdf, -1) {
		out.Write(pdf[last:m[0]])
		last = m[1]
		data := pdf[m[2]:m[3]]
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				out.Write(b)
				inflated++
				continue
			}
		}
		out.Write(data)
	}
	out.Write(pdf[last:])
	if inflated == 0 {
		t.Fatal("no content stream of the PDF could be inflated")
	}
	return out.String()
}

// minutesPDF fetches the minutes of meeting mid as c and returns their text.
func minutesPDF(t *testing.T, c *client, caseID, mid string) string {
	t.Helper()
	r := c.do(http.MethodGet, "/api/cases/"+caseID+"/meetings/"+mid+"/minutes.pdf", nil).want(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("got Content-Type %q, want application/pdf", ct)
	}
	return pdfText(t, r.body)
}

// TestProfessionalsOnlyNeverReachFamily adds a professionals-only fact, risk factor,
// research part, escalation and check-in, and searches every frame the family member
// received, the family's view and the family's minutes PDF for them as raw text. What is
// shared with everyone is searched for too, so that the search is known to find text.
func TestProfessionalsOnlyNeverReachFamily(t *testing.T) {
	h := newHarness(t)
	lc := startMeeting(t, h)
	lc.chairWS.Must("round.open", map[string]any{"meeting": "m1"})
	round := lc.chairWS.WaitView(lc.head(t)).Current.Rounds[0].ID
	for _, ws := range []*wstest.Client{lc.chairWS, lc.proWS, lc.familyWS} {
		ws.Must("score.submit", map[string]any{"round": round, "subject": "janna", "value": 7, "meaning": "Er is toezicht.", "notHigher": "Nog kort."})
	}
	lc.chairWS.Must("round.reveal", map[string]any{"round": round})
	if v := lc.chairWS.WaitView(lc.head(t)); v.Current.Rounds[0].Status != "revealed" || !v.Safety.Direct {
		t.Fatalf("got round %+v, direct %v; want a revealed round with direct safety", v.Current.Rounds[0], v.Safety.Direct)
	}

	secret := []string{"GEHEIMFEITVZ", "GEHEIMFEITPRO", "GEHEIMRISICO", "GEHEIMONDERZOEK", "GEHEIMOPSCHALING", "GEHEIMMONITORING"}
	shared := []string{"GEDEELDFEIT", "GEDEELDRISICO", "GEDEELDBODEMEIS"}
	lc.chairWS.Must("fact.add", map[string]any{"text": "Melding " + secret[0] + " van de politie.", "professionalsOnly": true})
	lc.proWS.Must("fact.add", map[string]any{"text": "Huisarts: " + secret[1] + ".", "professionalsOnly": true})
	lc.chairWS.Must("fact.add", map[string]any{"text": "Janna gaat naar de opvang " + shared[0] + "."})
	lc.chairWS.Must("risk.add", map[string]any{"text": "Vader " + secret[2] + ".", "category": "parent", "priority": 1, "professionalsOnly": true})
	lc.chairWS.Must("risk.add", map[string]any{"text": "Moeder " + shared[1] + ".", "category": "parent", "priority": 2})
	lc.chairWS.Must("research.add", map[string]any{"part": "other", "chain": "care", "notes": "Onderzoek " + secret[3] + "."})
	lc.chairWS.Must("escalation.add", map[string]any{"kind": "veilig_thuis_advice", "decision": "Opschalen " + secret[4] + ".", "reason": "Zorg."})
	lc.chairWS.Must("bottomline.add", map[string]any{"id": "bl1", "subjects": []string{"janna"}, "text": "Janna slaapt " + shared[2] + "."})
	lc.proWS.Must("monitoring.add", map[string]any{"date": time.Now().UTC().Format("2006-01-02"), "bottomLine": "bl1", "concerns": "Zorg " + secret[5] + "."})
	last := lc.chairWS.Must("meeting.close", map[string]any{"meeting": "m1"})
	lc.familyWS.WaitView(last)
	lc.proWS.WaitView(last)

	joined := func(frames []wstest.Frame) string {
		var b strings.Builder
		for _, f := range frames {
			b.WriteString(f.Raw)
			b.WriteByte('\n')
		}
		return b.String()
	}
	familyFrames, proFrames := joined(lc.familyWS.Frames()), joined(lc.proWS.Frames())
	var familyView response
	t.Run("family frames", func(t *testing.T) {
		for _, m := range secret {
			if strings.Contains(familyFrames, m) {
				t.Errorf("a frame the family member received holds %s", m)
			}
			if !strings.Contains(proFrames, m) {
				t.Errorf("the professional's frames lack %s", m)
			}
		}
		for _, m := range shared {
			if !strings.Contains(familyFrames, m) {
				t.Errorf("the family member's frames lack the shared %s: the search finds nothing", m)
			}
		}
	})
	t.Run("family view over REST", func(t *testing.T) {
		familyView = lc.family.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusOK)
		proView := lc.pro.do(http.MethodGet, "/api/cases/"+lc.caseID+"/view", nil).want(t, http.StatusOK)
		for _, m := range secret {
			if strings.Contains(string(familyView.body), m) {
				t.Errorf("the family's view holds %s", m)
			}
			if !strings.Contains(string(proView.body), m) {
				t.Errorf("the professional's view lacks %s", m)
			}
		}
		if !strings.Contains(string(familyView.body), shared[0]) {
			t.Errorf("the family's view lacks the shared fact")
		}
	})
	t.Run("family minutes PDF", func(t *testing.T) {
		family := minutesPDF(t, lc.family, lc.caseID, "m1")
		for _, m := range secret {
			if strings.Contains(family, m) {
				t.Errorf("the family's minutes hold %s", m)
			}
		}
		for _, m := range []string{shared[0], shared[2], "Moeder"} {
			if !strings.Contains(family, m) {
				t.Errorf("the family's minutes lack %q: the search finds nothing", m)
			}
		}
	})
	t.Run("professional minutes PDF", func(t *testing.T) {
		for _, c := range []*client{lc.chair, lc.pro} {
			pro := minutesPDF(t, c, lc.caseID, "m1")
			for _, m := range []string{secret[0], secret[1], secret[2], secret[3], secret[4], shared[0]} {
				if !strings.Contains(pro, m) {
					t.Errorf("the professionals' minutes lack %s", m)
				}
			}
		}
	})
}

// TestLobbyInviteeReadsNoProfessionalsOnly: whoever scanned a meeting QR code made with role
// professional and waits in the lobby reads no professionals-only fact over REST (view,
// minutes) until the chair admits them; once admitted as a professional, they do.
func TestLobbyInviteeReadsNoProfessionalsOnly(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseID := newCase(t, chair, "Casus A")
	ws, _ := chair.connect(t, caseID)
	ws.Must("meeting.schedule", map[string]any{"id": "m1", "at": time.Now().UTC()})
	ws.Must("meeting.start", map[string]any{"meeting": "m1"})
	ws.Must("fact.add", map[string]any{"text": "Melding GEHEIMLOBBY.", "professionalsOnly": true})
	var jc createdInvitation
	chair.do(http.MethodPost, "/api/cases/"+caseID+"/meetings/m1/join-code", map[string]string{"role": "professional"}).want(t, http.StatusCreated).decode(t, &jc)
	guest := h.client()
	var me struct {
		ID string `json:"id"`
	}
	guest.do(http.MethodPost, "/api/invitations/redeem", map[string]string{"code": jc.code(), "name": "Onbekende"}).want(t, http.StatusOK).decode(t, &me)
	gws, _ := guest.connect(t, caseID)
	gws.Must("participant.join", map[string]any{"meeting": "m1"})

	view := func() string {
		return string(guest.do(http.MethodGet, "/api/cases/"+caseID+"/view", nil).want(t, http.StatusOK).body)
	}
	if strings.Contains(view(), "GEHEIMLOBBY") {
		t.Error("the guest in the lobby reads a professionals-only fact in the view")
	}
	if r := guest.do(http.MethodGet, "/api/cases/"+caseID+"/meetings/m1/minutes.pdf", nil); r.status != http.StatusForbidden || strings.Contains(string(r.body), "GEHEIMLOBBY") {
		t.Errorf("the guest in the lobby gets the minutes: status %d, want 403", r.status)
	}
	ws.Must("participant.admit", map[string]any{"meeting": "m1", "participant": me.ID})
	if !strings.Contains(view(), "GEHEIMLOBBY") {
		t.Error("the admitted professional guest does not read the professionals-only fact: the check above proves nothing")
	}
}
