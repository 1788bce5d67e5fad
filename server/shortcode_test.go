package server

import (
	"strings"
	"testing"
)

// TestShortCode: codes are ShortCodeLen characters of the alphabet without look-alikes, and a
// code is read however a person types it.
func TestShortCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := newShortCode()
		if len(c) != ShortCodeLen || strings.Trim(c, ShortCodeAlphabet) != "" {
			t.Fatalf("code %q is not %d characters of %s", c, ShortCodeLen, ShortCodeAlphabet)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("1000 draws gave only %d different codes", len(seen))
	}
	for _, look := range "0O1IL5S8BZ9" {
		if strings.ContainsRune(ShortCodeAlphabet, look) {
			t.Errorf("the alphabet holds the look-alike %q", look)
		}
	}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ACDE FGHJ", "ACDEFGHJ", true},
		{"acde-fghj", "ACDEFGHJ", true},
		{" ACDEFGHJ\t", "ACDEFGHJ", true},
		{"ACDEFGH", "", false},
		{"ACDEFGHJK", "", false},
		{"ACDEFGH0", "", false},
		{"ACDEFGH/", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeShortCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeShortCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
