package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// bucketOrgPolicy holds each organisation's policy: lower-case organisation name → OrgPolicy.
const bucketOrgPolicy = "org-policy"

// OrgPolicy is an organisation's sign-in policy, set by an administrator.
type OrgPolicy struct {
	// Organisation is the name as accounts carry it.
	Organisation string `json:"organisation"`
	// TwoFactor is TwoFactorRequired or TwoFactorOff.
	TwoFactor string `json:"twoFactor"`
	// Set is true when an administrator set it (false: Config.TwoFactor applies).
	Set bool `json:"set"`
	// Updated and UpdatedBy say when and by whom (principal id).
	Updated   time.Time `json:"updated,omitzero"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
}

func orgKey(org string) string { return strings.ToLower(strings.TrimSpace(org)) }

// organisationPolicy returns org's policy, or the configured default.
func (s *Server) organisationPolicy(ctx context.Context, org string) (OrgPolicy, error) {
	b, err := s.kv.Get(ctx, bucketOrgPolicy, orgKey(org))
	if errors.Is(err, kv.ErrNotFound) {
		return OrgPolicy{Organisation: org, TwoFactor: s.cfg.TwoFactor}, nil
	}
	if err != nil {
		return OrgPolicy{}, errUnavailable.WithCause(err)
	}
	var p OrgPolicy
	if err := json.Unmarshal(b, &p); err != nil {
		return OrgPolicy{}, err
	}
	p.Set = true
	return p, nil
}

// SetOrganisationPolicy sets org's second-factor policy (TwoFactorRequired or TwoFactorOff);
// by is the administrator's principal id ("" for wiring such as the demo loader).
func (s *Server) SetOrganisationPolicy(ctx context.Context, org, twoFactor, by string) error {
	if twoFactor != TwoFactorRequired && twoFactor != TwoFactorOff {
		return invalid("Tweede stap moet required of off zijn.", "Second factor must be required or off.")
	}
	if !textOK(strings.TrimSpace(org), 1, 100) {
		return invalid("Ongeldige organisatie.", "Invalid organisation.")
	}
	b, _ := json.Marshal(OrgPolicy{Organisation: strings.TrimSpace(org), TwoFactor: twoFactor, Updated: s.now().UTC(), UpdatedBy: by})
	if err := s.kv.Put(ctx, bucketOrgPolicy, orgKey(org), b); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

// handleListOrganisations lists the organisations of the accounts with their policy
// (administrators).
func (s *Server) handleListOrganisations(c echo.Context) error {
	ctx := c.Request().Context()
	all, err := s.kv.List(ctx, bucketAccounts)
	if err != nil {
		return errUnavailable.WithCause(err)
	}
	seen := map[string]bool{}
	out := []OrgPolicy{}
	for _, v := range all {
		var a Account
		if json.Unmarshal(v, &a) != nil || seen[orgKey(a.Organisation)] {
			continue
		}
		seen[orgKey(a.Organisation)] = true
		p, err := s.organisationPolicy(ctx, a.Organisation)
		if err != nil {
			return err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Organisation < out[j].Organisation })
	if err := s.recordAdmin(c, "organisations", audit.ActionList); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type policyInput struct {
	TwoFactor string `json:"twoFactor"`
}

// handlePutOrganisationPolicy sets an organisation's second-factor policy (administrators).
func (s *Server) handlePutOrganisationPolicy(c echo.Context) error {
	var in policyInput
	if err := bind(c, &in); err != nil {
		return err
	}
	org := c.Param("org")
	a, _ := c.Get(ctxAuth).(*auth)
	if err := s.SetOrganisationPolicy(c.Request().Context(), org, in.TwoFactor, a.Principal.ID); err != nil {
		return err
	}
	if err := s.recordAdmin(c, "organisation/"+org+"/two-factor="+in.TwoFactor, ActionPolicy); err != nil {
		return err
	}
	p, err := s.organisationPolicy(c.Request().Context(), org)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
