package server

import (
	"bytes"
	"fmt"
	"strings"
	"time"

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
// words (minutesWords, the same as frontend/src/lib/i18n/nl.ts).
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
	for _, l := range lines {
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
	var out []minutesLine
	add := func(s lineStyle, format string, args ...any) {
		out = append(out, minutesLine{s, fmt.Sprintf(format, args...)})
	}
	p := func(s string) { out = append(out, minutesLine{para, s}) }

	family := aud != meeting.AudienceProfessional
	if family {
		add(h1, "Wat we samen hebben afgesproken")
	} else {
		add(h1, "Notulen — %s", m.Title)
	}
	held := "nog niet gehouden"
	if !m.StartedAt.IsZero() {
		held = "gehouden op " + m.StartedAt.Format("2-1-2006 15:04")
	}
	add(para, "Casus: %s · Overleg: %s · %s (gepland: %s)", st.Title, m.Title, held, m.At.Format("2-1-2006 15:04"))
	if d := view.Case.Director; d != nil {
		p("Casusregisseur: " + joinNonEmpty(", ", d.Name, d.Organisation, prefixed("tel. ", d.Phone)))
	}
	for _, d := range view.Case.Directors {
		if d.Meeting == mid && d.Reason != "" {
			how := "Warme overdracht: het gezin heeft het plan in dit overleg bevestigd."
			if !d.Warm {
				how = "Geen warme overdracht: " + d.WhyNotWarm
			}
			p(fmt.Sprintf("De casus is overgedragen aan %s (%s). %s", d.Name, d.Reason, how))
		}
	}

	add(h2, "Wie waren er")
	for _, pt := range m.Participants {
		if pt.Status == meeting.Admitted || pt.Status == meeting.Left {
			p(fmt.Sprintf("• %s (%s)", pt.Name, word("role", string(pt.Role))))
		}
	}

	subjects := map[string]string{}
	for _, s := range st.Subjects {
		subjects[s.ID] = s.Name
	}
	names := map[string]string{}
	for _, pt := range m.Participants {
		names[pt.ID] = pt.Name
	}
	add(h2, "Veiligheidstaxatie — veiligheidsschaal (%s; %s)", minutesWords["score.low"], minutesWords["score.high"])
	if view.Current.FamilyAdvisory || view.Current.AdvisoryReason != "" {
		p("Cijfers van familie en netwerk waren adviserend (tellen niet mee, behalve die van iemand over zichzelf): " + view.Current.AdvisoryReason)
	}
	for _, r := range view.Current.Rounds {
		if r.Status != meeting.RoundRevealed {
			continue
		}
		add(h3, "Ronde %d", r.Number)
		for _, res := range r.Results {
			p(fmt.Sprintf("%s: laagste %s, hoogste %s, gemiddeld %s — %s · %s",
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
				p(fmt.Sprintf("  %s over %s: %s. (Toelichting alleen voor professionals.)", sc.Name, subjects[sc.Subject], value))
				continue
			}
			p(strings.TrimSpace(fmt.Sprintf("  %s over %s: %s. %s %s", sc.Name, subjects[sc.Subject], value, sc.Meaning, whyNotHigher(sc.NotHigher))))
		}
		if len(r.Missing) > 0 {
			var miss []string
			for _, id := range r.Missing {
				miss = append(miss, names[id])
			}
			p("  Geen score gegeven: " + strings.Join(miss, ", "))
		}
	}
	for _, c := range view.Case.SafetyPlanLog {
		if c.Meeting != mid {
			continue
		}
		if c.Kind == "reinstated" {
			p("Het noodverband is weer aangelegd: een ronde gaf geen consensus over een 6.")
		} else {
			p("Het noodverband is verwijderd: er is stabiele veiligheid.")
		}
	}

	plans := view.Plans
	add(h2, "Bodemeisen")
	for _, b := range plans.BottomLines {
		if b.Withdrawn != nil && b.Withdrawn.Meeting != mid {
			continue
		}
		status := b.History[mid]
		if status == "" {
			status = "open"
		}
		p("• " + b.Text + " (in dit overleg: " + word("bottomLineStatus", status) + ")" + withdrawnText(b.Withdrawn))
	}
	for _, g := range view.Current.GateReasons {
		p("Bodemeis niet gehaald; het overleg ging toch verder omdat: " + g.Reason)
	}
	for _, kind := range []string{"safety", "care", "recovery"} {
		var items []*meeting.Agreement
		for _, a := range plans.Agreements {
			if a.Plan == kind && (a.Withdrawn == nil || a.Withdrawn.Meeting == mid) {
				items = append(items, a)
			}
		}
		if len(items) == 0 {
			continue
		}
		add(h2, "Afspraken %s: wie doet wat en wanneer", strings.ToLower(word("planKind", kind)))
		for _, a := range items {
			p(fmt.Sprintf("• %s — %s (%s)", a.Action, joinNonEmpty(", ", a.Owner.Name, a.When, scheduleText(a.Schedule)), word("agreementStatus", a.Status)) + withdrawnText(a.Withdrawn))
		}
	}
	if len(plans.Goals) > 0 {
		add(h2, "Doelen")
		for _, g := range plans.Goals {
			if g.Withdrawn != nil && g.Withdrawn.Meeting != mid {
				continue
			}
			line := fmt.Sprintf("• %d. %s%s", g.Priority, memberPrefix(st, g.Member), g.Text)
			if e := g.Evaluations[mid]; e != "" {
				line += " (evaluatie: " + word("evaluation", e) + ")"
			}
			p(line + withdrawnText(g.Withdrawn))
		}
	}
	if len(plans.Future) > 0 {
		add(h2, "Toekomstplan: als het weer mis dreigt te gaan")
		for _, f := range plans.Future {
			if f.Withdrawn == nil || f.Withdrawn.Meeting == mid {
				p("• " + joinNonEmpty(" — ", f.WarningSign, f.Action, prefixed("bel ", f.Contact)) + withdrawnText(f.Withdrawn))
			}
		}
	}
	if changes := changedIn(&plans, mid); len(changes) > 0 {
		add(h2, "Wat is er veranderd sinds het vorige overleg")
		for _, c := range changes {
			p("• " + c)
		}
	}
	if len(plans.Facts) > 0 {
		// The view has already left out professionals-only facts for the family's copy.
		add(h2, "Feiten")
		for _, f := range plans.Facts {
			line := "• " + f.Text
			if f.By != "" {
				line += " (" + f.By + ")"
			}
			if f.ProfessionalsOnly && !family {
				line += " [alleen professionals]"
			}
			p(line)
		}
	}
	if !family {
		if len(plans.RiskFactors) > 0 {
			add(h2, "Risicofactoren")
			for _, r := range plans.RiskFactors {
				if r.Withdrawn == nil || r.Withdrawn.Meeting == mid {
					p(fmt.Sprintf("• %d. %s (%s)", r.Priority, r.Text, word("riskCategory", r.Category)) + withdrawnText(r.Withdrawn))
				}
			}
		}
		if len(plans.Escalations) > 0 {
			add(h2, "Opschaling")
			for _, e := range plans.Escalations {
				p("• " + word("escalation", e.Kind) + ": " + joinNonEmpty(" — ", e.Decision, e.Reason, e.Who, e.When))
			}
		}
		if len(plans.Research) > 0 {
			add(h2, "Onderzoeksplan")
			for _, r := range plans.Research {
				p(fmt.Sprintf("• %s (%s): %s", word("research", r.Part), word("chain", r.Chain), r.Notes))
			}
		}
	}
	add(h2, "Besluiten")
	for _, d := range plans.Decisions {
		if d.Meeting == mid {
			p("• " + d.Text)
		}
	}
	var confirmed []string
	for _, c := range plans.Confirmations {
		if c.Meeting == mid {
			confirmed = append(confirmed, fmt.Sprintf("%s (versie %d, %s)", c.Name, c.Version, c.At.Format("2-1-2006 15:04")))
		}
	}
	if len(confirmed) > 0 {
		add(h2, "Akkoord met het plan")
		p("Bevestigd door: " + strings.Join(confirmed, "; "))
	}
	if view.Current.NextAt != nil {
		add(h2, "Volgend overleg")
		p(view.Current.NextAt.Format("2-1-2006 15:04"))
	} else {
		for _, x := range st.Meetings {
			if x.Status == meeting.MeetingScheduled && x.At.After(m.At) {
				add(h2, "Volgend overleg")
				p(x.At.Format("2-1-2006 15:04"))
				break
			}
		}
	}
	return out, m.Title, nil
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
