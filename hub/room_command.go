package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// maxBatch bounds how many queued commands one append stores.
const maxBatch = 64

// maxBatchAttempts bounds how often a batch is decided again after conflicts with other
// instances.
const maxBatchAttempts = 50

// pendingCmd is one command queued for its room's next batch.
type pendingCmd struct {
	c    *client // the connection that sent it, whose update frame carries its ack (nil: REST)
	p    Principal
	id   string
	cmd  meeting.Command
	done chan cmdOutcome // buffered: the batch never blocks on a caller

	// The outcome of the current attempt (the room's command goroutine only).
	res     Result
	err     error
	alias   *pendingCmd     // an earlier command of the batch with the same id
	known   bool            // the room had applied its id before: a duplicate to confirm
	late    bool            // refused on a state an earlier command of the batch had changed
	data    [][]byte        // its encoded events (nil: none)
	evs     []meeting.Event // its events
	applied bool            // its events are applied to the room's state (before the append)
}

type cmdOutcome struct {
	res Result
	err error
}

// execute queues cmd of p (sent on connection c; nil for REST) for the room's next batch and
// waits for its outcome. A repeated command id returns the first result.
func (r *room) execute(ctx context.Context, c *client, p Principal, cmdID string, cmd meeting.Command) (Result, error) {
	if cmdID == "" || len(cmdID) > 64 {
		return Result{}, errBadID
	}
	if id, ok := createsCase(cmd); ok && id != r.id {
		return Result{}, meeting.NewError(meeting.CodeInvalid, "casus-id past niet bij de verbinding", "case id does not match the connection")
	}
	if mid, ok := joins(cmd); ok && !p.Professional && p.MeetingID != "" && mid != p.MeetingID {
		return Result{}, meeting.NewError(meeting.CodeForbidden, "Je uitnodiging geldt voor een ander overleg; vraag de voorzitter om een nieuwe.", "Your invitation is for another meeting; ask the chair for a new one.")
	}
	pc := &pendingCmd{c: c, p: p, id: cmdID, cmd: cmd, done: make(chan cmdOutcome, 1)}
	r.qmu.Lock()
	r.queue = append(r.queue, pc)
	start := !r.running
	r.running = true
	r.qmu.Unlock()
	if start {
		r.h.wg.Add(1)
		go r.runCommands()
	}
	select {
	case o := <-pc.done:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, errUnavailable // it may still be stored; sent again, it is applied once
	case <-r.ctx.Done():
		return Result{}, errUnavailable
	}
}

// runCommands decides and stores the queued commands batch by batch until none is left. At
// most one runs per room.
func (r *room) runCommands() {
	defer r.h.wg.Done()
	for {
		r.qmu.Lock()
		batch := r.queue
		if len(batch) > maxBatch {
			batch = batch[:maxBatch:maxBatch]
		}
		r.queue = r.queue[len(batch):]
		if len(batch) == 0 {
			r.queue = nil
			r.running = false
			r.qmu.Unlock()
			return
		}
		r.qmu.Unlock()
		r.commitBatch(batch)
	}
}

// commitBatch decides batch in order, each command on the state its predecessors left, stores
// the events of all of them with one append, sends them with one update frame per client, and
// answers every command. A refused command changes nothing and does not stop the others.
func (r *room) commitBatch(batch []*pendingCmd) {
	for range maxBatchAttempts {
		wait := r.tryBatch(batch)
		if wait == nil {
			return
		}
		if !wait() {
			r.answerAll(batch, errUnavailable)
			return
		}
		if len(batch) > 1 {
			// Another instance appended first. Go on one command at a time while it may do so
			// again: a batch of one is not applied before it is stored, so a further conflict
			// costs no rollback (see tryBatch).
			for _, pc := range batch {
				r.commitBatch([]*pendingCmd{pc})
			}
			return
		}
	}
	r.answerAll(batch, meeting.NewError(meeting.CodeConflict, "het is te druk in deze casus; probeer het opnieuw", "too many concurrent changes in this case; try again"))
}

