package hub

import (
	"context"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// BatchCmd is one command of RunBatch.
type BatchCmd struct {
	P   Principal
	ID  string
	Cmd meeting.Command
}

// RunBatch decides and stores cmds as ONE batch of caseID's room on h (what the room does
// with the commands that queued while the previous batch was stored) and returns each
// command's outcome. Nothing else may send commands to the case meanwhile.
func RunBatch(ctx context.Context, h *Hub, caseID string, cmds []BatchCmd) ([]Result, []error) {
	r, err := h.acquire(ctx, caseID)
	if err != nil {
		panic(err)
	}
	defer h.release(r)
	batch := make([]*pendingCmd, len(cmds))
	for i, c := range cmds {
		batch[i] = &pendingCmd{p: c.P, id: c.ID, cmd: c.Cmd, done: make(chan cmdOutcome, 1)}
	}
	r.qmu.Lock()
	r.running = true
	r.qmu.Unlock()
	r.commitBatch(batch)
	r.qmu.Lock()
	r.running = false
	r.qmu.Unlock()
	res := make([]Result, len(cmds))
	errs := make([]error, len(cmds))
	for i, pc := range batch {
		o := <-pc.done
		res[i], errs[i] = o.res, o.err
	}
	return res, errs
}

// RoomFacts is the sequence of caseID's room on h and the ids of its state's facts, in order.
func RoomFacts(ctx context.Context, h *Hub, caseID string) (seq uint64, ids []string) {
	inRoom(ctx, h, caseID, func(r *room) {
		for _, f := range r.state.Plans.Facts {
			ids = append(ids, f.ID)
		}
		seq = r.state.Seq
	})
	return seq, ids
}

// inRoom runs fn on caseID's room on h, holding the room's lock.
func inRoom(ctx context.Context, h *Hub, caseID string, fn func(*room)) {
	r, err := h.acquire(ctx, caseID)
	if err != nil {
		panic(err)
	}
	defer h.release(r)
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r)
}

// SetMaxResumeEvents sets how far behind a client may resume with events (and so how many
// events a room keeps); it returns the old value.
func SetMaxResumeEvents(n int) int {
	old := maxResumeEvents
	maxResumeEvents = n
	return old
}

// RoomEvents is how many events caseID's room on h keeps in memory for resumes.
func RoomEvents(ctx context.Context, h *Hub, caseID string) (n int) {
	inRoom(ctx, h, caseID, func(r *room) { n = len(r.log) })
	return n
}
