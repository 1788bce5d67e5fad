package server

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Minutes renders the minutes of meeting mid as a PDF for viewer v (from the domain's one
// rule, meeting.State.SightOf), generated from the log: who was there, each revealed round per
// subject with its explanations, the plans, the facts shared with the table, decisions, and
// the next meeting. Everything comes from v's view of that meeting, so the copy for a family
// member holds only what they may see (no professionals-only fact or explanation, nothing
// withheld from them) and speaks plain Dutch; an invitee gets the minutes of their own
// meeting only.
func Minutes(st *meeting.State, mid string, v meeting.Viewer) ([]byte, error) {
	var m *meeting.Meeting
	for _, x := range st.Meetings {
		if x.ID == mid {
			m = x
		}
	}
	if m == nil || v.Meeting != "" && v.Meeting != mid {
		return nil, meeting.NewError(meeting.CodeNotFound, "Dit overleg bestaat niet.", "This meeting does not exist.")
	}
	aud := v.Audience()
	v.Meeting = mid // the view of this meeting, as v may see it
	view := meeting.View(st, v)
	if view.Current == nil {
		return nil, meeting.NewError(meeting.CodeNotFound, "Dit overleg bestaat niet.", "This meeting does not exist.")
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252 for the core fonts
	pdf.SetTitle(tr("Notulen "+m.Title), false)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	h1 := func(s string) {
		pdf.SetFont("Helvetica", "B", 16)
		pdf.MultiCell(0, 8, tr(s), "", "L", false)
		pdf.Ln(2)
	}
	h2 := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(0, 7, tr(s), "", "L", false)
	}
	p := func(s string) { pdf.SetFont("Helvetica", "", 10); pdf.MultiCell(0, 5, tr(s), "", "L", false) }

	family := aud != meeting.AudienceProfessional
	if family {
		h1("Wat we samen hebben afgesproken")
	} else {
		h1("Notulen — " + m.Title)
	}
	p(fmt.Sprintf("Casus: %s · Overleg: %s · Datum: %s", st.Title, m.Title, m.At.Format("2-1-2006 15:04")))

	h2("Wie waren er")
	for _, pt := range m.Participants {
		if pt.Status == meeting.Admitted || pt.Status == meeting.Left {
			p(fmt.Sprintf("• %s (%s)", pt.Name, roleNL(pt.Role)))
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
	h2("Veiligheidsschaal (0 = direct gevaar, 10 = veiligheid gegarandeerd)")
	for _, r := range view.Current.Rounds {
		if r.Status != meeting.RoundRevealed {
			continue
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.MultiCell(0, 6, tr(fmt.Sprintf("Ronde %d", r.Number)), "", "L", false)
		for _, res := range r.Results {
			line := fmt.Sprintf("%s: laagste %s, hoogste %s, gemiddeld %s — consensus over een 6: %s",
				subjects[res.Subject], intText(res.Min), intText(res.Max), floatText(res.Mean), yesNo(res.Consensus6))
			p(line)
		}
		for _, sc := range r.Scores {
			value := "kan ik niet beoordelen"
			if sc.Value != nil {
				value = fmt.Sprint(*sc.Value)
			}
			if sc.ExplanationWithheld {
				p(fmt.Sprintf("  %s over %s: %s. (Toelichting alleen voor professionals.)", sc.Name, subjects[sc.Subject], value))
				continue
			}
			p(fmt.Sprintf("  %s over %s: %s. %s %s", sc.Name, subjects[sc.Subject], value, sc.Meaning, whyNotHigher(sc.NotHigher)))
		}
		if len(r.Missing) > 0 {
			var miss []string
			for _, id := range r.Missing {
				miss = append(miss, names[id])
			}
			p("  Geen score gegeven: " + strings.Join(miss, ", "))
		}
	}

	plans := view.Plans
	h2("Bodemeisen")
	for _, b := range plans.BottomLines {
		p("• " + b.Text + " (" + statusNL(b.Status) + ")")
	}
	h2("Afspraken: wie doet wat en wanneer")
	for _, a := range plans.Agreements {
		p(fmt.Sprintf("• %s — %s, %s (%s)", a.Action, a.Owner.Name, a.When, statusNL(a.Status)))
	}
	if len(plans.Goals) > 0 {
		h2("Doelen")
		for _, g := range plans.Goals {
			p(fmt.Sprintf("• %d. %s", g.Priority, g.Text))
		}
	}
	if len(plans.Facts) > 0 {
		// The view has already left out professionals-only facts for the family's copy.
		h2("Feiten")
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
			h2("Risicofactoren")
			for _, r := range plans.RiskFactors {
				p(fmt.Sprintf("• %d. %s (%s)", r.Priority, r.Text, r.Category))
			}
		}
		if len(plans.Escalations) > 0 {
			h2("Opschaling")
			for _, e := range plans.Escalations {
				p(fmt.Sprintf("• %s: %s — %s", e.Kind, e.Decision, e.Reason))
			}
		}
		if len(plans.Research) > 0 {
			h2("Onderzoeksplan")
			for _, r := range plans.Research {
				p(fmt.Sprintf("• %s (%s): %s", r.Part, r.Chain, r.Notes))
			}
		}
	}
	h2("Besluiten")
	for _, d := range plans.Decisions {
		if d.Meeting == mid {
			p("• " + d.Text)
		}
	}
	if view.Current != nil && view.Current.ID == mid && view.Current.NextAt != nil {
		h2("Volgend overleg")
		p(view.Current.NextAt.Format("2-1-2006 15:04"))
	} else {
		for _, x := range st.Meetings {
			if x.Status == meeting.MeetingScheduled && x.At.After(m.At) {
				h2("Volgend overleg")
				p(x.At.Format("2-1-2006 15:04"))
				break
			}
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("minutes pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func roleNL(r meeting.Role) string {
	switch r {
	case meeting.RoleChair:
		return "voorzitter"
	case meeting.RoleProfessional:
		return "professional"
	case meeting.RoleFamily:
		return "gezin"
	case meeting.RoleNetwork:
		return "netwerk"
	}
	return "toehoorder"
}

func statusNL(s string) string {
	switch s {
	case "met", "done":
		return "gehaald"
	case "not_met", "not_done":
		return "niet gehaald"
	}
	return "loopt"
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

func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nee"
}

func whyNotHigher(s string) string {
	if s == "" {
		return ""
	}
	return "Waarom niet hoger: " + s
}
