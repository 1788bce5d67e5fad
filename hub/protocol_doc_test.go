package hub_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/jsonpatch"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// TestProtocolDoc keeps docs/protocol.md true: every JSON example parses, every command kind is
// documented with a payload the domain decodes, and the close-code table matches the hub.
func TestProtocolDoc(t *testing.T) {
	b, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	blocks := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindAllStringSubmatch(doc, -1)
	if len(blocks) < 9 {
		t.Fatalf("found %d JSON examples, want one per message (9)", len(blocks))
	}
	seen := map[string]bool{}
	var view json.RawMessage
	var patch []jsonpatch.Op
	for _, blk := range blocks {
		var f struct {
			Type string
			View json.RawMessage
			Ops  []jsonpatch.Op
		}
		if err := json.Unmarshal([]byte(blk[1]), &f); err != nil {
			t.Errorf("example does not parse: %v\n%s", err, blk[1])
		}
		seen[f.Type] = true
		switch f.Type {
		case "view":
			view = f.View
		case "update":
			patch = f.Ops
		}
	}
	if view != nil && patch != nil {
		if _, err := jsonpatch.Apply(view, patch); err != nil {
			t.Errorf("the update example's patch does not apply to the view example: %v", err)
		}
	}
	for _, typ := range []string{"hello", "command", "welcome", "events", "view", "update", "ack", "nack", "presence"} {
		if !seen[typ] {
			t.Errorf("no example of the %q frame", typ)
		}
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| `(.*)` \\|$").FindAllStringSubmatch(doc, -1)
	documented := map[string]bool{}
	for _, r := range rows {
		documented[r[1]] = true
		if _, err := meeting.DecodeCommand(r[1], []byte(r[2])); err != nil {
			t.Errorf("example of %s does not decode: %v", r[1], err)
		}
	}
	for _, k := range meeting.CommandKinds() {
		if !documented[k] {
			t.Errorf("command kind %q is not documented", k)
		}
	}
	for code, meaning := range map[int]string{
		hub.CloseNormal: "normal", hub.CloseGoingAway: "going away", hub.CloseTryAgain: "try again",
		hub.CloseTooSlow: "too slow", hub.CloseDraining: "draining", hub.CloseProtocol: "protocol",
		hub.CloseUnauthorized: "not authenticated", hub.CloseForbidden: "not (or no longer) allowed", hub.CloseRevoked: "revoked",
	} {
		row := "| " + strconv.Itoa(code) + " |"
		i := strings.Index(doc, row)
		if i < 0 || !strings.Contains(doc[i:i+200], meaning) {
			t.Errorf("close code %d (%s) is not in the table", code, meaning)
		}
	}
}
