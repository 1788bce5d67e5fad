package meeting

import (
	"sort"
	"strconv"
	"time"
)

// Thresholds on the safety scale (paper §3.2, §3.4).
const (
	// DirectThreshold: consensus on a 6 is direct safety.
	DirectThreshold = 6
	// StableThreshold: a 7, held over K meetings D days apart, is stable safety.
	StableThreshold = 7
)

// Result is the outcome of a revealed round for one subject.
type Result struct {
	Subject string `json:"subject"`
	// N is the number of counted (non-abstaining, non-advisory) scores.
	N      int      `json:"n"`
	Min    *int     `json:"min"`
	Max    *int     `json:"max"`
	Median *float64 `json:"median"`
	Mean   *float64 `json:"mean"`
	Spread *int     `json:"spread"`
	// Consensus6 and Consensus7: at least Q counted scores and every one ≥ 6 (≥ 7).
	Consensus6 bool `json:"consensus6"`
	Consensus7 bool `json:"consensus7"`
}

// Consensus reports consensus at threshold t for a subject: at least q counted scores and
// every one of them ≥ t.
func (r Result) Consensus(q, t int) bool {
	return r.N >= q && r.N > 0 && *r.Min >= t
}

// counts reports whether a score about subject counts toward consensus in a round.
func counts(sc Score, advisory bool, subject string) bool {
	if sc.Abstain || sc.Value == nil {
		return false
	}
	return !sc.advisory(advisory, subject)
}

// advisory reports whether the score about subject is shown but not counted: a family or
// network member's score in an advisory round — never a person at risk's score about
// themselves (the scorer linked to the subject).
func (sc Score) advisory(roundAdvisory bool, subject string) bool {
	return roundAdvisory && sc.Role.familyOrNetwork() && (sc.Person == "" || sc.Person != subject)
}

// resultFor computes one subject's result in a round.
func resultFor(r *Round, subject string, q int) Result {
	var vals []int
	for _, bySubject := range r.Scores {
		if sc, ok := bySubject[subject]; ok && counts(sc, r.Advisory, subject) {
			vals = append(vals, *sc.Value)
		}
	}
	res := Result{Subject: subject, N: len(vals)}
	if len(vals) == 0 {
		return res
	}
	sort.Ints(vals)
	mn, mx := vals[0], vals[len(vals)-1]
	sum := 0
	for _, v := range vals {
		sum += v
	}
	var med float64
	if n := len(vals); n%2 == 1 {
		med = float64(vals[n/2])
	} else {
		med = float64(vals[n/2-1]+vals[n/2]) / 2
	}
	mean := float64(sum) / float64(len(vals))
	spread := mx - mn
	res.Min, res.Max, res.Median, res.Mean, res.Spread = &mn, &mx, &med, &mean, &spread
	res.Consensus6 = res.Consensus(q, DirectThreshold)
	res.Consensus7 = res.Consensus(q, StableThreshold)
	return res
}

// Results computes every subject's result in a round, in subject order.
func (s *State) Results(r *Round) []Result {
	out := make([]Result, 0, len(s.Subjects))
	for _, sub := range s.Subjects {
		out = append(out, resultFor(r, sub.ID, s.Policy.Quorum))
	}
	return out
}

// roundHolds reports whether a round has consensus at t for every subject, and the subjects
// that fail with their lowest counted score.
func (s *State) roundHolds(r *Round, t int) (bool, []SubjectLowest) {
	if r == nil || len(s.Subjects) == 0 {
		var lows []SubjectLowest
		for _, sub := range s.Subjects {
			lows = append(lows, SubjectLowest{ID: sub.ID, Name: sub.Name})
		}
		return false, lows
	}
	ok := true
	var lows []SubjectLowest
	for _, sub := range s.Subjects {
		tl := r.tally(sub.ID)
		if !(tl.n >= s.Policy.Quorum && tl.n > 0 && tl.min >= t) { // Result.Consensus
			ok = false
			low := SubjectLowest{ID: sub.ID, Name: sub.Name}
			if tl.n > 0 {
				mn := tl.min
				low.Min = &mn
			}
			lows = append(lows, low)
		}
	}
	return ok, lows
}

// tally is a subject's counted scores in a round: how many, and the lowest.
type tally struct{ n, min int }

// tallyScores is every subject's tally in r.
func tallyScores(r *Round) map[string]tally {
	out := map[string]tally{}
	for _, bySubject := range r.Scores {
		for subject, sc := range bySubject {
			if !counts(sc, r.Advisory, subject) {
				continue
			}
			tl, seen := out[subject]
			if !seen || *sc.Value < tl.min {
				tl.min = *sc.Value
			}
			tl.n++
			out[subject] = tl
		}
	}
	return out
}

