package jsonpatch

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

func same(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("result %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("patched document\n%s\nwant\n%s", got, want)
	}
}

func roundTrip(t *testing.T, a, b string) []Op {
	t.Helper()
	ops, err := Diff([]byte(a), []byte(b))
	if err != nil {
		t.Fatalf("Diff(%s, %s): %v", a, b, err)
	}
	got, err := Apply([]byte(a), ops)
	if err != nil {
		t.Fatalf("Apply(%s, %+v): %v", a, ops, err)
	}
	same(t, got, []byte(b))
	return ops
}

var cases = []struct{ name, a, b, ops string }{
	{"equal", `{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`, `null`},
	{"scalar changed", `{"a":1}`, `{"a":2}`, `[{"op":"replace","path":"/a","value":2}]`},
	{"window moved on", `{"l":[{"i":1},{"i":2},{"i":3}]}`, `{"l":[{"i":2},{"i":3},{"i":4}]}`,
		`[{"op":"remove","path":"/l/0"},{"op":"add","path":"/l/2","value":{"i":4}}]`},
	{"key added and removed", `{"a":1,"b":2}`, `{"a":1,"c":3}`,
		`[{"op":"remove","path":"/b"},{"op":"add","path":"/c","value":3}]`},
	{"nested", `{"m":{"r":[{"s":1},{"s":2}]}}`, `{"m":{"r":[{"s":1},{"s":3,"t":true}]}}`,
		`[{"op":"replace","path":"/m/r/1/s","value":3},{"op":"add","path":"/m/r/1/t","value":true}]`},
	{"array grows", `[1,2]`, `[1,2,3,4]`, `[{"op":"add","path":"/2","value":3},{"op":"add","path":"/3","value":4}]`},
	{"array shrinks", `[1,2,3,4]`, `[1,9]`,
		`[{"op":"replace","path":"/1","value":9},{"op":"remove","path":"/3"},{"op":"remove","path":"/2"}]`},
	{"type changed", `{"a":{"x":1}}`, `{"a":[1]}`, `[{"op":"replace","path":"/a","value":[1]}]`},
	{"to null", `{"a":{"x":1}}`, `{"a":null}`, `[{"op":"replace","path":"/a","value":null}]`},
	{"escaped keys", `{"a/b":1,"c~d":1}`, `{"a/b":2,"c~d":2}`,
		`[{"op":"replace","path":"/a~1b","value":2},{"op":"replace","path":"/c~0d","value":2}]`},
	{"whole document", `1`, `"x"`, `[{"op":"replace","path":"","value":"x"}]`},
	{"empty key", `{"":1}`, `{"":2}`, `[{"op":"replace","path":"/","value":2}]`},
}

func TestDiff(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			ops := roundTrip(t, tt.a, tt.b)
			got, _ := json.Marshal(ops)
			if string(got) != tt.ops {
				t.Fatalf("ops %s, want %s", got, tt.ops)
			}
		})
	}
}

func TestDiffRefusesInvalidJSON(t *testing.T) {
	for _, p := range [][2]string{{`{"a":1}`, `{"a":`}, {`{"a":`, `{"a":1}`}, {`[1`, `[2]`}, {`1`, `tru`}} {
		if _, err := Diff([]byte(p[0]), []byte(p[1])); err == nil {
			t.Errorf("Diff(%s, %s) accepted invalid JSON", p[0], p[1])
		}
	}
}

func TestApplyRefusesWhatDoesNotFit(t *testing.T) {
	doc := []byte(`{"a":[1,2],"b":{"c":1}}`)
	for _, op := range []Op{
		{Op: "replace", Path: "/x", Value: json.RawMessage(`1`)},
		{Op: "remove", Path: "/x"},
		{Op: "replace", Path: "/a/5", Value: json.RawMessage(`1`)},
		{Op: "add", Path: "/a/3", Value: json.RawMessage(`1`)},
		{Op: "add", Path: "/x/y", Value: json.RawMessage(`1`)},
		{Op: "move", Path: "/a"},
		{Op: "remove", Path: ""},
		{Op: "add", Path: "a", Value: json.RawMessage(`1`)},
		{Op: "add", Path: "/b/c/d", Value: json.RawMessage(`1`)},
	} {
		if _, err := Apply(doc, []Op{op}); err == nil {
			t.Errorf("Apply accepted %+v", op)
		}
	}
}

// randomDoc builds a random JSON value; mutate derives a changed copy, as views change.
func randomDoc(r *rand.Rand, depth int) any {
	switch n := r.IntN(8); {
	case depth > 3 || n < 3:
		return []any{nil, true, false, float64(r.IntN(100)), fmt.Sprint("s", r.IntN(5)), "a/b~c"}[r.IntN(6)]
	case n < 5:
		arr := make([]any, r.IntN(5))
		for i := range arr {
			arr[i] = randomDoc(r, depth+1)
		}
		return arr
	default:
		obj := map[string]any{}
		for range r.IntN(5) {
			obj[[]string{"a", "b", "c/d", "e~f", ""}[r.IntN(5)]] = randomDoc(r, depth+1)
		}
		return obj
	}
}

func mutate(r *rand.Rand, v any, depth int) any {
	if r.IntN(6) == 0 {
		return randomDoc(r, depth)
	}
	switch n := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(n)) { // sorted: the same seed, the same documents
			x := n[k]
			switch r.IntN(5) {
			case 0: // dropped
			case 1:
				out[k] = mutate(r, x, depth+1)
			default:
				out[k] = x
			}
		}
		if r.IntN(3) == 0 {
			out[fmt.Sprint("k", r.IntN(3))] = randomDoc(r, depth+1)
		}
		return out
	case []any:
		out := append([]any(nil), n...)
		if len(out) > 0 && r.IntN(3) == 0 {
			out = out[:r.IntN(len(out))]
		}
		for i := range out {
			if r.IntN(3) == 0 {
				out[i] = mutate(r, out[i], depth+1)
			}
		}
		for range r.IntN(3) {
			out = append(out, randomDoc(r, depth+1))
		}
		return out
	}
	return v
}

