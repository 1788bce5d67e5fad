// Package jsonpatch computes JSON Patches (RFC 6902) between two JSON documents, so that a
// client holding the first can be sent only what changed. Diff emits the operations add,
// remove and replace; arrays are compared element by element (what is appended to an array is
// added, what is dropped from its end removed), objects key by key, and any other change
// replaces the value. Apply is the reverse, for the operations Diff emits.
package jsonpatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Operations are in a fixed order: per object, removed keys then the others, in document
// order; per array, the common elements, then what was removed from the end, then what was
// appended — or, when the array moved on by one (its first element dropped, one appended),
// the removal of the first and the addition of the last. Values in operations are subslices of b.

// Op is one operation of a patch.
type Op struct {
	Op    string          `json:"op"` // "add", "remove" or "replace"
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Diff returns the operations that turn the JSON document a into b. Both must be valid
// JSON; equal documents give no operations. Diff splits the documents in place, without
// decoding them: its cost is a few passes over the bytes of what changed.
func Diff(a, b []byte) ([]Op, error) {
	if !json.Valid(a) || !json.Valid(b) {
		return nil, errors.New("jsonpatch: invalid JSON")
	}
	return DiffEncoded(a, b), nil
}

// DiffEncoded is Diff for documents that are valid by construction (written by
// encoding/json): it skips the validation, which costs as much as the diff itself. On invalid
// JSON its result is undefined (but it does not panic).
func DiffEncoded(a, b []byte) []Op {
	var ops []Op
	a, b = trim(a), trim(b)
	if len(a) == 0 || len(b) == 0 {
		if !bytes.Equal(a, b) {
			ops = append(ops, Op{Op: "replace", Path: "", Value: b})
		}
		return ops
	}
	diff(&ops, "", a, b)
	return ops
}

// DiffAt appends to ops the operations that turn the value a at path into b (both valid by
// construction, as for DiffEncoded), with every path under path (an RFC 6901 pointer, "" for
// the document): a document diffed in parts gives the same result as diffed whole.
func DiffAt(ops []Op, path string, a, b []byte) []Op {
	a, b = trim(a), trim(b)
	if len(a) == 0 || len(b) == 0 {
		if !bytes.Equal(a, b) {
			ops = append(ops, Op{Op: "replace", Path: path, Value: b})
		}
		return ops
	}
	diff(&ops, path, a, b)
	return ops
}

// diff compares two valid, trimmed JSON values.
func diff(ops *[]Op, path string, a, b []byte) {
	if bytes.Equal(a, b) {
		return
	}
	switch {
	case len(a) == 0 || len(b) == 0: // only in invalid input (DiffEncoded)
		*ops = append(*ops, Op{Op: "replace", Path: path, Value: b})
	case a[0] == '{' && b[0] == '{':
		diffObjects(ops, path, a, b)
	case a[0] == '[' && b[0] == '[':
		diffArrays(ops, path, a, b)
	default:
		*ops = append(*ops, Op{Op: "replace", Path: path, Value: b})
	}
}

// member is one member of an object: its decoded key and its value.
type member struct {
	key   string
	value []byte
}

func diffObjects(ops *[]Op, path string, a, b []byte) {
	ma, mb := members(a), members(b)
	inA := make(map[string][]byte, len(ma))
	for _, m := range ma {
		inA[m.key] = m.value // the last of duplicate keys counts, as when decoding
	}
	lastB := make(map[string]int, len(mb))
	for i, m := range mb {
		lastB[m.key] = i
	}
	removed := map[string]bool{}
	for _, m := range ma {
		if _, ok := lastB[m.key]; !ok && !removed[m.key] {
			*ops = append(*ops, Op{Op: "remove", Path: path + "/" + escape(m.key)})
			removed[m.key] = true // once, also for a duplicate key
		}
	}
	for i, m := range mb {
		if lastB[m.key] != i {
			continue // a duplicate key: the last one counts
		}
		va, ok := inA[m.key]
		if !ok {
			*ops = append(*ops, Op{Op: "add", Path: path + "/" + escape(m.key), Value: m.value})
			continue
		}
		diff(ops, path+"/"+escape(m.key), va, m.value)
	}
}

func diffArrays(ops *[]Op, path string, a, b []byte) {
	sa, sb := elements(a), elements(b)
	if shifted(sa, sb) { // a window moved on by one: the oldest went, one came
		*ops = append(*ops, Op{Op: "remove", Path: path + "/0"},
			Op{Op: "add", Path: path + "/" + strconv.Itoa(len(sb)-1), Value: sb[len(sb)-1]})
		return
	}
	common := min(len(sa), len(sb))
	for i := range common {
		diff(ops, path+"/"+strconv.Itoa(i), sa[i], sb[i])
	}
	for i := len(sa) - 1; i >= len(sb); i-- { // from the end, so each index is still valid
		*ops = append(*ops, Op{Op: "remove", Path: path + "/" + strconv.Itoa(i)})
	}
	for i := len(sa); i < len(sb); i++ {
		*ops = append(*ops, Op{Op: "add", Path: path + "/" + strconv.Itoa(i), Value: sb[i]})
	}
}

// shifted reports whether b is a with its first element dropped and one appended (a bounded
// list of recent entries that moved on), which two operations say better than a replace of
// every element.
func shifted(a, b [][]byte) bool {
	n := len(a)
	if n < 2 || len(b) != n || bytes.Equal(a[0], b[0]) {
		return false
	}
	for i := 1; i < n; i++ {
		if !bytes.Equal(a[i], b[i-1]) {
			return false
		}
	}
	return true
}

// members splits a valid JSON object into its members; the values are subslices of obj.
func members(obj []byte) []member {
	var out []member
	eachItem(obj, '}', func(i int) int {
		end := skipString(obj, i)
		key := obj[i:end]
		i = skipSpace(obj, skipSpace(obj, end)+1) // past the colon
		vEnd := skipValue(obj, i)
		out = append(out, member{key: decodeKey(key), value: obj[i:vEnd]})
		return vEnd
	})
	return out
}

// elements splits a valid JSON array into its elements, subslices of arr.
func elements(arr []byte) [][]byte {
	var out [][]byte
	eachItem(arr, ']', func(i int) int {
		end := skipValue(arr, i)
		out = append(out, arr[i:end])
		return end
	})
	return out
}

// eachItem calls item at the start of every member or element of the object or array b (which
// ends with closing); item returns the index just after what it read.
func eachItem(b []byte, closing byte, item func(i int) int) {
	i := skipSpace(b, 1)
	for i < len(b) && b[i] != closing {
		start := i
		i = skipSpace(b, item(i))
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		if i <= start {
			return // no progress: only in invalid input
		}
	}
}

func decodeKey(quoted []byte) string {
	if len(quoted) < 2 {
		return "" // only in invalid input (DiffEncoded)
	}
	if bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted) {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // valid: checked by Diff
	return s
}

func trim(b []byte) []byte {
	start := skipSpace(b, 0)
	return b[start:max(start, len(b)-trailingSpace(b))]
}

func trailingSpace(b []byte) int {
	n := 0
	for n < len(b) && isSpace(b[len(b)-1-n]) {
		n++
	}
	return n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	i = min(i, len(b))
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return min(i, len(b)) // unterminated: only in invalid input
}

// skipValue returns the index just after the valid JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return min(i, len(b))
	default: // a number, true, false or null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && !isSpace(b[i]) {
			i++
		}
		return i
	}
}

var pathEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escape(key string) string { return pathEscaper.Replace(key) }
