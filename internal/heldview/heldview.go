// Package heldview keeps the view a test's WebSocket client holds, as the browser does: a
// view frame (or an update frame with a whole view) replaces it, an update frame with a patch
// must start from it and is applied to it.
package heldview

import (
	"encoding/json"
	"fmt"

	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// View is the view held (its JSON) and its sequence.
type View struct {
	JSON []byte
	Seq  uint64
}

// Take records a frame of type typ (frame is its raw text). For an update frame it returns the
// view it brings (whole or patched), decoded; for any other frame nil. A patch that does not
// start from the view held, or does not apply, is an error and changes nothing.
func (h *View) Take(typ string, frame []byte) (*meeting.CaseView, error) {
	if typ == "update" {
		var f struct {
			View json.RawMessage
			Ops  json.RawMessage
		}
		if err := json.Unmarshal(frame, &f); err != nil {
			return nil, err
		}
		if f.Ops == nil {
			if _, err := h.Take("view", frame); err != nil {
				return nil, err
			}
			var v meeting.CaseView
			if err := json.Unmarshal(f.View, &v); err != nil {
				return nil, fmt.Errorf("update's view: %w", err)
			}
			return &v, nil
		}
		typ = "viewPatch" // base and ops, as a viewPatch frame had them
	}
	switch typ {
	case "view":
		var f struct {
			Seq  uint64
			View json.RawMessage
		}
		if err := json.Unmarshal(frame, &f); err != nil {
			return nil, err
		}
		h.JSON, h.Seq = f.View, f.Seq
	case "viewPatch":
		var f struct {
			Seq, Base uint64
			Ops       []jsonpatch.Op
		}
		if err := json.Unmarshal(frame, &f); err != nil {
			return nil, err
		}
		if h.JSON == nil || f.Base != h.Seq {
			return nil, fmt.Errorf("patch from %d, but the view held is at %d", f.Base, h.Seq)
		}
		next, err := jsonpatch.Apply(h.JSON, f.Ops)
		if err != nil {
			return nil, fmt.Errorf("patch does not apply: %w", err)
		}
		var v meeting.CaseView
		if err := json.Unmarshal(next, &v); err != nil {
			return nil, fmt.Errorf("patched view: %w", err)
		}
		h.JSON, h.Seq = next, f.Seq
		return &v, nil
	}
	return nil, nil
}
