package meeting

import (
	"math"
	"testing"
)

// sc is a score for the consensus table: a value (or -1 to abstain) and a role.
type sc struct {
	v    int
	role Role
}

func roundOf(advisory bool, scores ...sc) *Round {
	r := &Round{ID: "r", Status: RoundRevealed, Advisory: advisory, Scores: map[string]map[string]Score{}}
	for i, x := range scores {
		s := Score{Role: x.role, Meaning: "m"}
		if x.v < 0 {
			s.Abstain = true
		} else {
			s.Value = intp(x.v)
		}
		r.Scores["p"+itoa(i)] = map[string]Score{"janna": s}
	}
	return r
}

func pint(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func pfloat(p *float64) any {
	if p == nil {
		return nil
	}
	return math.Round(*p*1000) / 1000
}

// TestConsensus: consensus at T is at least Q counted scores, every one ≥ T; min, max, median,
// mean and spread are shown; abstentions never count; family and network count unless the
// meeting made them advisory (DESIGN "consensus"; paper §3.2, §3.4).
func TestConsensus(t *testing.T) {
	P, F, N := RoleProfessional, RoleFamily, RoleNetwork
	tests := []struct {
		name     string
		q        int
		advisory bool
		scores   []sc
		n        int
		min, max any
		median   any
		mean     any
		spread   any
		c6, c7   bool
	}{
		{"two sixes: direct, not stable", 2, false, []sc{{6, P}, {6, P}}, 2, 6, 6, 6.0, 6.0, 0, true, false},
		{"two sevens: both", 2, false, []sc{{7, P}, {8, P}}, 2, 7, 8, 7.5, 7.5, 1, true, true},
		{"one five breaks it", 2, false, []sc{{6, P}, {9, P}, {5, P}}, 3, 5, 9, 6.0, 6.667, 4, false, false},
		{"below quorum", 2, false, []sc{{8, P}}, 1, 8, 8, 8.0, 8.0, 0, false, false},
		{"quorum 1", 1, false, []sc{{8, P}}, 1, 8, 8, 8.0, 8.0, 0, true, true},
		{"quorum 3 with two scores", 3, false, []sc{{9, P}, {9, P}}, 2, 9, 9, 9.0, 9.0, 0, false, false},
		{"abstentions are not counted", 2, false, []sc{{7, P}, {-1, P}, {7, F}}, 2, 7, 7, 7.0, 7.0, 0, true, true},
		{"abstentions do not make a quorum", 2, false, []sc{{7, P}, {-1, P}, {-1, F}}, 1, 7, 7, 7.0, 7.0, 0, false, false},
		{"only abstentions", 2, false, []sc{{-1, P}, {-1, P}}, 0, nil, nil, nil, nil, nil, false, false},
		{"no scores", 2, false, nil, 0, nil, nil, nil, nil, nil, false, false},
		{"even count: median between the middle two", 2, false, []sc{{2, P}, {7, P}, {3, P}, {6, P}}, 4, 2, 7, 4.5, 4.5, 5, false, false},
		{"odd count: the middle one", 2, false, []sc{{2, P}, {9, P}, {3, P}}, 3, 2, 9, 3.0, 4.667, 7, false, false},
		{"0 and 10 are on the scale", 2, false, []sc{{0, P}, {10, P}}, 2, 0, 10, 5.0, 5.0, 10, false, false},
		{"family counts by default", 2, false, []sc{{6, P}, {6, P}, {3, F}}, 3, 3, 6, 6.0, 5.0, 3, false, false},
		{"network counts by default", 2, false, []sc{{7, P}, {7, P}, {6, N}}, 3, 6, 7, 7.0, 6.667, 1, true, false},
		{"family advisory: shown, not counted", 2, true, []sc{{6, P}, {6, P}, {3, F}}, 2, 6, 6, 6.0, 6.0, 0, true, false},
		{"network advisory: shown, not counted", 2, true, []sc{{7, P}, {7, RoleChair}, {2, N}}, 2, 7, 7, 7.0, 7.0, 0, true, true},
		{"advisory family alone is no quorum", 2, true, []sc{{8, P}, {8, F}, {8, N}}, 1, 8, 8, 8.0, 8.0, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := roundOf(tc.advisory, tc.scores...)
			res := resultFor(r, "janna", tc.q)
			if res.N != tc.n || pint(res.Min) != tc.min || pint(res.Max) != tc.max || pfloat(res.Median) != tc.median ||
				pfloat(res.Mean) != tc.mean || pint(res.Spread) != tc.spread {
				t.Errorf("got n %d min %v max %v median %v mean %v spread %v, want %d %v %v %v %v %v",
					res.N, pint(res.Min), pint(res.Max), pfloat(res.Median), pfloat(res.Mean), pint(res.Spread),
					tc.n, tc.min, tc.max, tc.median, tc.mean, tc.spread)
			}
			if res.Consensus6 != tc.c6 || res.Consensus7 != tc.c7 {
				t.Errorf("consensus: got 6 %v 7 %v, want %v %v", res.Consensus6, res.Consensus7, tc.c6, tc.c7)
			}
			if res.Consensus(tc.q, DirectThreshold) != tc.c6 {
				t.Errorf("Result.Consensus(%d, 6): got %v, want %v", tc.q, !tc.c6, tc.c6)
			}
		})
	}
}

// TestFamilyAdvisorySetting runs the advisory setting through the commands: by default the
// parents' low scores keep the gate closed; in an advisory meeting they are shown, marked
// advisory, and do not count.
func TestFamilyAdvisorySetting(t *testing.T) {
	for _, advisory := range []bool{false, true} {
		name := "counting (default)"
		if advisory {
			name = "advisory"
		}
		t.Run(name, func(t *testing.T) {
			h := newJanna(t)
			h.setUpMeeting("m1", t0, social, mother, aunt)
			if advisory {
				h.do(chair, &SetFamilyAdvisory{Meeting: "m1", Advisory: true, Reason: "Ouders scoren nu vooral hun schuldgevoel."})
			}
			rid := h.openRound("m1")
			h.scores(rid, all(6), chair, social)
			h.scores(rid, all(3), mother)
			h.scores(rid, all(4), aunt)
			if direct, _ := h.s.DirectSafety(); direct != advisory {
				t.Errorf("direct safety: got %v, want %v", direct, advisory)
			}
			if got := h.round("m1", rid).Advisory; got != advisory {
				t.Errorf("round advisory: got %v, want %v", got, advisory)
			}
			cv := View(h.s, Viewer{ID: mother.ID, Role: RoleFamily})
			for _, s := range cv.Current.Rounds[0].Scores {
				want := advisory && (s.Participant == mother.ID || s.Participant == aunt.ID)
				if s.Advisory != want {
					t.Errorf("score of %s shown advisory %v, want %v", s.Participant, s.Advisory, want)
				}
			}
			if n := cv.Current.Rounds[0].Results[0].N; (advisory && n != 2) || (!advisory && n != 4) {
				t.Errorf("counted: got %d", n)
			}
		})
	}
}
