package jsonpatch

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Apply returns doc with ops applied, for the operations Diff emits (add, remove, replace).
// It is what a client does with a patch; the hub only uses Diff.
func Apply(doc []byte, ops []Op) ([]byte, error) {
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("jsonpatch: %w", err)
	}
	for _, op := range ops {
		var err error
		if root, err = applyOp(root, op); err != nil {
			return nil, err
		}
	}
	return json.Marshal(root)
}

func applyOp(root any, op Op) (any, error) {
	var value any
	if op.Op != "remove" {
		if err := json.Unmarshal(op.Value, &value); err != nil {
			return nil, fmt.Errorf("jsonpatch: %s %q: %w", op.Op, op.Path, err)
		}
	}
	if op.Path == "" {
		if op.Op == "remove" {
			return nil, fmt.Errorf("jsonpatch: cannot remove the whole document")
		}
		return value, nil
	}
	if !strings.HasPrefix(op.Path, "/") {
		return nil, fmt.Errorf("jsonpatch: path %q does not start with /", op.Path)
	}
	tokens := strings.Split(op.Path[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
	}
	return set(root, tokens, op, value)
}

// set returns node with the operation applied at tokens below it.
func set(node any, tokens []string, op Op, value any) (any, error) {
	last := len(tokens) == 1
	switch n := node.(type) {
	case map[string]any:
		k := tokens[0]
		if !last {
			child, ok := n[k]
			if !ok {
				return nil, fmt.Errorf("jsonpatch: %s %q: no member %q", op.Op, op.Path, k)
			}
			v, err := set(child, tokens[1:], op, value)
			n[k] = v
			return n, err
		}
		switch op.Op {
		case "remove":
			if _, ok := n[k]; !ok {
				return nil, fmt.Errorf("jsonpatch: remove %q: no member %q", op.Path, k)
			}
			delete(n, k)
		case "replace":
			if _, ok := n[k]; !ok {
				return nil, fmt.Errorf("jsonpatch: replace %q: no member %q", op.Path, k)
			}
			n[k] = value
		case "add":
			n[k] = value
		default:
			return nil, fmt.Errorf("jsonpatch: unknown operation %q", op.Op)
		}
		return n, nil
	case []any:
		i, err := strconv.Atoi(tokens[0])
		if err != nil || i < 0 || i > len(n) || (i == len(n) && !(last && op.Op == "add")) {
			return nil, fmt.Errorf("jsonpatch: %s %q: bad index %q", op.Op, op.Path, tokens[0])
		}
		if !last {
			v, err := set(n[i], tokens[1:], op, value)
			n[i] = v
			return n, err
		}
		switch op.Op {
		case "remove":
			return append(n[:i], n[i+1:]...), nil
		case "replace":
			n[i] = value
			return n, nil
		case "add":
			n = append(n, nil)
			copy(n[i+1:], n[i:])
			n[i] = value
			return n, nil
		default:
			return nil, fmt.Errorf("jsonpatch: unknown operation %q", op.Op)
		}
	default:
		return nil, fmt.Errorf("jsonpatch: %s %q: not inside an object or array", op.Op, op.Path)
	}
}
