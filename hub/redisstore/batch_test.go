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
	// Several commands: one segment each, their records following each other.
	recs, err = decodeBatch("3 1 1 1\nax4 2 2 1 1\nbcyz")
	if err != nil || len(recs) != 3 || recs[0].Seq != 3 || recs[0].CommandID != "a" || string(recs[0].Data) != "x" ||
		recs[1].Seq != 4 || recs[1].CommandID != "bc" || string(recs[1].Data) != "y" || recs[2].Seq != 5 || string(recs[2].Data) != "z" {
		t.Fatalf("decodeBatch of two commands = %+v, %v", recs, err)
	}
	for _, bad := range []string{
		"3 1 1 1\nax5 1 1 1\nby", // a gap between the commands
		"3 1 1 1\naxjunk",        // trailing bytes that are no segment
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
		n     int
		reply []any
		want  string
	}{
		{"appended", 1, []any{int64(1), "", int64(4), int64(5)}, "[{First:4 Last:5 Duplicate:false}]"},
		{"appended two", 2, []any{int64(1), "", int64(4), int64(5), int64(6), int64(6)}, "[{First:4 Last:5 Duplicate:false} {First:6 Last:6 Duplicate:false}]"},
		{"duplicate of another call", 1, []any{int64(0), "4:5:other"}, "[{First:4 Last:5 Duplicate:true}]"},
		{"own retry", 1, []any{int64(0), "4:5:mine"}, "[{First:4 Last:5 Duplicate:false}]"},
		{"conflict", 1, []any{int64(-1), int64(9)}, "conflict"},
		{"mixed", 2, []any{int64(-2), int64(9)}, "conflict"},
		{"short", 1, []any{int64(1), "", int64(4)}, "error"},
		{"short batch", 2, []any{int64(1), "", int64(4), int64(5)}, "error"},
		{"bad duplicate", 1, []any{int64(0), "4"}, "error"},
		{"unknown status", 1, []any{int64(5), int64(4)}, "error"},
	} {
		res, _, err := parseAppendReply("c", 3, "mine", tc.n, tc.reply)
		got := fmtResult(res, err)
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func fmtResult(res []hub.AppendResult, err error) string {
	switch {
	case errors.Is(err, hub.ErrConflict):
		return "conflict"
	case err != nil:
		return "error"
	}
	return fmt.Sprintf("%+v", res)
}
