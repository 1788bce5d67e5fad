package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// privacyRoutes registers the routes of the case's life and the family's rights.
func (s *Server) privacyRoutes() {
	s.CaseRoute(http.MethodPost, "/api/cases/:id/delete", CaseRule{Action: audit.ActionDelete, Object: "case"}, s.handleDelete)
	export := CaseRule{Action: "export", Object: "person/:pid/export", Sight: meeting.SightView}
	s.CaseRoute(http.MethodGet, "/api/cases/:id/persons/:pid/export.json", export, s.handleExportJSON)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/persons/:pid/export.pdf", export, s.handleExportPDF)
	s.echo.GET("/api/retention/due", s.handleRetentionDue, s.requireProfessional)
}

// PersonExport is a person's file (inzage and afschrift) as Tafel hands it out: what the case
// holds about them under the visibility rule for that person, and who looked at the case.
type PersonExport struct {
	meeting.PersonFile
	// Made is when the export was made, MadeBy by which professional.
	Made   time.Time `json:"made"`
	MadeBy string    `json:"madeBy"`
	// LookedAt is who looked at the case (from its access log), one line per person.
	LookedAt []LookedAt `json:"lookedAt"`
}

// LookedAt is one person who read or changed the case, as the access log records it.
type LookedAt struct {
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation,omitempty"`
	First        time.Time `json:"first"`
	Last         time.Time `json:"last"`
	Times        int       `json:"times"`
}

// personExport builds the export of person pid of the case in a, made by a's caller.
func (s *Server) personExport(c echo.Context, a CaseAccess) (PersonExport, error) {
	pf, ok := a.State.PersonFile(c.Param("pid"))
	if !ok {
		return PersonExport{}, meeting.NewError(meeting.CodeNotFound, "Deze persoon hoort niet bij de casus.", "This person is not part of the case.")
	}
	entries, err := s.audit.Case(c.Request().Context(), a.CaseID, 0, 0)
	if err != nil {
		return PersonExport{}, errUnavailable.WithCause(err)
	}
	by := map[string]*LookedAt{}
	var order []string
	for _, e := range entries {
		if e.Outcome != audit.OutcomeGranted || e.PrincipalID == "" {
			continue
		}
		l := by[e.PrincipalID]
		if l == nil {
			l = &LookedAt{Name: e.Name, Role: e.Role, Organisation: e.Organisation, First: e.Time}
			by[e.PrincipalID] = l
			order = append(order, e.PrincipalID)
		}
		l.Last = e.Time
		l.Times++
	}
	out := PersonExport{PersonFile: pf, Made: s.now().UTC(), MadeBy: a.Principal.Name, LookedAt: []LookedAt{}}
	for _, id := range order {
		out.LookedAt = append(out.LookedAt, *by[id])
	}
	return out, nil
}