// tryBatch makes one attempt at batch. It returns nil once every command is answered, or a
// wait after which the batch is decided again (the room lagged the log: another instance
// appended first), which reports whether the room caught up in time.
//
// The commands are applied to the room's state as they are decided (but the batch's last one,
// which no later command is decided on, only once it is stored), under r.mu. When some were
// applied before the append, r.mu is held until its outcome is known — nobody sees a state
// that is not stored — and, when the append does not go through, the state is rebuilt from the
// room's log. A batch with nothing applied (one command: the common case) lets go of r.mu
// during the append, so that the events of other instances keep coming in meanwhile.
func (r *room) tryBatch(batch []*pendingCmd) func() bool {
	r.mu.Lock()
	expected := r.state.Seq
	cmds, fresh, owners, refused := r.decideBatch(batch)
	speculative := r.state.Seq != expected
	undo := func() {
		if speculative {
			r.rollback(expected)
		}
	}
	if refused {
		// This room may lag the log by a moment (another instance appended, or a command was
		// stored before a reconnect): decide again on the caught-up state before refusing.
		if head, err := r.h.cfg.Store.Head(r.ctx, r.id); err == nil && head > expected {
			undo()
			r.mu.Unlock()
			return func() bool { r.waitSeq(r.ctx, head); return true }
		}
	}
	if len(cmds) == 0 {
		r.mu.Unlock()
		r.answer(batch)
		return nil
	}
	jr := r.journal(owners)
	if !speculative {
		r.mu.Unlock()
	}
	res, written, err := r.append(expected, cmds, jr)
	if !speculative {
		r.mu.Lock()
	}
	if err != nil || hasDuplicate(res) {
		r.unjournal(jr) // nothing stored by this append: nothing to record
	}
	if errors.Is(err, ErrConflict) {
		undo()
		if r.state.Seq != expected {
			// The follow brought the records that came first while r.mu was free during the
			// append: decide again now (waiting for the state to advance further would wait
			// for a change that may never come).
			r.mu.Unlock()
			return func() bool { return true }
		}
		applied := r.applied
		r.mu.Unlock()
		return func() bool { return r.waitApplied(r.ctx, applied) }
	}
	if err != nil {
		undo()
		r.mu.Unlock()
		for _, pc := range batch {
			if pc.data != nil || pc.late {
				pc.err = err // nothing stored (or not known to be): the client sends it again
			}
		}
		r.answer(batch)
		return nil
	}
	var last uint64
	for _, x := range res {
		last = max(last, x.Last)
		if x.Duplicate {
			// Every id was stored before by another instance (the store appended nothing):
			// catch up and decide again; the room then knows them.
			undo()
			r.mu.Unlock()
			return func() bool { r.waitSeq(r.ctx, last); return true }
		}
	}
	if !speculative && r.state.Seq != expected {
		// The follow brought the stored records back while r.mu was free, and delivered them
		// (without acks): only the access-log entries and the acks are left.
		for i, pc := range owners {
			pc.res = Result{Seq: res[i].Last}
		}
		r.mu.Unlock()
		r.recordBatch(owners, jr, written)
		r.answer(batch)
		return nil
	}
	for _, pc := range owners {
		if !pc.applied {
			for _, e := range pc.evs {
				r.state = meeting.Apply(r.state, e)
			}
		}
	}
	acks := make(map[*client][]updateAck)
	for i, pc := range owners {
		r.cmds[pc.id] = res[i].Last
		pc.res = Result{Seq: res[i].Last}
		if pc.c != nil {
			acks[pc.c] = append(acks[pc.c], updateAck{ID: pc.id, Seq: pc.res.Seq})
		}
	}
	r.remember(fresh...)
	for _, pc := range owners {
		for _, b := range pc.data {
			r.past.add(b)
		}
	}
	held := r.broadcast(fresh, acks)
	// The senders' frames carry their acks: they go once the access-log entries of the
	// batch's commands are written (the other clients' frames are on their way already).
	r.recordBatch(owners, jr, written)
	for _, h := range held {
		h.c.enqueue(h.m)
	}
	for _, pc := range owners {
		_, missed := acks[pc.c]
		pc.res.sent = pc.c != nil && !missed
	}
	close(r.applied)
	r.applied = make(chan struct{})
	r.checkLoaded()
	r.mu.Unlock()
	r.answer(batch)
	return nil
}

