package server

import (
	"context"
	"sync"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// Refused commands on a socket are folded per connection (session, case and address), command
// kind and minute, so that a flood of rate-limited or malformed frames cannot flood the access
// log: the first refusal of a kind in a minute is written as it happens; the ones after it in
// that minute become one entry with their Count when the minute is over (or at shutdown). The
// hub names only the domain's command kinds (anything else is "unknown"), so a connection
// leaves at most a few dozen entries a minute whatever it sends.
const foldWindow = time.Minute

type foldedRefusals struct {
	first time.Time
	entry audit.Entry
	count int
}

type refusalFolder struct {
	mu   sync.Mutex
	open map[string]*foldedRefusals
}

// fold reports whether e (a refusal) was counted into an open minute (true: write nothing now).
func (f *refusalFolder) fold(key string, e audit.Entry, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open == nil {
		f.open = map[string]*foldedRefusals{}
	}
	if w := f.open[key]; w != nil && now.Sub(w.first) < foldWindow {
		w.count++
		return true
	}
	f.open[key] = &foldedRefusals{first: now, entry: e}
	return false
}

// due takes the windows that are over (all of them when all is set) and returns the entries
// to write for those that folded anything.
func (f *refusalFolder) due(now time.Time, all bool) []audit.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []audit.Entry
	for k, w := range f.open {
		if !all && now.Sub(w.first) < foldWindow {
			continue
		}
		delete(f.open, k)
		if w.count == 0 {
			continue
		}
		e := w.entry
		e.Time = time.Time{}
		e.Object, e.Outcome, e.Count = "command", audit.OutcomeRefused, w.count
		e.Authority = "more refusals of " + e.Action + " on one connection after the first, in the minute from " +
			w.first.UTC().Format(time.RFC3339) + " (" + e.Authority + ")"
		out = append(out, e)
	}
	return out
}

// flushRefusals writes the folded refusals whose minute is over (all, at shutdown).
func (s *Server) flushRefusals(ctx context.Context, all bool) {
	for _, e := range s.refusals.due(s.now(), all) {
		if err := s.audit.Record(ctx, e); err != nil {
			s.metrics.auditFails.Inc()
			s.log.Error("access log entry lost", "case", e.CaseID, "principal", e.PrincipalID, "action", e.Action, "err", err)
		}
	}
}

// foldRefusalsLoop flushes every 10 seconds until ctx ends.
func (s *Server) foldRefusalsLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.flushRefusals(ctx, false)
		}
	}
}
