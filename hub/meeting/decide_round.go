package meeting

func (d *decider) openRound(c *OpenRound) error {
	m, err := d.meetingInProgress(c.Meeting)
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	if m.openRound() != nil {
		return conflict("er loopt al een ronde", "a round is already open")
	}
	if len(m.Rounds) >= maxItems {
		return invalid("te veel rondes", "too many rounds")
	}
	n := len(m.Rounds) + 1
	d.emit("round.opened", m.ID, VisibleAll, &RoundRef{Meeting: m.ID, Round: m.ID + "-r" + itoa(n), Number: n})
	return nil
}

// roundOf finds an open round by id in the meeting in progress.
func (d *decider) roundOf(id string) (*Meeting, *Round, error) {
	m := d.s.inProgress()
	if m == nil {
		return nil, nil, conflict("er is geen overleg bezig", "no meeting is in progress")
	}
	r := m.round(id)
	if r == nil {
		return nil, nil, notFound("ronde", id)
	}
	if r.Status != RoundOpen {
		return nil, nil, conflict("deze ronde is al onthuld", "this round has already been revealed")
	}
	return m, r, nil
}

// submitScore gives or changes a score until reveal. When it completes the round — every
// present scorer has scored every subject — and the meeting has auto-reveal on, the round is
// revealed in the same step; otherwise the round waits, complete, for the chair.
func (d *decider) submitScore(c *SubmitScore) error {
	m, r, err := d.roundOf(c.Round)
	if err != nil {
		return err
	}
	p := m.participant(d.ctx.Actor.ID)
	if p == nil || p.Status != Admitted {
		return forbidden("alleen toegelaten deelnemers geven een score", "only admitted participants score")
	}
	if !p.Role.Scores() {
		return forbidden("waarnemers geven geen score", "observers do not score")
	}
	if d.s.subject(c.Subject) == nil {
		return notFound("persoon", c.Subject)
	}
	sc := Score{Abstain: c.Abstain, Meaning: c.Meaning, NotHigher: c.NotHigher, Role: p.Role, ProfessionalsOnly: c.ProfessionalsOnly, Person: p.Person}
	if c.Abstain {
		if c.Value != nil {
			return invalid("geef een cijfer óf 'kan ik niet beoordelen'", "give a score or abstain, not both")
		}
	} else {
		if c.Value == nil || *c.Value < 0 || *c.Value > 10 {
			return invalid("het cijfer is een heel getal van 0 tot en met 10", "the score is a whole number from 0 to 10")
		}
		v := *c.Value
		sc.Value = &v
		if err := checkText("wat dit cijfer betekent", c.Meaning, true, maxText); err != nil {
			return err
		}
		// Asked of every scorer below 10 (paper §3.2): it is where bottom lines come from.
		if err := checkText("waarom niet één punt hoger", c.NotHigher, v < 10, maxText); err != nil {
			return err
		}
	}
	if err := checkText("toelichting", c.Meaning, false, maxText); err != nil {
		return err
	}
	if err := checkText("waarom niet één punt hoger", c.NotHigher, false, maxText); err != nil {
		return err
	}
	d.emit("score.submitted", m.ID, VisibleAll, &ScoreSubmitted{Meeting: m.ID, Round: r.ID, Participant: p.ID, Subject: c.Subject, Score: &sc})
	return d.autoReveal(m, (*Participant).present, &ScoreSubmitted{Participant: p.ID, Subject: c.Subject, Score: &sc})
}

// revealRound is the chair revealing before everyone has submitted; the missing are recorded.
func (d *decider) revealRound(c *RevealRound) error {
	m, r, err := d.roundOf(c.Round)
	if err != nil {
		return err
	}
	if err := d.requireChair(m); err != nil {
		return err
	}
	var missing []string
	for _, p := range m.Participants {
		if p.present() && !d.complete(r, p.ID, nil) {
			missing = append(missing, p.ID)
		}
	}
	d.reveal(m, r, false, missing, nil)
	return nil
}

// complete reports whether participant pid has scored every subject in r (counting extra).
func (d *decider) complete(r *Round, pid string, extra *ScoreSubmitted) bool {
	for _, sub := range d.s.Subjects {
		if _, ok := r.Scores[pid][sub.ID]; ok {
			continue
		}
		if extra != nil && extra.Participant == pid && extra.Subject == sub.ID {
			continue
		}
		return false
	}
	return true
}

