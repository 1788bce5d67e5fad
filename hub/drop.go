package hub

// Drop ends every connection to caseID on this instance with 4403 (no longer allowed): the
// case was deleted. The room, and with it the case's state in this instance's memory, goes
// when its last connection has ended. The server calls it on every instance when it deletes a
// case.
func (h *Hub) Drop(caseID string) {
	h.mu.Lock()
	var victims []*client
	for c := range h.clients {
		if c.caseID == caseID {
			victims = append(victims, c)
		}
	}
	h.mu.Unlock()
	for _, c := range victims {
		c.kill(CloseForbidden, "case deleted")
	}
}
