package server_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
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

// minutesCase is a Janna case whose meeting m1 was held at 07:42 UTC on a winter morning
// (08:42 in Amsterdam): a round of 5s, safety and care agreements (many, so the minutes run
// over pages), a monitoring task and a check-in, the mother's confirmation, and m2 scheduled.
func minutesCase(t *testing.T, agreements int) *meeting.State {
	t.Helper()
	st := meeting.NewState()
	at := time.Date(2026, 1, 12, 7, 42, 0, 0, time.UTC)
	n := 0
	vera := meeting.Actor{ID: "u:vera", Name: "Vera", Professional: true, Organisation: "Veilig Thuis"}
	huib := meeting.Actor{ID: "u:huib", Name: "Huib", Professional: true, Organisation: "Huisartsenpraktijk", Discipline: "huisarts"}
	mum := meeting.Actor{ID: "i:mum", Name: "Moeder", InviteRole: meeting.RoleFamily}
	do := func(a meeting.Actor, c meeting.Command) {
		t.Helper()
		n++
		evs, err := meeting.Decide(st, c, meeting.Context{Actor: a, Now: at, CommandID: "c" + strconv.Itoa(n)})
		if err != nil {
			t.Fatalf("%s: %v", c.Kind(), err)
		}
		for _, e := range evs {
			st = meeting.Apply(st, e)
		}
	}
	five := 5
	do(vera, &meeting.CreateCase{ID: "c", Title: "Gezin", Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}},
		Family: []meeting.FamilyMember{{ID: "mama", Name: "Moeder", Relation: "moeder"}}})
	do(vera, &meeting.ScheduleMeeting{ID: "m1", Title: "Eerste overleg", At: at})
	do(vera, &meeting.StartMeeting{Meeting: "m1"})
	for _, a := range []meeting.Actor{huib, mum} {
		do(a, &meeting.Join{Meeting: "m1"})
		do(vera, &meeting.Admit{Meeting: "m1", Participant: a.ID, Person: map[string]string{mum.ID: "mama"}[a.ID]})
	}
	do(vera, &meeting.OpenRound{Meeting: "m1"})
	for _, a := range []meeting.Actor{vera, huib, mum} {
		do(a, &meeting.SubmitScore{Round: "m1-r1", Subject: "janna", Value: &five, Meaning: "Het gaat beter.", NotHigher: "Nog niet elke dag."})
	}
	do(vera, &meeting.RevealRound{Round: "m1-r1"})
	for i := range agreements {
		do(vera, &meeting.AddAgreement{ID: "ag" + strconv.Itoa(i), Plan: "safety", Action: "Veiligheidsafspraak " + strconv.Itoa(i) + ": tante komt elke avond langs.", Owner: meeting.Owner{Name: "Tante"}})
	}
	do(vera, &meeting.PlanMonitoring{MonitoringTask: meeting.MonitoringTask{ID: "mt1", What: "Contact met moeder", Owner: meeting.Owner{Name: "Vera"}, Schedule: meeting.Schedule{Start: "2026-01-12", Every: 7}}})
	do(vera, &meeting.AddCheckIn{CheckIn: meeting.CheckIn{Date: "2026-01-12", By: "Vera", Task: "mt1", HowItWorked: "Moeder belde zelf."}})
	do(mum, &meeting.ConfirmPlan{Meeting: "m1"})
	do(vera, &meeting.ScheduleMeeting{ID: "m2", At: at.AddDate(0, 0, 14)})
	return st
}

// pdfPages returns, per page of the PDF, its text lines and whether each was set in the bold
// font (headings are bold; the first line of the minutes, the title, is).
func pdfPages(t *testing.T, pdf []byte) [][]pdfLine {
	t.Helper()
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\nendstream`)
	token := regexp.MustCompile(`/F([0-9a-f]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj`)
	var pages [][]pdfLine
	bold := ""
	for _, m := range streams.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(b, []byte(")Tj")) {
			continue
		}
		var page []pdfLine
		font := ""
		for _, tk := range token.FindAllSubmatch(b, -1) {
			if tk[1] != nil {
				font = string(tk[1])
				continue
			}
			if bold == "" {
				bold = font
			}
			text := regexp.MustCompile(`\\(.)`).ReplaceAllString(string(tk[2]), "$1")
			page = append(page, pdfLine{text: text, bold: font == bold})
		}
		pages = append(pages, page)
	}
	return pages
}

type pdfLine struct {
	text string
	bold bool
}

// TestMinutesSpeakLocalTimeAndKeepTheirShape: the minutes PDF says 08:42 where the log holds
// 07:42 UTC; has the conclusion on direct and stable safety, the safety plan's agreements and
// monitoring under the safety plan, the mother's confirmation and the next meeting; prints no
// empty heading (no recovery plan, no decisions); and no page ends in a heading, however long
// the safety plan (its length moves every later heading down the pages).
func TestMinutesSpeakLocalTimeAndKeepTheirShape(t *testing.T) {
	chair := meeting.Viewer{ID: "u:vera", Professional: true, Role: meeting.RoleChair}
	for n := 20; n <= 60; n++ {
		pdf, err := server.Minutes(minutesCase(t, n), "m1", chair)
		if err != nil {
			t.Fatal(err)
		}
		pages := pdfPages(t, pdf)
		if len(pages) < 2 {
			t.Fatalf("%d agreements: the minutes fill %d page(s), want more", n, len(pages))
		}
		for i, page := range pages {
			if len(page) > 0 && page[len(page)-1].bold {
				t.Errorf("%d agreements: page %d ends in the heading %q", n, i+1, page[len(page)-1].text)
			}
		}
	}
	pdf, err := server.Minutes(minutesCase(t, 30), "m1", chair)
	if err != nil {
		t.Fatal(err)
	}
	var all []pdfLine
	for _, page := range pdfPages(t, pdf) {
		all = append(all, page...)
	}
	var text strings.Builder
	for _, l := range all {
		text.WriteString(l.text + "\n")
	}
	s := text.String()
	for _, want := range []string{"gehouden op 12-1-2026 08:42", "Directe veiligheid: nee", "Stabiele veiligheid: nee",
		"Veiligheidsplan", "Monitoring: wie houdt wat in de gaten", "Contact met moeder", "Moeder belde zelf.",
		"Akkoord van het gezin met het plan", "Bevestigd door: Moeder (versie", "Volgend overleg", "26-1-2026 08:42",
		"Moeder (familie, Moeder, moeder)", "Huib (huisarts, Huisartsenpraktijk)", "Vera (voorzitter, Veilig Thuis)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the minutes lack %q:\n%s", want, s)
		}
	}
	for _, not := range []string{"07:42", "Herstelplan", "Besluiten", "Opschaling", "Feiten", "Toekomstplan", "Hulpverleningsplan"} {
		if strings.Contains(s, not) {
			t.Errorf("the minutes hold %q (UTC, or an empty heading):\n%s", not, s)
		}
	}
	if i, j := strings.Index(s, "Veiligheidsplan"), strings.Index(s, "Veiligheidsafspraak 0"); i < 0 || j < i {
		t.Error("the safety agreements are not under the safety plan")
	}
}
