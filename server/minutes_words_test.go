package server

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// uiWords reads the Dutch texts of the UI (frontend/src/lib/i18n/nl.ts): key → text.
func uiWords(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../frontend/src/lib/i18n/nl.ts")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*'([A-Za-z0-9_.]+)':\s*'((?:[^'\\]|\\.)*)',`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = strings.ReplaceAll(m[2], `\'`, `'`)
	}
	if len(out) < 100 {
		t.Fatalf("read %d texts from nl.ts, want hundreds", len(out))
	}
	return out
}

// printedCodes are the prefixes of meeting.Codes that the minutes print.
var printedCodes = []string{"role", "bottomLineStatus", "agreementStatus", "planKind", "evaluation", "escalation", "research", "chain", "riskCategory", "entryKind"}

// TestMinutesSpeakTheUIsWords: the minutes print every code in the UI's Dutch words — each
// word the minutes use is the text nl.ts has under the same key — and the UI has a Dutch word
// for every code of the domain.
func TestMinutesSpeakTheUIsWords(t *testing.T) {
	ui := uiWords(t)
	for k, w := range minutesWords {
		if ui[k] != w {
			t.Errorf("%s: the minutes say %q, the UI %q", k, w, ui[k])
		}
	}
	for prefix, codes := range meeting.Codes() {
		for _, c := range codes {
			if _, ok := ui[prefix+"."+c]; !ok {
				t.Errorf("nl.ts has no text for %s.%s", prefix, c)
			}
			if slices.Contains(printedCodes, prefix) {
				if _, ok := minutesWords[prefix+"."+c]; !ok {
					t.Errorf("the minutes have no word for %s.%s", prefix, c)
				}
			}
		}
	}
}