// handleExportJSON returns a person's file as JSON (professional members of the case).
func (s *Server) handleExportJSON(c echo.Context, a CaseAccess) error {
	x, err := s.personExport(c, a)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+exportName(a.CaseID, x.Person.ID)+`.json"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, x)
}

// handleExportPDF returns a person's file as a PDF in plain (B1) Dutch.
func (s *Server) handleExportPDF(c echo.Context, a CaseAccess) error {
	x, err := s.personExport(c, a)
	if err != nil {
		return err
	}
	pdf, err := ExportPDF(x)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+exportName(a.CaseID, x.Person.ID)+`.pdf"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

func exportName(caseID, person string) string {
	return "dossier-" + strings.ReplaceAll(caseID+"-"+person, "/", "_")
}

// ExportPDF renders a person's file as a PDF in plain Dutch (taalniveau B1): short sentences,
// "u", no jargon. What is withheld is not in it; that something is withheld, and how much,
// is.
func ExportPDF(x PersonExport) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(tr("Uw dossier: "+x.Person.Name), false)
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
	date := func(t time.Time) string { return t.Format("2-1-2006") }

	h1("Wat er in Tafel over u staat")
	p(fmt.Sprintf("Dit overzicht is voor %s. Het gaat over de casus \"%s\".", x.Person.Name, x.Case.Title))
	p(fmt.Sprintf("%s heeft dit overzicht gemaakt op %s.", x.MadeBy, date(x.Made)))
	p("U ziet hier wat over u is vastgelegd. Wat over andere mensen gaat, staat er niet in.")

	h2("De overleggen waar u bij was")
	if len(x.Meetings) == 0 {
		p("U was niet bij een overleg.")
	}
	for _, m := range x.Meetings {
		p(fmt.Sprintf("• %s: %s", date(m.At), m.Title))
	}

	corrections := map[meeting.EntryRef]*meeting.Correction{}
	for _, c := range x.Plans.Corrections {
		corrections[c.EntryRef] = c
	}
	statements := map[meeting.EntryRef][]*meeting.Statement{}
	for _, st := range x.Plans.Statements {
		statements[st.EntryRef] = append(statements[st.EntryRef], st)
	}
	entry := func(kind, id, text string) {
		ref := meeting.EntryRef{Kind: kind, Entry: id}
		line := "• " + text
		if c := corrections[ref]; c != nil {
			line += fmt.Sprintf(" (verbeterd op %s)", date(c.At))
		}
		p(line)
		for _, st := range statements[ref] {
			p(fmt.Sprintf("   Eigen verklaring van %s (%s): %s", st.Name, date(st.At), st.Text))
		}
	}

	h2("Uw cijfers en uw uitleg")
	p("Op de veiligheidsschaal betekent 0: er is direct gevaar. 10 betekent: het is helemaal veilig.")
	own, about := 0, 0
	for _, sc := range x.Scores {
		if !sc.Own {
			about++
			continue
		}
		own++
		p(fmt.Sprintf("• %s, %s, ronde %d: u gaf %s een %s.", date(sc.RevealedAt), sc.MeetingTitle, sc.Round, sc.SubjectName, scoreText(sc)))
		if sc.Meaning != "" {
			p("   Uw uitleg: " + sc.Meaning)
		}
		if sc.NotHigher != "" {
			p("   Waarom niet hoger: " + sc.NotHigher)
		}
	}
	if own == 0 {
		p("U heeft geen cijfers gegeven.")
	}
	if about > 0 {
		h2("Cijfers over u")
		for _, sc := range x.Scores {
			if sc.Own {
				continue
			}
			p(fmt.Sprintf("• %s, %s, ronde %d: %s gaf een %s.", date(sc.RevealedAt), sc.MeetingTitle, sc.Round, sc.By, scoreText(sc)))
			switch {
			case sc.ExplanationWithheld:
				p("   De uitleg is alleen voor professionals.")
			case sc.Meaning != "":
				p("   Uitleg: " + sc.Meaning)
			}
		}
	}

	plans := x.Plans
	h2("Afspraken en plannen die u kunt zien")
	n := 0
	for _, b := range plans.BottomLines {
		entry("bottomline", b.ID, "Bodemeis: "+b.Text)
		n++
	}
	for _, a := range plans.Agreements {
		entry("agreement", a.ID, fmt.Sprintf("Afspraak: %s — %s, %s", a.Action, a.Owner.Name, a.When))
		n++
	}
	for _, g := range plans.Goals {
		entry("goal", g.ID, "Doel: "+g.Text)
		n++
	}
	for _, f := range plans.Future {
		entry("future", f.ID, fmt.Sprintf("Toekomstplan: als %s, dan %s (bel %s)", f.WarningSign, f.Action, f.Contact))
		n++
	}
	for _, f := range plans.Facts {
		entry("fact", f.ID, "Feit: "+f.Text)
		n++
	}
	for _, r := range plans.RiskFactors {
		entry("risk", r.ID, "Risico: "+r.Text)
		n++
	}
	for _, d := range plans.Decisions {
		entry("decision", d.ID, "Besluit: "+d.Text)
		n++
	}
	if n == 0 {
		p("Er zijn nog geen afspraken die u kunt zien.")
	}

	h2("Wat niet in dit overzicht staat")
	if x.Withheld.FromPerson == 0 && x.Withheld.ProfessionalsOnly == 0 {
		p("Alles wat over u gaat en wat u mag zien, staat in dit overzicht.")
	}
	if x.Withheld.FromPerson > 0 {
		p(fmt.Sprintf("Er %s %d %s in het dossier die niet voor u zichtbaar %s. Dat is zo afgesproken om iemand te beschermen.",
			plural(x.Withheld.FromPerson, "staat", "staan"), x.Withheld.FromPerson, plural(x.Withheld.FromPerson, "onderdeel", "onderdelen"),
			plural(x.Withheld.FromPerson, "is", "zijn")))
	}
	if x.Withheld.ProfessionalsOnly > 0 {
		p(fmt.Sprintf("Er %s %d %s alleen voor de professionals.", plural(x.Withheld.ProfessionalsOnly, "is", "zijn"),
			x.Withheld.ProfessionalsOnly, plural(x.Withheld.ProfessionalsOnly, "onderdeel", "onderdelen")))
	}
	p("U mag vragen waarom u iets niet ziet.")

	h2("Wie heeft het dossier bekeken")
	for _, l := range x.LookedAt {
		who := l.Name
		if l.Organisation != "" {
			who += ", " + l.Organisation
		}
		p(fmt.Sprintf("• %s (%s): %d keer, van %s tot %s", who, roleText(l.Role), l.Times, date(l.First), date(l.Last)))
	}

	h2("Uw rechten")
	p("Staat er iets niet goed in? Dan mag u vragen om het te verbeteren.")
	p("Bent u het ergens niet mee eens? Dan mag u een eigen verklaring laten toevoegen. Die komt bij het onderdeel te staan.")
	p("U mag vragen om het dossier eerder te vernietigen. Twee professionals beslissen daarover. Soms mag het niet, omdat iemand anders het dossier nodig heeft. U hoort dan waarom.")
	switch life := x.Case.Life; {
	case life.Held:
		p("Het dossier moet nu bewaard blijven, omdat het nodig is voor een procedure.")
	case life.RetainUntil != nil:
		p(fmt.Sprintf("Het dossier wordt bewaard tot %s. Daarna wordt het vernietigd.", date(*life.RetainUntil)))
	default:
		p("De zorg loopt nog. Als de casus wordt gesloten, hoort u hoe lang het dossier bewaard blijft.")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("export pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func scoreText(sc meeting.PersonScore) string {
	if sc.Abstain || sc.Value == nil {
		return "geen cijfer (kan ik niet beoordelen)"
	}
	return fmt.Sprint(*sc.Value)
}

func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

// roleText is an access-log role in plain Dutch.
func roleText(role string) string {
	parts := strings.Split(role, "/")
	names := map[string]string{"chair": "voorzitter", "professional": "professional", "family": "gezin", "network": "netwerk",
		"observer": "toehoorder", "admin": "beheerder", "system": "systeem"}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if n, ok := names[p]; ok {
			p = n
		}
		out = append(out, p)
	}
	return strings.Join(out, ", ")
}
