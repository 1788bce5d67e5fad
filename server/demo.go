package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Demo account e-mail addresses (tafel --demo).
const (
	DemoChairEmail        = "voorzitter@demo.tafel"
	DemoProfessionalEmail = "huisarts@demo.tafel"
	// DemoNurseEmail is the youth nurse of the paper's Janna case: a second professional
	// member, to whom the case can be handed over (warme overdracht).
	DemoNurseEmail = "jeugdverpleegkundige@demo.tafel"
	DemoCaseID     = "janna"
	// DemoWithheldAgreement is the mother's own safety agreement, withheld from the father.
	DemoWithheldAgreement = "ag-moeder"
)

// DemoOrganisations are the organisations of the demo accounts; the demo turns the second
// factor off for them.
var DemoOrganisations = []string{"Veilig Thuis", "Huisartsenpraktijk De Linde", "Jeugdgezondheidszorg"}

// LoadDemo loads the Janna case of the vision paper (§3) so a newcomer can try a meeting at
// once: a chair, a GP and a youth nurse account (each with a one-time set-up link printed to out — there is
// no default password), the case with Janna and her mother (one person, at risk and of the household) as the persons whose safety is
// scored, and a first meeting scheduled now. Before it, a short conversation without the
// father (meeting m0, closed) made the mother's own safety agreement, withheld from the father
// ("niet zichtbaar voor" vader: §3, "in 2e instantie wordt vader hierbij betrokken … als
// moeder hiermee instemt"); agreements need a revealed round of a meeting in progress, so the
// chair and the GP scored it. The demo's organisations sign in without a second factor (their
// policy is set to off). It is idempotent: a second run only prints the links of accounts that
// have no password yet.
func (s *Server) LoadDemo(ctx context.Context, out io.Writer) error {
	for _, org := range DemoOrganisations {
		if err := s.SetOrganisationPolicy(ctx, org, TwoFactorOff, ""); err != nil {
			return err
		}
	}
	chair, err := s.demoAccount(ctx, out, DemoChairEmail, "Vera de Vries", "Veilig Thuis", "casusregisseur", RoleChair)
	if err != nil {
		return err
	}
	if !chair.Intake { // Vera works at Veilig Thuis: she records reports (intake, issue 16)
		chair.Intake = true
		if err := s.putAccount(ctx, chair); err != nil {
			return err
		}
	}
	if _, err := s.demoAccount(ctx, out, DemoProfessionalEmail, "Huib Arts", "Huisartsenpraktijk De Linde", "huisarts", RoleProfessional); err != nil {
		return err
	}
	nurse, err := s.demoAccount(ctx, out, DemoNurseEmail, "Jet de Jong", "Jeugdgezondheidszorg", "jeugdverpleegkundige", RoleProfessional)
	if err != nil {
		return err
	}
	if _, err := s.GetCase(ctx, DemoCaseID); err == nil {
		fmt.Fprintf(out, "Demo: casus %q bestaat al.\n", DemoCaseID)
		return nil
	}
	if gone, err := s.isDeleted(ctx, DemoCaseID); err == nil && gone {
		fmt.Fprintf(out, "Demo: casus %q is verwijderd.\n", DemoCaseID)
		return nil
	}
	if _, err := s.CreateCase(ctx, "Gezin van baby Janna (demo)", chair, DemoCaseID); err != nil {
		return err
	}
	gp, err := s.accountByEmail(ctx, DemoProfessionalEmail)
	if err != nil {
		return err
	}
	if err := s.SetMember(ctx, DemoCaseID, gp, CaseRoleProfessional, chair.ID); err != nil {
		return err
	}
	if err := s.SetMember(ctx, DemoCaseID, nurse, CaseRoleProfessional, chair.ID); err != nil {
		return err
	}
	vera := hub.Principal{ID: "u:" + chair.ID, Name: chair.Name, Professional: true, AccountRole: RoleChair, Organisation: chair.Organisation, Discipline: chair.Discipline}
	huib := hub.Principal{ID: "u:" + gp.ID, Name: gp.Name, Professional: true, AccountRole: RoleProfessional, Organisation: gp.Organisation, Discipline: gp.Discipline}
	now := s.now().UTC()
	score := func(subject string, value int, meaning, notHigher string) *meeting.SubmitScore {
		return &meeting.SubmitScore{Round: "m0-r1", Subject: subject, Value: &value, Meaning: meaning, NotHigher: notHigher}
	}
	steps := []struct {
		by  hub.Principal
		cmd meeting.Command
	}{
		{vera, &meeting.CreateCase{ID: DemoCaseID, Title: "Gezin van baby Janna (demo)",
			// One record per person: the mother is at risk and of the household, once.
			Persons: []meeting.Person{{ID: "janna", Name: "Janna", BirthYear: s.now().Year(), AtRisk: true},
				{ID: "moeder", Name: "Moeder", Relation: "moeder", BirthYear: 1999, AtRisk: true, Household: true},
				{ID: "vader", Name: "Vader", Relation: "vader", Household: true},
				{ID: "tante", Name: "Tante", Relation: "zus van moeder", Household: true}}}},
		// Meeting 0: the case director and the GP with the mother, without the father.
		{vera, &meeting.ScheduleMeeting{ID: "m0", Title: "Gesprek met moeder (zonder vader)", At: now.Add(-2 * 24 * time.Hour),
			Agenda: []meeting.ItemKind{meeting.KindSafetyAgreements}}},
		{vera, &meeting.StartMeeting{Meeting: "m0"}},
		{huib, &meeting.Join{Meeting: "m0"}},
		{vera, &meeting.Admit{Meeting: "m0", Participant: huib.ID}},
		{vera, &meeting.OpenRound{Meeting: "m0"}},
		{vera, score("janna", 2, "Twee gebroken ribben; thuis is het nu niet veilig.", "Er is nog geen plan dat Janna beschermt.")},
		{vera, score("moeder", 3, "Eerder geweld tussen de ouders; moeder is bang.", "Moeder heeft nog geen eigen veiligheidsplan.")},
		{huib, score("janna", 2, "In het ziekenhuis is ze veilig, thuis nog niet.", "De ouders kunnen haar nog niet troosten.")},
		{huib, score("moeder", 3, "Moeder heeft steun van haar zus.", "Haar klachten zijn niet behandeld.")},
		{vera, &meeting.RevealRound{Round: "m0-r1"}}, // the chair reveals (auto-reveal is off)
		{vera, &meeting.AddAgreement{ID: DemoWithheldAgreement, Plan: "safety",
			Action: "Moeder gaat bij dreiging met Janna naar de vrouwenopvang; de casusregisseur heeft het adres.",
			Owner:  meeting.Owner{Name: "Moeder"}, When: "Vanaf nu",
			Withholding: meeting.Withholding{HiddenFrom: []string{"vader"},
				HiddenReason: "Moeder stemt er (nog) niet mee in dat vader dit weet (visiedocument §3)."}}},
		{vera, &meeting.CloseMeeting{Meeting: "m0"}},
		{vera, &meeting.ScheduleMeeting{ID: "m1", Title: "Eerste veiligheidsoverleg", At: now}},
	}
	for i, st := range steps {
		if _, err := s.hub.Execute(ctx, st.by, DemoCaseID, fmt.Sprintf("demo-%d", i), st.cmd); err != nil {
			return fmt.Errorf("demo %s: %w", st.cmd.Kind(), err)
		}
	}
	fmt.Fprintf(out, "Demo: casus %q met overleg m1 staat klaar. Log in als %s.\n", DemoCaseID, DemoChairEmail)
	return nil
}