// everyCodeCase builds, through the domain, a case whose meeting m2 uses every code the
// minutes print: every role at the table, every bottom-line and agreement status, every plan,
// evaluation, escalation kind, research part and chain, risk category, and every kind of entry
// revised and withdrawn.
func everyCodeCase(t *testing.T) *meeting.State {
	t.Helper()
	st := meeting.NewState()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	n := 0
	vera := meeting.Actor{ID: "u:vera", Name: "Vera", Professional: true, Organisation: "Veilig Thuis"}
	pro := meeting.Actor{ID: "u:piet", Name: "Piet", Professional: true}
	mum := meeting.Actor{ID: "i:mum", Name: "Moeder", InviteRole: meeting.RoleFamily}
	aunt := meeting.Actor{ID: "i:aunt", Name: "Tante", InviteRole: meeting.RoleNetwork}
	guest := meeting.Actor{ID: "i:guest", Name: "Gast", InviteRole: meeting.RoleObserver}
	do := func(a meeting.Actor, c meeting.Command) {
		t.Helper()
		n++
		evs, err := meeting.Decide(st, c, meeting.Context{Actor: a, Now: now, CommandID: "c" + strings.Repeat("x", n%3) + time.Duration(n).String()})
		if err != nil {
			t.Fatalf("%s: %v", c.Kind(), err)
		}
		for _, e := range evs {
			st = meeting.Apply(st, e)
		}
	}
	meet := func(id string) {
		do(vera, &meeting.ScheduleMeeting{ID: id, At: now})
		do(vera, &meeting.StartMeeting{Meeting: id})
		for _, a := range []meeting.Actor{pro, mum, aunt, guest} {
			do(a, &meeting.Join{Meeting: id})
			do(vera, &meeting.Admit{Meeting: id, Participant: a.ID})
		}
		do(vera, &meeting.OpenRound{Meeting: id})
		for _, a := range []meeting.Actor{vera, pro, mum, aunt} {
			for _, s := range []string{"janna", "moeder"} {
				do(a, &meeting.SubmitScore{Round: id + "-r1", Subject: s, Value: intPtr(7), Meaning: "Het gaat goed.", NotHigher: "Nog kort."})
			}
		}
		do(vera, &meeting.RevealRound{Round: id + "-r1"})
	}
	do(vera, &meeting.CreateCase{ID: "c", Title: "Gezin", Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}, {ID: "moeder", Name: "Moeder"}},
		Family: []meeting.FamilyMember{{ID: "vader", Name: "Vader"}}})
	meet("m1")
	codes := meeting.Codes()
	for i, c := range codes["riskCategory"] {
		do(vera, &meeting.AddRiskFactor{RiskFactor: meeting.RiskFactor{ID: "rf" + c, Text: "Risico " + string(rune('A'+i)), Category: c, Priority: i + 1}})
	}
	for i, e := range codes["evaluation"] {
		plan := []string{"care", "recovery"}[i%2]
		do(vera, &meeting.AddGoal{ID: "g" + e, Plan: plan, Member: "vader", Text: "Doel " + string(rune('A'+i)), Priority: i + 1})
	}
	do(vera, &meeting.CloseMeeting{Meeting: "m1"})
	now = now.AddDate(0, 1, 0)
	meet("m2")
	for _, e := range codes["evaluation"] {
		do(vera, &meeting.EvaluateGoal{ID: "g" + e, Outcome: e})
	}
	for i, s := range codes["bottomLineStatus"] {
		do(vera, &meeting.AddBottomLine{ID: "bl" + s, Subjects: []string{"janna"}, Text: "Bodemeis " + string(rune('A'+i))})
		do(vera, &meeting.SetBottomLineStatus{ID: "bl" + s, Status: s})
	}
	do(vera, &meeting.RecordGateReason{Meeting: "m2", Reason: "Janna is veilig."})
	for i, plan := range codes["planKind"] {
		for _, s := range codes["agreementStatus"] {
			id := "ag" + plan + s
			do(vera, &meeting.AddAgreement{ID: id, Plan: plan, Action: "Afspraak " + string(rune('A'+i)), Owner: meeting.Owner{Name: "Tante"},
				Schedule: &meeting.Schedule{Start: "2026-04-02", Every: 7 + i}})
			do(vera, &meeting.SetAgreementStatus{ID: id, Status: s})
		}
	}
	for _, k := range codes["escalation"] {
		do(vera, &meeting.AddEscalation{Escalation: meeting.Escalation{Kind: k, Decision: "Besluit"}})
	}
	for i, part := range codes["research"] {
		do(vera, &meeting.AddResearchPart{ResearchPart: meeting.ResearchPart{Part: part, Chain: codes["chain"][i%len(codes["chain"])], Notes: "Onderzoek"}})
	}
	do(vera, &meeting.ReviseBottomLine{ID: "blopen", Subjects: []string{"janna"}, Text: "Bodemeis bijgesteld"})
	do(vera, &meeting.WithdrawEntry{Entry: "bottom_line", ID: "blmet", Reason: "Gehaald."})
	do(vera, &meeting.ReviseAgreement{ID: "agsafetyopen", Action: "Afspraak bijgesteld", Owner: meeting.Owner{Name: "Tante"}})
	do(vera, &meeting.WithdrawEntry{Entry: "agreement", ID: "agcaredone", Reason: "Klaar."})
	do(vera, &meeting.ReviseGoal{ID: "gachieved", Member: "vader", Text: "Doel bijgesteld", Priority: 1})
	do(vera, &meeting.WithdrawEntry{Entry: "goal", ID: "gadjusted", Reason: "Vervallen."})
	do(vera, &meeting.ReviseRiskFactor{ID: "rfparent", Text: "Risico bijgesteld", Category: "parent", Priority: 1})
	do(vera, &meeting.WithdrawEntry{Entry: "risk_factor", ID: "rfchild", Reason: "Vervallen."})
	do(mum, &meeting.ConfirmPlan{Meeting: "m2"})
	do(vera, &meeting.TransferDirection{To: pro.ID, Reason: "Naar het lokale team."})
	return st
}

func intPtr(v int) *int { return &v }

