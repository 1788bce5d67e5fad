package meeting

import (
	"reflect"
	"strings"
	"testing"
)

// TestCreateCase covers case set-up: subjects, family and the policy Q, K, D, with the
// organisation's defaults injected through Context.Defaults (DESIGN "case").
func TestCreateCase(t *testing.T) {
	janna := []Subject{{ID: "janna", Name: "Janna"}}
	tests := []struct {
		name     string
		defaults Policy
		cmd      CreateCase
		want     Policy
		subjects []string
		family   []string
	}{
		{"zero policy takes the organisation's defaults", Policy{Quorum: 3, StableMeetings: 4, StableDays: 14},
			CreateCase{ID: "c1", Title: "Gezin", Subjects: janna}, Policy{3, 4, 14}, []string{"janna"}, nil},
		{"zero defaults fall back to Q 2, K 3, D 28", Policy{},
			CreateCase{ID: "c1", Title: "Gezin", Subjects: janna}, DefaultPolicy, []string{"janna"}, nil},
		{"the case's own policy wins field by field", Policy{Quorum: 3, StableMeetings: 4, StableDays: 14},
			CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Policy: Policy{Quorum: 5}}, Policy{5, 4, 14}, []string{"janna"}, nil},
		{"subjects and family without ids get s1… and f1…", Policy{},
			CreateCase{ID: "c1", Title: "Gezin", Subjects: []Subject{{Name: "Janna"}, {Name: "moeder"}},
				Family: []FamilyMember{{Name: "Vader", Relation: "vader"}}}, DefaultPolicy, []string{"s1", "s2"}, []string{"f1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.policy = tc.defaults
			h.do(chair, &tc.cmd)
			if got := h.s.Policy; got != tc.want {
				t.Errorf("policy: got %+v, want %+v", got, tc.want)
			}
			var subs, fam []string
			for _, s := range h.s.Subjects {
				subs = append(subs, s.ID)
			}
			for _, f := range h.s.Family {
				fam = append(fam, f.ID)
			}
			if !reflect.DeepEqual(subs, tc.subjects) || !reflect.DeepEqual(fam, tc.family) {
				t.Errorf("ids: got subjects %v family %v, want %v %v", subs, fam, tc.subjects, tc.family)
			}
			if h.s.Phase != 1 || h.s.Owner != chair.ID || !h.s.Created {
				t.Errorf("new case: phase %d owner %q created %v, want 1, %q, true", h.s.Phase, h.s.Owner, h.s.Created, chair.ID)
			}
		})
	}
}

func TestCreateCaseRefused(t *testing.T) {
	janna := []Subject{{ID: "janna", Name: "Janna"}}
	many := make([]Subject, 21)
	for i := range many {
		many[i] = Subject{Name: "kind " + itoa(i)}
	}
	tests := []struct {
		name  string
		actor Actor
		cmd   CreateCase
		code  Code
	}{
		{"family cannot create a case", mother, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna}, CodeForbidden},
		{"id with a space", chair, CreateCase{ID: "c 1", Title: "Gezin", Subjects: janna}, CodeInvalid},
		{"empty id", chair, CreateCase{Title: "Gezin", Subjects: janna}, CodeInvalid},
		{"id too long", chair, CreateCase{ID: strings.Repeat("x", 65), Title: "Gezin", Subjects: janna}, CodeInvalid},
		{"blank title", chair, CreateCase{ID: "c1", Title: "  ", Subjects: janna}, CodeInvalid},
		{"title too long", chair, CreateCase{ID: "c1", Title: strings.Repeat("é", 201), Subjects: janna}, CodeInvalid},
		{"title not UTF-8", chair, CreateCase{ID: "c1", Title: "\xff", Subjects: janna}, CodeInvalid},
		{"no subjects", chair, CreateCase{ID: "c1", Title: "Gezin"}, CodeInvalid},
		{"21 subjects", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: many}, CodeInvalid},
		{"subject without a name", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: []Subject{{ID: "janna"}}}, CodeInvalid},
		{"two subjects with one id", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: []Subject{{ID: "a", Name: "A"}, {ID: "a", Name: "B"}}}, CodeConflict},
		{"subject and family member share an id", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Family: []FamilyMember{{ID: "janna", Name: "J"}}}, CodeConflict},
		{"family member without a name", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Family: []FamilyMember{{ID: "v"}}}, CodeInvalid},
		{"relation too long", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Family: []FamilyMember{{ID: "v", Name: "V", Relation: strings.Repeat("r", 201)}}}, CodeInvalid},
		{"quorum 51", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Policy: Policy{Quorum: 51}}, CodeInvalid},
		{"negative K", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Policy: Policy{StableMeetings: -1}}, CodeInvalid},
		{"K 21", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Policy: Policy{StableMeetings: 21}}, CodeInvalid},
		{"D 366", chair, CreateCase{ID: "c1", Title: "Gezin", Subjects: janna, Policy: Policy{StableDays: 366}}, CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.fail(tc.actor, &tc.cmd, tc.code)
		})
	}
	t.Run("a case is created once", func(t *testing.T) {
		h := newJanna(t)
		h.fail(chair, &CreateCase{ID: "c2", Title: "Ander gezin", Subjects: janna}, CodeConflict)
	})
	t.Run("nothing before the case exists", func(t *testing.T) {
		h := newHarness(t)
		h.fail(chair, &ScheduleMeeting{ID: "m1", At: t0}, CodeNotFound)
	})
	t.Run("an unknown sender", func(t *testing.T) {
		h := newHarness(t)
		h.fail(Actor{Name: "niemand", Professional: true}, &CreateCase{ID: "c1", Title: "Gezin", Subjects: janna}, CodeForbidden)
	})
}

