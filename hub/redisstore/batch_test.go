package redisstore

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// TestDecodeBatch checks the decoder of the message the append script publishes, including
// the malformed messages it must refuse rather than misread.
func TestDecodeBatch(t *testing.T) {
	recs, err := decodeBatch("7 2 3 2 0\ncmdab")
	if err != nil {
		t.Fatalf("decodeBatch: %v", err)
	}
	if len(recs) != 2 || recs[0].Seq != 7 || recs[1].Seq != 8 || recs[0].CommandID != "cmd" ||
		string(recs[0].Data) != "ab" || string(recs[1].Data) != "" || recs[1].CommandID != "cmd" {
		t.Fatalf("decodeBatch = %+v", recs)
	}
	// Data may contain newlines and any byte.
	data := "a\nb\x00\xff"
	recs, err = decodeBatch("1 1 1 " + strconv.Itoa(len(data)) + "\nc" + data)
	if err != nil || len(recs) != 1 || string(recs[0].Data) != data {
		t.Fatalf("decodeBatch with binary data = %+v, %v", recs, err)
	}
	for _, bad := range []string{
		"",
		"no header",
		"1 1 1 1\nc",       // shorter than the header says
		"1 1 1 1\ncab",     // longer
		"1 2 1 1\nca",      // fewer lengths than records
		"0 1 1 1\nca",      // sequence 0
		"1 0 1\nc",         // no records
		"1 x 1 1\nca",      // not a number
		"1 1 -1 1\nca",     // negative length
		"1 1 99999999 1\n", // absurd length
	} {
		if recs, err := decodeBatch(bad); err == nil {
			t.Errorf("decodeBatch(%q) = %+v, want an error", bad, recs)
		}
	}
}

// TestParseAppendReply covers the replies of the append script, including a malformed one.
func TestParseAppendReply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply []any
		want  string
	}{
		{"appended", []any{int64(1), int64(4), int64(5)}, "{First:4 Last:5 Duplicate:false}"},
		{"duplicate of another call", []any{int64(0), "4:5:other"}, "{First:4 Last:5 Duplicate:true}"},
		{"own retry", []any{int64(0), "4:5:mine"}, "{First:4 Last:5 Duplicate:false}"},
		{"conflict", []any{int64(-1), int64(9)}, "conflict"},
		{"short", []any{int64(1), int64(4)}, "error"},
		{"bad duplicate", []any{int64(0), "4"}, "error"},
		{"unknown status", []any{int64(5), int64(4)}, "error"},
	} {
		res, err := parseAppendReply("c", 3, "mine", tc.reply)
		got := fmtResult(res, err)
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func fmtResult(res hub.AppendResult, err error) string {
	switch {
	case errors.Is(err, hub.ErrConflict):
		return "conflict"
	case err != nil:
		return "error"
	}
	return fmt.Sprintf("%+v", res)
}