// decideBatch decides every command of batch on the room's state, applying the events of each
// before deciding the next. It returns the commands to store, their events, the pending
// commands they belong to, and whether any command was refused. Caller holds r.mu.
func (r *room) decideBatch(batch []*pendingCmd) (cmds []Command, fresh []meeting.Event, owners []*pendingCmd, refused bool) {
	first := make(map[string]*pendingCmd, len(batch))
	changed := false
	for i, pc := range batch {
		pc.res, pc.err, pc.alias, pc.known, pc.late, pc.data, pc.evs, pc.applied = Result{}, nil, nil, false, false, nil, nil, false
		if prev, ok := first[pc.id]; ok {
			pc.alias = prev
			continue
		}
		first[pc.id] = pc
		if seq, ok := r.cmds[pc.id]; ok {
			pc.res, pc.known = Result{Seq: seq, Duplicate: true}, true
			continue
		}
		actor := meeting.Actor{ID: pc.p.ID, Name: pc.p.Name, Professional: pc.p.Professional, InviteRole: meeting.Role(pc.p.InviteRole), Organisation: pc.p.Organisation, Discipline: pc.p.Discipline}
		evs, err := meeting.Decide(r.state, pc.cmd, meeting.Context{Actor: actor, Now: r.h.cfg.Now().UTC(), CommandID: pc.id, Defaults: r.h.cfg.Policy, Retention: r.h.cfg.Retention})
		if err == nil && len(evs) > 0 {
			pc.data, err = encodeEvents(evs)
		}
		if err != nil {
			pc.err, pc.late, refused = err, changed, true
			continue
		}
		if len(evs) == 0 {
			pc.res = Result{Seq: r.state.Seq}
			continue
		}
		pc.evs = evs
		if i < len(batch)-1 { // later commands are decided on the state it leaves
			for _, e := range evs {
				r.state = meeting.Apply(r.state, e)
			}
			pc.applied = true
		}
		changed = true
		fresh = append(fresh, evs...)
		cmds = append(cmds, Command{ID: pc.id, Events: pc.data})
		owners = append(owners, pc)
	}
	return cmds, fresh, owners, refused
}

// journalWait bounds preparing a batch's access-log entries (it may read a case key), which
// the room does holding its lock.
const journalWait = 2 * time.Second