func TestAddSubjectAndFamilyMember(t *testing.T) {
	t.Run("the case director adds a subject and a family member", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &AddSubject{Subject{ID: "papa", Name: "vader"}})
		h.do(chair, &AddFamilyMember{FamilyMember{ID: "oma", Name: "Oma", Relation: "grootmoeder"}})
		if got := len(h.s.Subjects); got != 3 || h.s.subject("papa") == nil {
			t.Errorf("subjects: got %d (%+v), want 3 with papa", got, h.s.Subjects)
		}
		if h.s.familyMember("oma") == nil {
			t.Errorf("family: got %+v, want oma", h.s.Family)
		}
	})
	t.Run("ids are generated when missing", func(t *testing.T) {
		h := newJanna(t)
		h.do(chair, &AddSubject{Subject{Name: "broertje"}})
		h.do(chair, &AddFamilyMember{FamilyMember{Name: "Opa"}})
		if got := h.s.Subjects[2].ID; got == "" {
			t.Errorf("generated subject id: got empty")
		}
		if got := h.s.Family[2].ID; got == "" || got == h.s.Subjects[2].ID {
			t.Errorf("generated family id: got %q", got)
		}
	})
	t.Run("the chair of the meeting in progress adds a subject", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		h.do(chair, &HandOver{Meeting: "m1", Participant: social.ID})
		h.do(social, &AddSubject{Subject{ID: "broer", Name: "broer"}})
		h.do(social, &AddFamilyMember{FamilyMember{ID: "oom", Name: "Oom"}})
	})
	refused := []struct {
		name  string
		actor Actor
		cmd   Command
		code  Code
	}{
		{"a professional who is not the case director nor chair", social, &AddSubject{Subject{ID: "x", Name: "X"}}, CodeForbidden},
		{"family cannot add a subject", mother, &AddSubject{Subject{ID: "x", Name: "X"}}, CodeForbidden},
		{"a subject id taken by a subject", chair, &AddSubject{Subject{ID: "janna", Name: "Janna 2"}}, CodeConflict},
		{"a subject id taken by a family member", chair, &AddSubject{Subject{ID: "vader", Name: "vader"}}, CodeConflict},
		{"a subject without a name", chair, &AddSubject{Subject{ID: "x"}}, CodeInvalid},
		{"a family member id taken by a subject", chair, &AddFamilyMember{FamilyMember{ID: "janna", Name: "J"}}, CodeConflict},
		{"a family member with a bad id", chair, &AddFamilyMember{FamilyMember{ID: "o ma", Name: "Oma"}}, CodeInvalid},
		{"a family member's relation too long", chair, &AddFamilyMember{FamilyMember{ID: "oma", Name: "Oma", Relation: strings.Repeat("x", 201)}}, CodeInvalid},
		{"a professional adds a family member", nurse, &AddFamilyMember{FamilyMember{ID: "oma", Name: "Oma"}}, CodeForbidden},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			h.fail(tc.actor, tc.cmd, tc.code)
		})
	}
	t.Run("no subject while a round is open", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, everyone...)
		h.openRound("m1")
		h.fail(chair, &AddSubject{Subject{ID: "x", Name: "X"}}, CodeConflict)
	})
	t.Run("at most 20 subjects", func(t *testing.T) {
		h := newJanna(t)
		for i := 3; i <= 20; i++ {
			h.do(chair, &AddSubject{Subject{ID: "k" + itoa(i), Name: "kind"}})
		}
		h.fail(chair, &AddSubject{Subject{ID: "k21", Name: "kind"}}, CodeInvalid)
	})
}

func TestSetPolicy(t *testing.T) {
	tests := []struct {
		name   string
		actor  Actor
		policy Policy
		code   Code // "" = accepted
	}{
		{"the case director sets Q, K and D", chair, Policy{Quorum: 3, StableMeetings: 2, StableDays: 14}, ""},
		{"D may be 0 (no gap required)", chair, Policy{Quorum: 2, StableMeetings: 3, StableDays: 0}, ""},
		{"Q 0 is out of range", chair, Policy{Quorum: 0, StableMeetings: 3, StableDays: 28}, CodeInvalid},
		{"K 0 is out of range", chair, Policy{Quorum: 2, StableMeetings: 0, StableDays: 28}, CodeInvalid},
		{"D -1 is out of range", chair, Policy{Quorum: 2, StableMeetings: 3, StableDays: -1}, CodeInvalid},
		{"a professional may not", social, Policy{Quorum: 3, StableMeetings: 2, StableDays: 14}, CodeForbidden},
		{"family may not", mother, Policy{Quorum: 3, StableMeetings: 2, StableDays: 14}, CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newJanna(t)
			if tc.code != "" {
				h.fail(tc.actor, &SetPolicy{tc.policy}, tc.code)
				return
			}
			h.do(tc.actor, &SetPolicy{tc.policy})
			if h.s.Policy != tc.policy {
				t.Errorf("policy: got %+v, want %+v", h.s.Policy, tc.policy)
			}
		})
	}
	t.Run("the chair of a meeting who is not the case director may not", func(t *testing.T) {
		h := newJanna(t)
		h.setUpMeeting("m1", t0, social)
		h.do(chair, &HandOver{Meeting: "m1", Participant: social.ID})
		h.fail(social, &SetPolicy{DefaultPolicy}, CodeForbidden)
	})
}
