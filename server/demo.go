package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

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
)

// DemoOrganisations are the organisations of the demo accounts; the demo turns the second
// factor off for them.
var DemoOrganisations = []string{"Veilig Thuis", "Huisartsenpraktijk De Linde", "Jeugdgezondheidszorg"}

// LoadDemo loads the Janna case of the vision paper (§3) so a newcomer can try a meeting at
// once: a chair, a GP and a youth nurse account (each with a one-time set-up link printed to out — there is
// no default password), the case with Janna and her mother as the persons whose safety is
// scored, and a first meeting scheduled now. The demo's organisations sign in without a second
// factor (their policy is set to off). It is idempotent: a second run only prints the links of
// accounts that have no password yet.
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
	p := hub.Principal{ID: "u:" + chair.ID, Name: chair.Name, Professional: true, AccountRole: RoleChair, Organisation: chair.Organisation}
	cmds := []meeting.Command{
		&meeting.CreateCase{ID: DemoCaseID, Title: "Gezin van baby Janna (demo)",
			Subjects: []meeting.Subject{{ID: "janna", Name: "Janna"}, {ID: "moeder", Name: "moeder"}},
			Family: []meeting.FamilyMember{{ID: "vader", Name: "Vader", Relation: "vader"}, {ID: "mama", Name: "Moeder", Relation: "moeder"},
				{ID: "tante", Name: "Tante", Relation: "zus van moeder"}}},
		&meeting.ScheduleMeeting{ID: "m1", Title: "Eerste veiligheidsoverleg", At: s.now().UTC()},
	}
	for i, c := range cmds {
		if _, err := s.hub.Execute(ctx, p, DemoCaseID, fmt.Sprintf("demo-%d", i), c); err != nil {
			return fmt.Errorf("demo %s: %w", c.Kind(), err)
		}
	}
	fmt.Fprintf(out, "Demo: casus %q met overleg m1 staat klaar. Log in als %s.\n", DemoCaseID, DemoChairEmail)
	return nil
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
