package server

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the minutes speak Europe/Amsterdam time, also where the system has no zone data

	"github.com/go-pdf/fpdf"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Minutes renders the minutes of meeting mid as a PDF for viewer v (from the domain's one
// rule, meeting.State.SightOf), generated from the log: the case director, who was there, the
// day the meeting was held, each revealed round per subject with both verdicts (the 6 and the
// 7) and its explanations, the bottom lines' status in this meeting and the chair's reason to
// go on, the plans, what changed since the previous meeting, the noodverband removed or put
// back, facts, decisions, confirmations and the next meeting. Everything comes from v's view
// of that meeting, so the copy for a family member holds only what they may see (no
// professionals-only fact or explanation, nothing withheld from them) and speaks plain Dutch;
// an invitee gets the minutes of their own meeting only. Every code is printed in the UI's
// words (minutesWords, the same as frontend/src/lib/i18n/nl.ts); times are Amsterdam time;
// each plan has its own section (safety: agreements, monitoring, the noodverband; care and
// recovery: agreements and goals), with the conclusion on direct and stable safety and the
// family's confirmations; a heading without text is left out, and a heading is never the last
// line of a page.
func Minutes(st *meeting.State, mid string, v meeting.Viewer) ([]byte, error) {
	lines, title, err := minutesLines(st, mid, v)
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252 for the core fonts
	pdf.SetTitle(tr("Notulen "+title), false)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	bottom = max(bottom, 15)
	for _, l := range lines {
		// A heading keeps its first lines with it: when the heading and two lines of text do
		// not fit on this page any more, it starts the next one.
		if need := map[lineStyle]float64{h2: 3 + 7 + 10, h3: 6 + 10}[l.style]; need > 0 && pdf.GetY()+need > pageH-bottom {
			pdf.AddPage()
		}
		switch l.style {
		case h1:
			pdf.SetFont("Helvetica", "B", 16)
			pdf.MultiCell(0, 8, tr(l.text), "", "L", false)
			pdf.Ln(2)
		case h2:
			pdf.Ln(3)
			pdf.SetFont("Helvetica", "B", 12)
			pdf.MultiCell(0, 7, tr(l.text), "", "L", false)
		case h3:
			pdf.SetFont("Helvetica", "B", 10)
			pdf.MultiCell(0, 6, tr(l.text), "", "L", false)
		default:
			pdf.SetFont("Helvetica", "", 10)
			pdf.MultiCell(0, 5, tr(l.text), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("minutes pdf: %w", err)
	}
	return buf.Bytes(), nil
}

type lineStyle int

const (
	para lineStyle = iota
	h1
	h2
	h3
)

// minutesLine is one line of the minutes, as printed.
type minutesLine struct {
	style lineStyle
	text  string
}

var errNoMeeting = meeting.NewError(meeting.CodeNotFound, "Dit overleg bestaat niet.", "This meeting does not exist.")

// amsterdam is the time zone the minutes speak in: the people at the table read 08:42 where the
// log holds 07:42 UTC. The zone data is embedded (time/tzdata), so a bare container has it too.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic("minutes: no time zone data for Europe/Amsterdam: " + err.Error())
	}
	return loc
}()

// localTime is t as people in the Netherlands read it: "2-1-2006 15:04".
func localTime(t time.Time) string { return t.In(amsterdam).Format("2-1-2006 15:04") }

// minutes builds the lines of the minutes; a heading is printed only when something follows it.
type minutes struct {
	lines []minutesLine
}

func (b *minutes) h(s lineStyle, format string, args ...any) {
	b.lines = append(b.lines, minutesLine{s, fmt.Sprintf(format, args...)})
}

func (b *minutes) p(text string) { b.lines = append(b.lines, minutesLine{para, text}) }

// done drops every heading that no text follows before the next heading of its level or
// higher: the minutes print no empty headings.
func (b *minutes) done() []minutesLine {
	var out []minutesLine
	for i, l := range b.lines {
		if l.style == para || l.style == h1 {
			out = append(out, l)
			continue
		}
		for _, next := range b.lines[i+1:] {
			if next.style == para {
				out = append(out, l)
				break
			}
			if next.style <= l.style && next.style != para {
				break
			}
		}
	}
	return out
}

// minutesLines is the text of the minutes of meeting mid for v, line by line, and the
// meeting's title.
func minutesLines(st *meeting.State, mid string, v meeting.Viewer) ([]minutesLine, string, error) {
	var m *meeting.Meeting
	for _, x := range st.Meetings {
		if x.ID == mid {
			m = x
		}
	}
	if m == nil || v.Meeting != "" && v.Meeting != mid {
		return nil, "", errNoMeeting
	}
	aud := v.Audience()
	v.Meeting = mid // the view of this meeting, as v may see it
	view := meeting.FullView(st, v)
	if view.Current == nil {
		return nil, "", errNoMeeting
	}
	b := &minutes{}
	family := aud != meeting.AudienceProfessional
	minutesHead(b, st, m, view, family)
	minutesPeople(b, st, m)
	minutesRounds(b, st, m, view)
	minutesConclusion(b, st, view)
	minutesBottomLines(b, view)
	minutesPlans(b, st, view, family)
	minutesTail(b, st, m, view, family)
	return b.done(), m.Title, nil
}

func minutesHead(b *minutes, st *meeting.State, m *meeting.Meeting, view meeting.CaseView, family bool) {
	if family {
		b.h(h1, "Wat we samen hebben afgesproken")
	} else {
		b.h(h1, "Notulen — %s", m.Title)
	}
	held := "nog niet gehouden"
	if !m.StartedAt.IsZero() {
		held = "gehouden op " + localTime(m.StartedAt)
	}
	b.p(fmt.Sprintf("Casus: %s · Overleg: %s · %s (gepland: %s)", st.Title, m.Title, held, localTime(m.At)))
	if d := view.Case.Director; d != nil {
		b.p("Casusregisseur: " + joinNonEmpty(", ", d.Name, d.Organisation, prefixed("tel. ", d.Phone)))
	}
	for _, d := range view.Case.Directors {
		if d.Meeting == m.ID && d.Reason != "" {
			how := "Warme overdracht: het gezin heeft het plan in dit overleg bevestigd."
			if !d.Warm {
				how = "Geen warme overdracht: " + d.WhyNotWarm
			}
			b.p(fmt.Sprintf("De casus is overgedragen aan %s (%s). %s", d.Name, d.Reason, how))
		}
	}
}

// minutesPeople lists who was there: name, role in words — a professional's discipline
// ("huisarts") when they have one — and the organisation or the person of the case they are.
func minutesPeople(b *minutes, st *meeting.State, m *meeting.Meeting) {
	b.h(h2, "Wie waren er")
	for _, pt := range m.Participants {
		if pt.Status != meeting.Admitted && pt.Status != meeting.Left {
			continue
		}
		role := word("role", string(pt.Role))
		if pt.Role == meeting.RoleProfessional && strings.TrimSpace(pt.Discipline) != "" {
			role = strings.TrimSpace(pt.Discipline)
		}
		b.p(fmt.Sprintf("• %s (%s)", pt.Name, joinNonEmpty(", ", role, pt.Organisation, personText(st, pt.Person))))
	}
}

// personText names a case person: "Moeder, moeder" for a family member, the name for a subject.
func personText(st *meeting.State, id string) string {
	if id == "" {
		return ""
	}
	for _, f := range st.Family {
		if f.ID == id {
			return joinNonEmpty(", ", f.Name, f.Relation)
		}
	}
	for _, s := range st.Subjects {
		if s.ID == id {
			return s.Name
		}
	}
	return ""
}

func minutesRounds(b *minutes, st *meeting.State, m *meeting.Meeting, view meeting.CaseView) {
	subjects := subjectNames(st)
	names := map[string]string{}
	for _, pt := range m.Participants {
		names[pt.ID] = pt.Name
	}
	b.h(h2, "Veiligheidstaxatie — veiligheidsschaal (%s; %s)", minutesWords["score.low"], minutesWords["score.high"])
	if view.Current.FamilyAdvisory || view.Current.AdvisoryReason != "" {
		b.p("Cijfers van familie en netwerk waren adviserend (tellen niet mee, behalve die van iemand over zichzelf): " + view.Current.AdvisoryReason)
	}
	for _, r := range view.Current.Rounds {
		if r.Status != meeting.RoundRevealed {
			continue
		}
		b.h(h3, "Ronde %d", r.Number)
		for _, res := range r.Results {
			b.p(fmt.Sprintf("%s: laagste %s, hoogste %s, gemiddeld %s — %s · %s",
				subjects[res.Subject], intText(res.Min), intText(res.Max), floatText(res.Mean),
				verdict(6, res.Consensus6), verdict(7, res.Consensus7)))
		}
		for _, sc := range r.Scores {
			value := "kan ik niet beoordelen"
			if sc.Value != nil {
				value = fmt.Sprint(*sc.Value)
			}
			if sc.Advisory {
				value += " (adviserend)"
			}
			if sc.ExplanationWithheld {
				b.p(fmt.Sprintf("  %s over %s: %s. (Toelichting alleen voor professionals.)", sc.Name, subjects[sc.Subject], value))
				continue
			}
			b.p(strings.TrimSpace(fmt.Sprintf("  %s over %s: %s. %s %s", sc.Name, subjects[sc.Subject], value, sc.Meaning, whyNotHigher(sc.NotHigher))))
		}
		if len(r.Missing) > 0 {
			var miss []string
			for _, id := range r.Missing {
				miss = append(miss, names[id])
			}
			b.p("  Geen score gegeven: " + strings.Join(miss, ", "))
		}
	}
}

func subjectNames(st *meeting.State) map[string]string {
	subjects := map[string]string{}
	for _, s := range st.Subjects {
		subjects[s.ID] = s.Name
	}
	return subjects
}

// minutesConclusion says what the meeting concluded on direct safety (consensus on a 6) and on
// stable safety (a 7, meetings in a row), from the meeting's last revealed round.
func minutesConclusion(b *minutes, st *meeting.State, view meeting.CaseView) {
	var last *meeting.RoundView
	for i := range view.Current.Rounds {
		if view.Current.Rounds[i].Status == meeting.RoundRevealed {
			last = &view.Current.Rounds[i]
		}
	}
	b.h(h2, "Conclusie over de veiligheid")
	if last == nil {
		b.p("In dit overleg is geen ronde op de veiligheidsschaal gehouden; er is geen conclusie.")
		return
	}
	subjects := subjectNames(st)
	direct, seven := len(last.Results) > 0, len(last.Results) > 0
	var low []string
	for _, res := range last.Results {
		direct = direct && res.Consensus6
		seven = seven && res.Consensus7
		if !res.Consensus6 {
			low = append(low, subjects[res.Subject]+" (laagste "+intText(res.Min)+")")
		}
	}
	if direct {
		b.p(fmt.Sprintf("Directe veiligheid: ja — in ronde %d gaf iedereen een 6 of hoger.", last.Number))
	} else {
		b.p(fmt.Sprintf("Directe veiligheid: nee — in ronde %d gaf niet iedereen een 6 of hoger: %s. Het veiligheidsplan (noodverband) blijft nodig.", last.Number, strings.Join(low, ", ")))
	}
	k, kk := view.Safety.Streak, view.Case.Policy.StableMeetings
	switch {
	case seven && view.Safety.Stable:
		b.p(fmt.Sprintf("Stabiele veiligheid: ja — %d overleggen op rij iedereen een 7 of hoger.", k))
	case seven:
		b.p(fmt.Sprintf("Stabiele veiligheid: nog niet — iedereen gaf een 7 of hoger; nodig zijn %d overleggen op rij (nu %d).", kk, k))
	default:
		b.p("Stabiele veiligheid: nee — niet iedereen gaf een 7 of hoger.")
	}
}

func minutesBottomLines(b *minutes, view meeting.CaseView) {
	mid := view.Current.ID
	b.h(h2, "Bodemeisen")
	for _, bl := range view.Plans.BottomLines {
		if bl.Withdrawn != nil && bl.Withdrawn.Meeting != mid {
			continue
		}
		status := bl.History[mid]
		if status == "" {
			status = "open"
		}
		b.p("• " + bl.Text + " (in dit overleg: " + word("bottomLineStatus", status) + ")" + withdrawnText(bl.Withdrawn))
	}
	for _, g := range view.Current.GateReasons {
		b.p("Bodemeis niet gehaald; het overleg ging toch verder omdat: " + g.Reason)
	}
}

// minutesPlans prints each plan under its own heading: the safety plan (agreements, monitoring,
// the noodverband), the care plan and the recovery plan (agreements, goals), the future plan.
func minutesPlans(b *minutes, st *meeting.State, view meeting.CaseView, family bool) {
	mid := view.Current.ID
	plans := view.Plans
	for _, kind := range []string{"safety", "care", "recovery"} {
		b.h(h2, "%s", word("planKind", kind))
		b.h(h3, "Afspraken: wie doet wat en wanneer")
		for _, a := range plans.Agreements {
			if a.Plan == kind && (a.Withdrawn == nil || a.Withdrawn.Meeting == mid) {
				b.p(fmt.Sprintf("• %s — %s (%s)", a.Action, joinNonEmpty(", ", a.Owner.Name, a.When, scheduleText(a.Schedule)), word("agreementStatus", a.Status)) + withdrawnText(a.Withdrawn))
			}
		}
		switch kind {
		case "safety":
			minutesMonitoring(b, st, view)
			for _, c := range view.Case.SafetyPlanLog {
				if c.Meeting != mid {
					continue
				}
				b.h(h3, "Noodverband")
				if c.Kind == "reinstated" {
					b.p("Het noodverband is weer aangelegd: een ronde gaf geen consensus over een 6.")
				} else {
					b.p("Het noodverband is verwijderd: er is stabiele veiligheid.")
				}
			}
		case "care", "recovery":
			b.h(h3, "Doelen")
			for _, g := range plans.Goals {
				if g.Plan != kind || (g.Withdrawn != nil && g.Withdrawn.Meeting != mid) {
					continue
				}
				line := fmt.Sprintf("• %d. %s%s", g.Priority, memberPrefix(st, g.Member), g.Text)
				if e := g.Evaluations[mid]; e != "" {
					line += " (evaluatie: " + word("evaluation", e) + ")"
				}
				b.p(line + withdrawnText(g.Withdrawn))
			}
			if kind == "care" && !family {
				b.h(h3, "Risicofactoren")
				for _, r := range plans.RiskFactors {
					if r.Withdrawn == nil || r.Withdrawn.Meeting == mid {
						b.p(fmt.Sprintf("• %d. %s (%s)", r.Priority, r.Text, word("riskCategory", r.Category)) + withdrawnText(r.Withdrawn))
					}
				}
			}
		}
	}
	b.h(h2, "Toekomstplan: als het weer mis dreigt te gaan")
	for _, f := range plans.Future {
		if f.Withdrawn == nil || f.Withdrawn.Meeting == mid {
			b.p("• " + joinNonEmpty(" — ", f.WarningSign, f.Action, prefixed("bel ", f.Contact)) + withdrawnText(f.Withdrawn))
		}
	}
}

// minutesMonitoring: who keeps an eye on what (the tasks) and the check-ins since the meeting
// before this one, up to this meeting's day.
func minutesMonitoring(b *minutes, st *meeting.State, view meeting.CaseView) {
	b.h(h3, "Monitoring: wie houdt wat in de gaten")
	for _, tk := range view.Plans.Tasks {
		if tk.Withdrawn != nil {
			continue
		}
		b.p("• " + joinNonEmpty(" — ", tk.What, tk.Owner.Name, personText(st, tk.Person), scheduleText(&tk.Schedule)))
	}
	m := view.Current
	at := m.At
	if !m.HeldAt.IsZero() {
		at = m.HeldAt
	}
	until := at.In(amsterdam).Format(meeting.Day)
	from := ""
	for _, x := range view.Meetings {
		when := x.At
		if !x.HeldAt.IsZero() {
			when = x.HeldAt
		}
		if x.ID != m.ID && x.Status == meeting.MeetingClosed && when.Before(at) {
			if d := when.In(amsterdam).Format(meeting.Day); d > from {
				from = d
			}
		}
	}
	for _, c := range view.Plans.Monitoring {
		if c.Date > until || (from != "" && c.Date < from) {
			continue
		}
		line := "• " + dayText(c.Date) + ": " + joinNonEmpty(" — ", c.By, c.HowItWorked, prefixed("zorgen: ", c.Concerns))
		if c.PlanNeeded {
			line += " (het veiligheidsplan was nodig)"
		}
		b.p(line)
	}
}

func minutesTail(b *minutes, st *meeting.State, m *meeting.Meeting, view meeting.CaseView, family bool) {
	mid := m.ID
	plans := view.Plans
	if changes := changedIn(&plans, mid); len(changes) > 0 {
		b.h(h2, "Wat is er veranderd sinds het vorige overleg")
		for _, c := range changes {
			b.p("• " + c)
		}
	}
	// The view has already left out professionals-only facts for the family's copy.
	b.h(h2, "Feiten")
	for _, f := range plans.Facts {
		line := "• " + f.Text
		if f.By != "" {
			line += " (" + f.By + ")"
		}
		if f.ProfessionalsOnly && !family {
			line += " [alleen professionals]"
		}
		b.p(line)
	}
	if !family {
		b.h(h2, "Opschaling")
		for _, e := range plans.Escalations {
			b.p("• " + word("escalation", e.Kind) + ": " + joinNonEmpty(" — ", e.Decision, e.Reason, e.Who, e.When))
		}
		b.h(h2, "Onderzoeksplan")
		for _, r := range plans.Research {
			b.p(fmt.Sprintf("• %s (%s): %s", word("research", r.Part), word("chain", r.Chain), r.Notes))
		}
	}
	b.h(h2, "Besluiten")
	for _, d := range plans.Decisions {
		if d.Meeting == mid {
			b.p("• " + d.Text)
		}
	}
	minutesConfirmations(b, st, m, plans)
	b.h(h2, "Volgend overleg")
	if view.Current.NextAt != nil {
		b.p(localTime(*view.Current.NextAt))
	} else {
		for _, x := range st.Meetings {
			if x.Status == meeting.MeetingScheduled && x.At.After(m.At) {
				b.p(localTime(x.At))
				break
			}
		}
	}
}

// minutesConfirmations: who of the family and network confirmed the plan in this meeting (and
// which version), and who at the table did not yet.
func minutesConfirmations(b *minutes, st *meeting.State, m *meeting.Meeting, plans meeting.Plans) {
	b.h(h2, "Akkoord van het gezin met het plan")
	done := map[string]bool{}
	var confirmed []string
	for _, c := range plans.Confirmations {
		if c.Meeting == m.ID {
			done[c.Participant] = true
			confirmed = append(confirmed, fmt.Sprintf("%s (versie %d, %s)", c.Name, c.Version, localTime(c.At)))
		}
	}
	if len(confirmed) > 0 {
		b.p("Bevestigd door: " + strings.Join(confirmed, "; "))
	}
	var not []string
	for _, pt := range m.Participants {
		if (pt.Role == meeting.RoleFamily || pt.Role == meeting.RoleNetwork) && (pt.Status == meeting.Admitted || pt.Status == meeting.Left) && !done[pt.ID] {
			not = append(not, pt.Name)
		}
	}
	if len(not) > 0 {
		b.p("Nog niet bevestigd: " + strings.Join(not, ", ") + ".")
	}
}

// changedIn lists what changed in the plan in meeting mid: entries added, revised ("was: …")
// and withdrawn.
func changedIn(p *meeting.Plans, mid string) []string {
	var out []string
	note := func(what, text string, ch *meeting.Changes) {
		if ch.AddedIn == mid {
			out = append(out, "Nieuw ("+what+"): "+text)
		}
		for _, r := range ch.Revisions {
			if r.Meeting == mid {
				out = append(out, "Bijgesteld ("+what+"): "+text+" (was: "+r.Was+")")
			}
		}
		if ch.Withdrawn != nil && ch.Withdrawn.Meeting == mid {
			out = append(out, "Ingetrokken ("+what+"): "+text+" — "+ch.Withdrawn.Reason)
		}
	}
	for _, b := range p.BottomLines {
		note(word("entryKind", "bottom_line"), b.Text, &b.Changes)
	}
	for _, a := range p.Agreements {
		note(word("entryKind", "agreement"), a.Action, &a.Changes)
	}
	for _, g := range p.Goals {
		note(word("entryKind", "goal"), g.Text, &g.Changes)
	}
	for _, r := range p.RiskFactors {
		note(word("entryKind", "risk_factor"), r.Text, &r.Changes)
	}
	for _, f := range p.Future {
		note(word("entryKind", "future"), f.WarningSign, &f.Changes)
	}
	return out
}

// minutesWords are the Dutch words of every code the minutes print: the UI's words
// (frontend/src/lib/i18n/nl.ts, checked by TestMinutesSpeakTheUIsWords).
var minutesWords = map[string]string{
	"score.low":  "0 = signalen van direct gevaar en grote onveiligheid",
	"score.high": "10 = de veiligheid is gegarandeerd",

	"role.chair":        "voorzitter",
	"role.professional": "professional",
	"role.family":       "familie",
	"role.network":      "netwerk",
	"role.observer":     "waarnemer",

	"bottomLineStatus.open":    "nog open",
	"bottomLineStatus.met":     "gehaald",
	"bottomLineStatus.not_met": "niet gehaald",
	"agreementStatus.open":     "open",
	"agreementStatus.done":     "gedaan",
	"agreementStatus.not_done": "niet gedaan",
	"planKind.safety":          "Veiligheidsplan",
	"planKind.care":            "Hulpverleningsplan",
	"planKind.recovery":        "Herstelplan",
	"evaluation.achieved":      "behaald",
	"evaluation.in_progress":   "bezig",
	"evaluation.not_achieved":  "niet behaald",
	"evaluation.adjusted":      "bijgesteld",

	"escalation.veilig_thuis_advice":     "Advies Veilig Thuis",
	"escalation.veilig_thuis_deployment": "Inzet Veilig Thuis",
	"escalation.child_protection_board":  "Raad voor de Kinderbescherming",
	"escalation.criminal_justice":        "Strafrechtketen (spoedeisende maatregel)",
	"escalation.mda_expertise":           "Expertise MDA++",
	"escalation.compulsory_framework":    "Drang- of dwangkader",
	"research.medical_injury_exam":       "Medisch letselonderzoek",
	"research.fact_finding_interviews":   "Feitenonderzoek (gesprekken)",
	"research.special_police_methods":    "Bijzondere opsporingsmethoden",
	"research.perpetrator_risk_profile":  "Risicoprofiel pleger",
	"research.violence_dynamics":         "Dynamiek van het geweld",
	"research.intrusive_memories":        "Herbelevingen",
	"research.other":                     "Overig",
	"chain.safety_justice":               "Veiligheid en justitie",
	"chain.medical":                      "Medisch",
	"chain.care":                         "Zorg",
	"riskCategory.parent":                "Ouder",
	"riskCategory.child":                 "Kind",
	"riskCategory.parent_child":          "Interactie ouder–kind",
	"riskCategory.partner":               "Partnerrelatie",
	"riskCategory.environment":           "Omgeving en stress",
	"entryKind.bottom_line":              "bodemeis",
	"entryKind.agreement":                "afspraak",
	"entryKind.goal":                     "doel",
	"entryKind.risk_factor":              "risicofactor",
	"entryKind.future":                   "toekomstplan",
	"entryKind.task":                     "monitoringtaak",
	"result.consensusYes":                "Iedereen {threshold} of hoger: ja",
	"result.consensusNo":                 "Iedereen {threshold} of hoger: nee",
	"score.notHigher":                    "Waarom niet één punt hoger?",
}

// word is the Dutch word of a code (prefix.value), or the code itself with spaces — which
// TestMinutesSpeakTheUIsWords makes sure never happens.
func word(prefix, code string) string {
	if w, ok := minutesWords[prefix+"."+code]; ok {
		return w
	}
	return strings.ReplaceAll(code, "_", " ")
}

func verdict(threshold int, ok bool) string {
	key := "result.consensusNo"
	if ok {
		key = "result.consensusYes"
	}
	return strings.ReplaceAll(minutesWords[key], "{threshold}", fmt.Sprint(threshold))
}

func withdrawnText(w *meeting.Withdrawn) string {
	if w == nil {
		return ""
	}
	return " — ingetrokken: " + w.Reason
}

func scheduleText(sc *meeting.Schedule) string {
	if sc == nil {
		return ""
	}
	s := fmt.Sprintf("elke %d dagen vanaf %s", sc.Every, dayText(sc.Start))
	if sc.Until != "" {
		s = fmt.Sprintf("elke %d dagen van %s tot %s", sc.Every, dayText(sc.Start), dayText(sc.Until))
	}
	return s
}

// dayText is a Day as people write it (2-1-2006), or the text itself.
func dayText(d string) string {
	t, err := time.Parse(meeting.Day, d)
	if err != nil {
		return d
	}
	return t.Format("2-1-2006")
}

func memberPrefix(st *meeting.State, id string) string {
	if id == "" {
		return ""
	}
	for _, f := range st.Family {
		if f.ID == id {
			return f.Name + ": "
		}
	}
	for _, s := range st.Subjects {
		if s.ID == id {
			return s.Name + ": "
		}
	}
	return ""
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

func intText(v *int) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprint(*v)
}

func floatText(v *float64) string {
	if v == nil {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f", *v), ".", ",", 1)
}

func whyNotHigher(s string) string {
	if s == "" {
		return ""
	}
	return minutesWords["score.notHigher"] + " " + s
}