// journal prepares the access-log entries of the stored commands of a batch sent over a
// connection, for the store to write with the batch's events, when Rights and the Store can
// (Journal, LogAppender). nil: each entry is recorded after the append (recordBatch).
func (r *room) journal(owners []*pendingCmd) JournalEntries {
	j, ok := r.h.cfg.Rights.(Journal)
	if !ok {
		return nil
	}
	if _, ok := r.h.cfg.Store.(LogAppender); !ok {
		return nil
	}
	var changes []Change
	for _, pc := range owners {
		if pc.c != nil {
			changes = append(changes, Change{P: pc.p, G: pc.c.heldForLog(), Kind: pc.cmd.Kind()})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(r.ctx, journalWait)
	defer cancel()
	jr, err := j.Journal(ctx, r.id, changes)
	if err != nil {
		r.h.log.Warn("access-log entries not prepared; recorded after the append", "case", r.id, "err", err)
		return nil
	}
	return jr
}

// append stores cmds with one append, and with it the log writes of jr (when not nil).
func (r *room) append(expected uint64, cmds []Command, jr JournalEntries) ([]AppendResult, []bool, error) {
	if jr == nil {
		res, err := r.h.cfg.Store.AppendBatch(r.ctx, r.id, expected, cmds)
		return res, nil, err
	}
	return r.h.cfg.Store.(LogAppender).AppendBatchLogged(r.ctx, r.id, expected, cmds, jr.Writes())
}

// unjournal ends prepared entries whose batch this append did not store.
func (r *room) unjournal(jr JournalEntries) {
	if jr != nil {
		_ = jr.Finish(r.ctx, false, nil) // nothing is written
	}
}

// hasDuplicate reports whether the store found a command of the append stored before (then it
// appended nothing).
func hasDuplicate(res []AppendResult) bool {
	for _, x := range res {
		if x.Duplicate {
			return true
		}
	}
	return false
}

// recordBatch writes the access-log entry of every stored command of the batch sent over a
// connection, under that connection's grant, and waits for them: those jr prepared are in the
// store with the events already (written) or are written now by jr; without jr, each is
// recorded side by side (the access log appends entries that arrive together in one write).
// A failed entry is reported in the server log, not undone: the change is stored.
func (r *room) recordBatch(owners []*pendingCmd, jr JournalEntries, written []bool) {
	if jr != nil {
		for _, pc := range owners {
			if pc.c != nil {
				pc.res.recorded = true
			}
		}
		if err := jr.Finish(r.ctx, true, written); err != nil {
			r.h.log.Error("access log entries lost", "case", r.id, "err", err)
		}
		return
	}
	var wg sync.WaitGroup
	for _, pc := range owners {
		if pc.c == nil {
			continue
		}
		pc.res.recorded = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			pc.c.auditChange(pc.cmd.Kind(), "granted")
		}()
	}
	wg.Wait()
}

// encodeEvents encodes events as the store keeps them.
func encodeEvents(evs []meeting.Event) ([][]byte, error) {
	data := make([][]byte, len(evs))
	for i, e := range evs {
		var err error
		if data[i], err = json.Marshal(e); err != nil {
			return nil, fmt.Errorf("hub: encoding %s: %w", e.Type, err)
		}
	}
	return data, nil
}

// rollback undoes what a batch applied to the state beyond expected, by folding the case's
// first expected events again (only after a failed or conflicting append of a batch of
// several commands). Caller holds r.mu.
func (r *room) rollback(expected uint64) {
	if r.state.Seq == expected {
		return
	}
	s, err := r.past.fold(expected)
	if err != nil {
		// The room keeps every event it applied, each of which it decoded before: a bug.
		panic(fmt.Sprintf("hub: case %q: undoing a batch: %v", r.id, err))
	}
	r.state = s
}

// answer sends every command of batch its outcome. A duplicate the room had applied is first
// confirmed (see Confirmer): the ack of a resend promises no less than a fresh append's.
func (r *room) answer(batch []*pendingCmd) {
	for _, pc := range batch {
		if pc.alias != nil {
			continue
		}
		if pc.known && pc.err == nil {
			if c, ok := r.h.cfg.Store.(Confirmer); ok {
				if err := c.Confirm(r.ctx, r.id, pc.id); err != nil {
					pc.err = err
				}
			}
		}
		pc.done <- cmdOutcome{res: pc.res, err: pc.err}
	}
	for _, pc := range batch {
		if a := pc.alias; a != nil {
			res := a.res
			res.Duplicate, res.sent = true, false
			pc.done <- cmdOutcome{res: res, err: a.err}
		}
	}
}

// answerAll answers every command of batch with err.
func (r *room) answerAll(batch []*pendingCmd, err error) {
	for _, pc := range batch {
		pc.done <- cmdOutcome{err: err}
	}
}

// waitApplied reports whether ch (a former r.applied) closes, i.e. the state advances,
// within AckWait, before ctx ends and before the room stops.
func (r *room) waitApplied(ctx context.Context, ch chan struct{}) bool {
	t := time.NewTimer(r.h.cfg.AckWait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	case <-r.ctx.Done():
		return false
	}
}

// waitSeq waits until the room has applied seq, at most AckWait.
func (r *room) waitSeq(ctx context.Context, seq uint64) {
	deadline := time.Now().Add(r.h.cfg.AckWait)
	for {
		r.mu.Lock()
		done := r.state.Seq >= seq
		ch := r.applied
		r.mu.Unlock()
		if done || time.Now().After(deadline) {
			return
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
		case <-r.ctx.Done():
		}
		t.Stop()
		if ctx.Err() != nil || r.ctx.Err() != nil {
			return
		}
	}
}

// createsCase returns the id of the case a case.create command creates.
func createsCase(cmd meeting.Command) (string, bool) {
	if c, ok := cmd.(*meeting.CreateCase); ok {
		return c.ID, true
	}
	return "", false
}

// joins returns the meeting a participant.join command joins.
func joins(cmd meeting.Command) (string, bool) {
	if c, ok := cmd.(*meeting.Join); ok {
		return c.Meeting, true
	}
	return "", false
}