func randomPair(r *rand.Rand) ([]byte, []byte) {
	a := randomDoc(r, 0)
	b := mutate(r, a, 0)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return ja, jb
}

func TestDiffRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 5000 {
		a, b := randomPair(r)
		roundTrip(t, string(a), string(b))
	}
}

func FuzzDiff(f *testing.F) {
	for _, tt := range cases {
		f.Add([]byte(tt.a), []byte(tt.b))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ops, err := Diff(a, b)
		if !json.Valid(a) || !json.Valid(b) {
			return // refused or not: nothing to check beyond not panicking
		}
		if err != nil {
			t.Fatalf("Diff refused valid JSON %q %q: %v", a, b, err)
		}
		var da, db any
		if json.Unmarshal(a, &da) != nil || json.Unmarshal(b, &db) != nil {
			return // beyond what Apply's decoder holds (a number beyond float64)
		}
		got, err := Apply(a, ops)
		if err != nil {
			t.Fatalf("Apply(%q, %+v): %v", a, ops, err)
		}
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal(b, &w)
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("Apply(%q, Diff(a, %q)) = %q", a, b, got)
		}
	})
}

// vector is one case for the browser's patch code (frontend/src/lib/ws/patch.test.ts).
type vector struct {
	A   json.RawMessage `json:"a"`
	B   json.RawMessage `json:"b"`
	Ops []Op            `json:"ops"`
}

// TestVectors keeps testdata/vectors.json, which the frontend's tests apply, true to Diff.
func TestVectors(t *testing.T) {
	var vs []vector
	add := func(a, b []byte) {
		ops, err := Diff(a, b)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, vector{A: a, B: b, Ops: ops})
	}
	for _, tt := range cases {
		add([]byte(tt.a), []byte(tt.b))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		add(randomPair(r))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	want := "[" + strings.ReplaceAll(strings.TrimSpace(buf.String()), "\n", ",\n") + "]\n"
	const path = "testdata/vectors.json"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./hub/jsonpatch -run TestVectors -update)", err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: go test ./hub/jsonpatch -run TestVectors -update", path)
	}
}

// FuzzDiffEncoded: on any input, valid or not, DiffEncoded does not panic; on valid input it
// is Diff.
func FuzzDiffEncoded(f *testing.F) {
	for _, tt := range cases {
		f.Add([]byte(tt.a), []byte(tt.b))
	}
	f.Add([]byte(`{"a":[1,`), []byte(`{"a"`))
	f.Add([]byte(`["\`), []byte(`[`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		got := DiffEncoded(a, b)
		if want, err := Diff(a, b); err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("DiffEncoded = %+v, Diff = %+v", got, want)
		}
	})
}

// BenchmarkDiffView diffs two encoded views of a meeting in progress (eight rounds of ten
// scores, one score added): what the hub does once per audience per batch of events.
func BenchmarkDiffView(b *testing.B) {
	type score struct {
		Participant, Subject, Meaning, NotHigher string
		Value                                    int
	}
	type round struct {
		ID     string
		Scores []score
	}
	rounds := make([]round, 8)
	for i := range rounds {
		rounds[i].ID = fmt.Sprint("m1-r", i+1)
		for j := range 10 {
			rounds[i].Scores = append(rounds[i].Scores, score{fmt.Sprint("u:", j), "janna",
				"Thuis is het rustig, afspraken worden nagekomen.", "Nog geen zicht op de avonden.", 6})
		}
	}
	a, _ := json.Marshal(map[string]any{"seq": 1, "current": map[string]any{"rounds": rounds}})
	rounds[7].Scores = append(rounds[7].Scores, score{"u:x", "janna", "Nieuw.", "Nog niet.", 7})
	c, _ := json.Marshal(map[string]any{"seq": 2, "current": map[string]any{"rounds": rounds}})
	b.SetBytes(int64(len(c)))
	for b.Loop() {
		if ops := DiffEncoded(a, c); len(ops) != 2 {
			b.Fatalf("%d operations", len(ops))
		}
	}
}

// TestWindowMovedOn: a bounded list that moved on by one (the oldest dropped, one appended)
// is two operations, not a replace of every element, and applies to the same document.
func TestWindowMovedOn(t *testing.T) {
	a := []byte(`{"l":[{"id":1},{"id":2},{"id":3}],"n":1}`)
	b := []byte(`{"l":[{"id":2},{"id":3},{"id":4}],"n":1}`)
	ops := DiffEncoded(a, b)
	if len(ops) != 2 || ops[0].Op != "remove" || ops[0].Path != "/l/0" || ops[1].Op != "add" || ops[1].Path != "/l/2" {
		t.Fatalf("ops %+v, want remove /l/0 and add /l/2", ops)
	}
	got, err := Apply(a, ops)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, b)
	// DiffAt under a path gives the operations of the whole document's diff.
	at := DiffAt(nil, "/l", []byte(`[{"id":1},{"id":2},{"id":3}]`), []byte(`[{"id":2},{"id":3},{"id":4}]`))
	if len(at) != 2 || at[0].Path != "/l/0" || at[1].Path != "/l/2" || string(at[1].Value) != `{"id":4}` {
		t.Fatalf("DiffAt ops %+v", at)
	}
}
