package meeting

import "sort"

// Bottom lines in the gate (paper §3.4: "Let wel: Als de bodemeisen niet behaald waren zou
// dit overleg uitsluitend besteed worden aan het evalueren van het veiligheidsplan en het
// bijstellen van de afspraken"). The safety assessment records each bottom line's status for
// the meeting; a bottom line not met in it keeps every section but safety locked — also after
// a consensus on the 6 — until the chair records why the meeting goes on (gate rule 2b). A
// bottom line not met in two meetings in a row puts "Opschaling overwegen" on the next
// meeting's agenda (§3.2: "Als deze investering niet tot resultaat leidt moet overwogen
// worden … Dit houdt in dat er opgeschaald wordt").

// GateReason is the chair's reason to go on with a meeting although bottom lines were not met
// in it; everyone at the table reads it and the minutes print it.
type GateReason struct {
	Meeting string `json:"meeting"`
	Reason  string `json:"reason"`
	// BottomLines are those not met when the reason was given: one marked not met afterwards
	// locks again.
	BottomLines []string `json:"bottomLines"`
}

// RecordGateReason records why the meeting in progress goes on although a bottom line was not
// met in it (chair).
type RecordGateReason struct {
	Meeting string `json:"meeting"`
	Reason  string `json:"reason"`
}

// unmetUncovered lists the bottom lines (not withdrawn) marked not met in meeting m that no
// reason of m covers.
func (s *State) unmetUncovered(m *Meeting) []string {
	covered := map[string]bool{}
	for _, r := range m.GateReasons {
		for _, id := range r.BottomLines {
			covered[id] = true
		}
	}
	var out []string
	for _, b := range s.Plans.BottomLines {
		if b.Withdrawn == nil && b.History[m.ID] == "not_met" && !covered[b.ID] {
			out = append(out, b.ID)
		}
	}
	return out
}

// bottomLineLock is gate rule 2b for meeting m, or nil. The message names no bottom line: it
// reaches everyone at the table, and a bottom line may be withheld from some of them.
func (s *State) bottomLineLock(m *Meeting) *Lock {
	if len(s.unmetUncovered(m)) == 0 {
		return nil
	}
	return &Lock{Rule: "bottom_lines",
		NL: "Een bodemeis is in dit overleg niet gehaald: dan gaat dit overleg over het veiligheidsplan. De voorzitter legt eerst vast waarom het toch verder gaat.",
		EN: "A bottom line was not met in this meeting: then this meeting is about the safety plan. The chair first records why it goes on all the same."}
}

func (d *decider) recordGateReason(c *RecordGateReason) error {
	m, err := d.meetingInProgress(c.Meeting)
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	unmet := d.s.unmetUncovered(m)
	if len(unmet) == 0 {
		return conflict("er is in dit overleg geen niet-gehaalde bodemeis zonder reden", "no bottom line is unmet in this meeting without a reason")
	}
	if err := checkText("reden", c.Reason, true, maxText); err != nil {
		return err
	}
	d.emit("gate.reason_recorded", m.ID, VisibleAll, &GateReason{Meeting: m.ID, Reason: c.Reason, BottomLines: unmet})
	return nil
}

// heldOrder is the meetings held (in progress or closed), in the order they were held: closed
// ones by when they closed, the one in progress last. exclude is left out.
func (s *State) heldOrder(exclude *Meeting) []*Meeting {
	var out []*Meeting
	for _, m := range s.Meetings {
		if m != exclude && (m.Status == MeetingClosed || m.Status == MeetingInProgress) {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Status == MeetingInProgress) != (b.Status == MeetingInProgress) {
			return b.Status == MeetingInProgress
		}
		return a.ClosedSeq < b.ClosedSeq
	})
	return out
}

// unmetTwice lists the bottom lines (not withdrawn) not met in each of the last two meetings
// held (exclude left out).
func (s *State) unmetTwice(exclude *Meeting) []string {
	held := s.heldOrder(exclude)
	if len(held) < 2 {
		return nil
	}
	a, b := held[len(held)-2], held[len(held)-1]
	var out []string
	for _, bl := range s.Plans.BottomLines {
		if bl.Withdrawn == nil && bl.History[a.ID] == "not_met" && bl.History[b.ID] == "not_met" {
			out = append(out, bl.ID)
		}
	}
	return out
}

// hasOpenKind reports whether m's agenda holds an item of kind k that is not closed.
func (m *Meeting) hasOpenKind(k ItemKind) bool {
	for _, it := range m.Agenda {
		if it.Kind == k && it.Status != ItemClosed {
			return true
		}
	}
	return false
}

// considerEscalation puts "Opschaling overwegen" on meeting m's agenda, right after the
// safety assessment, when it starts and a bottom line was not met in the two meetings held
// before it (and the item is not on the agenda yet).
func (d *decider) considerEscalation(m *Meeting) {
	if len(d.s.unmetTwice(m)) == 0 || m.hasOpenKind(KindConsiderEscalation) || len(m.Agenda) >= maxItems {
		return
	}
	id := freeID(m.ID+"-escalate", func(id string) bool { return m.item(id) != nil })
	d.emit("agenda.item_added", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: id, Position: 1, New: newItem(id, KindConsiderEscalation, "")})
}

// reinstate puts the noodverband back when a round of meeting m breaks the 6 after the safety
// plan was retired (paper §3.2: the safety plan stays "in functie … totdat er sprake is van
// stabiele veiligheid").
func (d *decider) reinstate(m *Meeting, r *Round, nowHolds bool) {
	if d.s.SafetyPlanRetired && !nowHolds {
		d.emit("safetyplan.reinstated", m.ID, VisibleAll, &SafetyPlanChange{Kind: "reinstated", Meeting: m.ID, Round: r.ID})
	}
}
