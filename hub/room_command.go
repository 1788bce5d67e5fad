package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// execute decides cmd on the current state and appends its events, retrying on a conflict
// with another instance. A repeated command id returns the first result.
func (r *room) execute(ctx context.Context, p Principal, cmdID string, cmd meeting.Command) (Result, error) {
	if cmdID == "" || len(cmdID) > 64 {
		return Result{}, errBadID
	}
	if id, ok := createsCase(cmd); ok && id != r.id {
		return Result{}, meeting.NewError(meeting.CodeInvalid, "casus-id past niet bij de verbinding", "case id does not match the connection")
	}
	if mid, ok := joins(cmd); ok && !p.Professional && p.MeetingID != "" && mid != p.MeetingID {
		return Result{}, meeting.NewError(meeting.CodeForbidden, "Je uitnodiging geldt voor een ander overleg; vraag de voorzitter om een nieuwe.", "Your invitation is for another meeting; ask the chair for a new one.")
	}
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	actor := meeting.Actor{ID: p.ID, Name: p.Name, Professional: p.Professional, InviteRole: meeting.Role(p.InviteRole), Organisation: p.Organisation}
	for attempt := 0; attempt < 50; attempt++ {
		r.mu.Lock()
		if seq, ok := r.cmds[cmdID]; ok {
			r.mu.Unlock()
			// Applied here; the ack of a resend must promise no less than a fresh append's
			// (see Confirmer).
			if c, ok := r.h.cfg.Store.(Confirmer); ok {
				if err := c.Confirm(ctx, r.id, cmdID); err != nil {
					return Result{}, err
				}
			}
			return Result{Seq: seq, Duplicate: true}, nil
		}
		expected := r.state.Seq
		evs, err := meeting.Decide(r.state, cmd, meeting.Context{Actor: actor, Now: r.h.cfg.Now().UTC(), CommandID: cmdID, Defaults: r.h.cfg.Policy, Retention: r.h.cfg.Retention})
		applied := r.applied
		r.mu.Unlock()
		if err != nil {
			// This room may lag the log by a moment (another instance appended, or this very
			// command was stored before a reconnect): decide again on the caught-up state
			// before refusing.
			if head, herr := r.h.cfg.Store.Head(ctx, r.id); herr == nil && head > expected {
				r.waitSeq(ctx, head)
				continue
			}
			return Result{}, err
		}
		if len(evs) == 0 {
			return Result{Seq: expected}, nil
		}
		data := make([][]byte, len(evs))
		for i, e := range evs {
			if data[i], err = json.Marshal(e); err != nil {
				return Result{}, fmt.Errorf("hub: encoding %s: %w", e.Type, err)
			}
		}
		res, err := r.h.cfg.Store.Append(ctx, r.id, expected, cmdID, data)
		if errors.Is(err, ErrConflict) {
			// Another instance appended first: wait until we have seen it, then decide again.
			if !r.waitApplied(ctx, applied) {
				return Result{}, errUnavailable
			}
			continue
		}
		if err != nil {
			return Result{}, err
		}
		if !res.Duplicate {
			r.deliverOwn(res.First, cmdID, data)
		}
		r.waitSeq(ctx, res.Last)
		return Result{Seq: res.Last, Duplicate: res.Duplicate}, nil
	}
	return Result{}, meeting.NewError(meeting.CodeConflict, "het is te druk in deze casus; probeer het opnieuw", "too many concurrent changes in this case; try again")
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

// waitSeq waits until the room has applied seq (so the ack follows the events on the
// client's connection), at most AckWait.
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