// about is what the start page may know before anyone signs in: whether this is the demo, and
// then the demo's accounts (their set-up links are printed where the server was started).
type about struct {
	Demo         bool          `json:"demo"`
	DemoAccounts []demoAccount `json:"demoAccounts,omitempty"`
}

type demoAccount struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// handleAbout tells the start page whether this server runs the demo (tafel --demo), so that it
// can say how to sign in: with which address, and that the password is set through the link the
// server printed at its start (there is no default password).
func (s *Server) handleAbout(c echo.Context) error {
	a := about{Demo: s.cfg.Demo}
	if a.Demo {
		a.DemoAccounts = []demoAccount{{DemoChairEmail, RoleChair}, {DemoProfessionalEmail, "huisarts"}, {DemoNurseEmail, "jeugdverpleegkundige"}}
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) demoAccount(ctx context.Context, out io.Writer, email, name, org, discipline, role string) (Account, error) {
	acc, err := s.accountByEmail(ctx, email)
	if err != nil {
		if !errors.Is(err, errNotFound) {
			return Account{}, err
		}
		acc, _, err = s.CreateAccount(ctx, email, name, org, discipline, role)
		if err != nil {
			return Account{}, err
		}
	}
	if !acc.HasPassword {
		link, err := s.setupLink(ctx, acc.ID, nil)
		if err != nil {
			return Account{}, err
		}
		fmt.Fprintf(out, "Demo-account %s (%s): stel een wachtwoord in via\n  %s\n", email, role, link)
	}
	return acc, nil
}

// accountByEmail finds an account by its sign-in name (errNotFound when there is none).
func (s *Server) accountByEmail(ctx context.Context, email string) (Account, error) {
	id, err := s.kv.Get(ctx, bucketEmails, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, kv.ErrNotFound) {
		return Account{}, errNotFound
	}
	if err != nil {
		return Account{}, errUnavailable.WithCause(err)
	}
	a, err := s.getAccount(ctx, string(id))
	if err != nil {
		return Account{}, err
	}
	return a.public(), nil
}
