package hub

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// pokePresence asks the presence loop to sync now, without blocking (one pending poke is
// enough).
func (r *room) pokePresence() {
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// presenceLoop refreshes this instance's presence entries and sends everyone the list of
// who is online whenever it changes (here or on another instance).
func (r *room) presenceLoop() {
	every := r.h.cfg.PresenceTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		case <-r.poke:
		}
		r.syncPresence()
	}
}

// syncPresence refreshes this instance's clients' presence entries in the store, reads
// everyone's, and sends the list, sorted by id, to every admitted client when it changed.
func (r *room) syncPresence() {
	r.mu.Lock()
	local := make(map[string][]byte, len(r.clients))
	for c := range r.clients {
		var role meeting.Role
		if sg := r.sightOf(c); sg.Kind == meeting.SightView {
			role = sg.Viewer.Role
		}
		b, _ := json.Marshal(PresenceEntry{ID: c.p.ID, Name: c.p.Name, Role: string(role)})
		local[c.connID] = b
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	defer cancel()
	for connID, b := range local {
		if err := r.h.cfg.Store.SetPresence(ctx, r.id, connID, b, r.h.cfg.PresenceTTL); err != nil {
			return
		}
	}
	all, err := r.h.cfg.Store.Presence(ctx, r.id)
	if err != nil {
		return
	}
	seen := map[string]bool{}
	online := []PresenceEntry{}
	for _, b := range all {
		var pe PresenceEntry
		if json.Unmarshal(b, &pe) == nil && !seen[pe.ID] {
			seen[pe.ID] = true
			online = append(online, pe)
		}
	}
	slices.SortFunc(online, func(a, b PresenceEntry) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if slices.Equal(online, r.online) {
		return
	}
	r.online = online
	msg := prepare(presenceFrame{Type: "presence", Online: online})
	for c := range r.clients {
		if r.sightOf(c).Kind == meeting.SightView {
			c.enqueue(msg) // who is at the table is case content too
		}
	}
}