// autoReveal reveals m's open round when the meeting has auto-reveal on and every participant
// for whom present is true has scored every subject (with extra counted), and there is at
// least one such participant.
func (d *decider) autoReveal(m *Meeting, present func(*Participant) bool, extra *ScoreSubmitted) error {
	r := m.openRound()
	if r == nil || !m.AutoReveal {
		return nil
	}
	n := 0
	for _, p := range m.Participants {
		if !present(p) {
			continue
		}
		if !d.complete(r, p.ID, extra) {
			return nil
		}
		n++
	}
	if n > 0 {
		d.reveal(m, r, true, nil, extra)
	}
	return nil
}

// reveal emits round.revealed and its consequences. The gate holds at once: every open item
// that the revealed round locks (rule 2 when the 6 breaks, rule 4 when the 7 does) is
// suspended. Gate rule 3: when the round breaks the consensus on the 6 that held before (in
// this meeting's previous round, or the previous meeting's final round), the item "Welke
// maatregelen zijn nodig om de 6 direct weer te borgen?" goes to the top of the agenda, right
// after the safety assessment.
func (d *decider) reveal(m *Meeting, r *Round, auto bool, missing []string, extra *ScoreSubmitted) {
	d.emit("round.revealed", m.ID, VisibleAll, &RoundRef{Meeting: m.ID, Round: r.ID, Number: r.Number, Auto: auto, Missing: missing, Advisory: m.FamilyAdvisory})

	after := &Round{ID: r.ID, Number: r.Number, Status: RoundRevealed, RevealedAt: d.ctx.Now, Advisory: m.FamilyAdvisory, Scores: map[string]map[string]Score{}}
	for pid, bySub := range r.Scores {
		after.Scores[pid] = bySub
	}
	if extra != nil {
		bySub := map[string]Score{}
		for k, v := range r.Scores[extra.Participant] {
			bySub[k] = v
		}
		bySub[extra.Subject] = *extra.Score
		after.Scores[extra.Participant] = bySub
	}
	sAfter, mAfter := d.s.withRound(m, after)
	d.suspendLocked(sAfter, m, mAfter)

	prevHeld, _ := d.s.roundHolds(d.s.referenceRound(m), DirectThreshold)
	nowHolds, _ := d.s.roundHolds(after, DirectThreshold)
	d.reinstate(m, r, nowHolds)
	if !prevHeld || nowHolds {
		return
	}
	for i, it := range m.Agenda {
		if it.Kind == KindRestoreSix && it.Status != ItemClosed {
			if i != 1 { // already on the agenda, but moved down: back to the top
				d.emit("agenda.item_moved", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID, Position: 1})
			}
			return
		}
	}
	id := freeID(m.ID+"-restore"+itoa(r.Number), func(id string) bool { return m.item(id) != nil })
	d.emit("agenda.item_added", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: id, Position: 1, New: newItem(id, KindRestoreSix, "")})
}

// withRound returns a read-only copy of s in which meeting m holds round r in place of the
// round with r's id, and the copy of m: the state as it will be once r is revealed.
func (s *State) withRound(m *Meeting, r *Round) (*State, *Meeting) {
	mc := *m
	mc.Rounds = make([]*Round, len(m.Rounds))
	for i, x := range m.Rounds {
		mc.Rounds[i] = x
		if x.ID == r.ID {
			mc.Rounds[i] = r
		}
	}
	sc := *s
	sc.Meetings = make([]*Meeting, len(s.Meetings))
	for i, x := range s.Meetings {
		sc.Meetings[i] = x
		if x == m {
			sc.Meetings[i] = &mc
		}
	}
	return &sc, &mc
}

// suspendLocked suspends every open item of m that is locked in after, the state as it will
// be once this command's events are applied (mAfter is m in after). The server enforces the
// gate on every command: no change leaves a locked item open.
func (d *decider) suspendLocked(after *State, m, mAfter *Meeting) {
	for _, it := range m.Agenda {
		if it.Status == ItemOpen && after.lockOf(mAfter, it) != nil {
			d.emit("agenda.item_suspended", m.ID, VisibleAll, &ItemRef{Meeting: m.ID, Item: it.ID})
		}
	}
}

// referenceRound is the round direct safety was judged on before m's open round: m's latest
// revealed round, or else the final round of the latest other meeting that has one.
func (s *State) referenceRound(m *Meeting) *Round {
	if r := m.lastRevealed(); r != nil {
		return r
	}
	var best *Round
	for _, o := range s.Meetings {
		if o == m {
			continue
		}
		if r := o.lastRevealed(); r != nil && (best == nil || r.RevealedAt.After(best.RevealedAt)) {
			best = r
		}
	}
	return best
}