// tally is subject's tally in r: kept since the reveal, else counted now.
func (r *Round) tally(subject string) tally {
	if r.tallies != nil {
		return r.tallies[subject]
	}
	return tallyScores(r)[subject]
}

// DirectSafety reports whether direct safety holds: consensus at 6 for every subject in the
// latest revealed round of the current meeting. The failing subjects come with their lowest
// score.
func (s *State) DirectSafety() (bool, []SubjectLowest) {
	m := s.Current()
	if m == nil {
		return s.roundHolds(nil, DirectThreshold)
	}
	return s.roundHolds(m.lastRevealed(), DirectThreshold)
}

// StableStreak is k of "k of K": going through the meetings with a revealed round in the order
// they were held, a meeting whose final round (for the meeting in progress: its latest
// revealed round) has consensus at 7 for every subject counts; one held less than D days after
// the previous counted one is skipped — it neither counts nor breaks the streak — unless it
// falls below 7; a final round without consensus at 7 starts the count again.
func (s *State) StableStreak() int {
	var held []*Meeting
	for _, m := range s.Meetings {
		if m.lastRevealed() != nil {
			held = append(held, m)
		}
	}
	sort.SliceStable(held, func(i, j int) bool { return held[i].Held().Before(held[j].Held()) })
	k := 0
	var last time.Time
	for _, m := range held {
		if ok, _ := s.roundHolds(m.lastRevealed(), StableThreshold); !ok {
			k = 0
			continue
		}
		if k > 0 && m.Held().Sub(last) < time.Duration(s.Policy.StableDays)*24*time.Hour {
			continue
		}
		k++
		last = m.Held()
	}
	return k
}

// StableSafety reports whether stable safety holds (k ≥ K) and direct safety holds now.
func (s *State) StableSafety() bool {
	direct, _ := s.DirectSafety()
	return direct && s.StableStreak() >= s.Policy.StableMeetings
}

// Lock says why an agenda item is locked.
type Lock struct {
	// Rule is assessment_first, direct_safety, bottom_lines or stable_safety.
	Rule     string          `json:"rule"`
	NL       string          `json:"nl"`
	EN       string          `json:"en"`
	Subjects []SubjectLowest `json:"subjects"`
}

// lockOf returns why an item of meeting m cannot be worked on now, or nil.
// Gate rule 1: nothing but the safety assessment before its first round is revealed.
// Gate rule 2: only safety items while direct safety does not hold.
// Gate rule 2b: only safety items while a bottom line not met in m has no reason (gate.go).
// Gate rule 4: the future plan and retiring the safety plan also need stable safety.
func (s *State) lockOf(m *Meeting, it *AgendaItem) *Lock {
	if it.Kind == KindSafetyAssessment {
		return nil
	}
	if m.lastRevealed() == nil {
		return &Lock{Rule: "assessment_first",
			NL: "Eerst de veiligheidstaxatie: er is in dit overleg nog geen ronde onthuld.",
			EN: "Safety assessment first: no round has been revealed in this meeting yet."}
	}
	if it.Section == SectionSafety {
		return nil
	}
	direct, lows := s.roundHolds(m.lastRevealed(), DirectThreshold)
	if !direct {
		return gateLock("direct_safety", lows,
			"Geen consensus over een 6 (directe veiligheid) — ", "No consensus on a 6 (direct safety) — ")
	}
	if l := s.bottomLineLock(m); l != nil {
		return l
	}
	if it.Section == SectionFuture && !s.StableSafety() {
		return &Lock{Rule: "stable_safety",
			NL: "Nog geen stabiele veiligheid: " + streakText(s, "nl"),
			EN: "No stable safety yet: " + streakText(s, "en")}
	}
	return nil
}

func gateLock(rule string, lows []SubjectLowest, nl, en string) *Lock {
	return &Lock{Rule: rule, Subjects: lows,
		NL: nl + "laagste score: " + lowestText(lows, "geen score"),
		EN: en + "lowest score: " + lowestText(lows, "no score")}
}

func streakText(s *State, lang string) string {
	k, K, D := s.StableStreak(), s.Policy.StableMeetings, s.Policy.StableDays
	if lang == "nl" {
		return itoa(k) + " van " + itoa(K) + " overleggen met consensus over een 7, minstens " + itoa(D) + " dagen uit elkaar"
	}
	return itoa(k) + " of " + itoa(K) + " meetings with consensus on a 7, at least " + itoa(D) + " days apart"
}

func itoa(n int) string { return strconv.Itoa(n) }

// gateError turns a lock into a gate_closed error.
func gateError(l *Lock) *Error {
	return &Error{Code: CodeGateClosed, Message: Message{NL: l.NL, EN: l.EN}, Subjects: l.Subjects}
}