// TestNoCodeReachesTheMinutes: no code of the domain reaches the minutes untranslated — not
// in the professionals' copy, not in the family's. Every line is printed as is (Minutes).
func TestNoCodeReachesTheMinutes(t *testing.T) {
	st := everyCodeCase(t)
	ui := uiWords(t)
	// A code that is also a Dutch word in the printed text cannot be told apart by the word
	// alone: "met" (gehaald) — it is checked in its context instead.
	dutch := map[string]bool{"met": true}
	var codes []string
	for prefix, cs := range meeting.Codes() {
		for _, c := range cs {
			word := regexp.MustCompile(`\b` + regexp.QuoteMeta(c) + `\b`)
			if !dutch[c] && !word.MatchString(ui[prefix+"."+c]) {
				codes = append(codes, c)
			}
		}
	}
	for _, v := range []meeting.Viewer{
		{ID: "u:vera", Professional: true, Role: meeting.RoleProfessional},
		{ID: "i:mum", Role: meeting.RoleFamily, Meeting: "m2"},
	} {
		lines, _, err := minutesLines(st, "m2", v)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, l := range lines {
			text.WriteString(l.text + "\n")
		}
		s := text.String()
		for _, c := range codes {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(c) + `\b`).MatchString(s) {
				t.Errorf("minutes for %s: the code %q is printed untranslated", v.ID, c)
			}
		}
		if strings.Contains(s, "(met)") || strings.Contains(s, ": met)") {
			t.Errorf("minutes for %s: the status met is printed untranslated", v.ID)
		}
		for _, want := range []string{"Casusregisseur: Piet", "gehouden op", "Iedereen 6 of hoger: ja · Iedereen 7 of hoger: ja",
			"het overleg ging toch verder omdat: Janna is veilig.", "Wat is er veranderd sinds het vorige overleg", "(was: Bodemeis C)",
			"Ingetrokken (bodemeis): Bodemeis A — Gehaald.", "De casus is overgedragen aan Piet", "versie "} {
			if !strings.Contains(s, want) {
				t.Errorf("minutes for %s lack %q:\n%s", v.ID, want, s)
			}
		}
		if pdf, err := Minutes(st, "m2", v); err != nil || len(pdf) < 1000 {
			t.Errorf("minutes PDF for %s: %d bytes, %v", v.ID, len(pdf), err)
		}
	}
}

// TestMinutesReinstatedNoodverband: the minutes say when the noodverband was removed and when
// a round put it back.
func TestMinutesReinstatedNoodverband(t *testing.T) {
	st := meeting.NewState()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	n := 0
	vera := meeting.Actor{ID: "u:vera", Name: "Vera", Professional: true}
	pro := meeting.Actor{ID: "u:piet", Name: "Piet", Professional: true}
	do := func(a meeting.Actor, c meeting.Command) {
		t.Helper()
		n++
		evs, err := meeting.Decide(st, c, meeting.Context{Actor: a, Now: at, CommandID: "c" + time.Duration(n).String(), Defaults: meeting.Policy{Quorum: 2, StableMeetings: 1, StableDays: 1}})
		if err != nil {
			t.Fatalf("%s: %v", c.Kind(), err)
		}
		for _, e := range evs {
			st = meeting.Apply(st, e)
		}
	}
	round := func(id string, v int) {
		do(vera, &meeting.OpenRound{Meeting: "m1"})
		for _, a := range []meeting.Actor{vera, pro} {
			do(a, &meeting.SubmitScore{Round: id, Subject: "janna", Value: intPtr(v), Meaning: "m", NotHigher: "n"})
		}
		do(vera, &meeting.RevealRound{Round: id})
	}
	do(vera, &meeting.CreateCase{ID: "c", Title: "Gezin", Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}}})
	do(vera, &meeting.ScheduleMeeting{ID: "m1", At: at, Agenda: []meeting.ItemKind{meeting.KindRetireSafetyPlan}})
	do(vera, &meeting.StartMeeting{Meeting: "m1"})
	do(pro, &meeting.Join{Meeting: "m1"})
	do(vera, &meeting.Admit{Meeting: "m1", Participant: pro.ID})
	round("m1-r1", 8)
	do(vera, &meeting.RetireSafetyPlan{})
	round("m1-r2", 5)
	lines, _, err := minutesLines(st, "m1", meeting.Viewer{ID: vera.ID, Professional: true, Role: meeting.RoleChair})
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, l := range lines {
		s.WriteString(l.text + "\n")
	}
	for _, want := range []string{"Het noodverband is verwijderd", "Het noodverband is weer aangelegd"} {
		if !strings.Contains(s.String(), want) {
			t.Errorf("minutes lack %q:\n%s", want, s.String())
		}
	}
}
