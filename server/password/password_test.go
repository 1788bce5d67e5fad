package password

import (
	"errors"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=47104,t=1,p=1$") {
		t.Errorf("got hash %q, want argon2id PHC string with default parameters", h)
	}
	if err := Verify("correct horse battery", h); err != nil {
		t.Errorf("right password: got %v, want nil", err)
	}
	if err := Verify("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := Hash("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"too short", "elevenchars", false},
		{"minimum", "twelve chars", true},
		{"too long", strings.Repeat("x", MaxLen+1), false},
		{"invalid utf-8", "abcdefghijk\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Hash(tt.pw)
			if got := err == nil; got != tt.ok {
				t.Errorf("Hash(%q): got err %v, want ok=%v", tt.name, err, tt.ok)
			}
		})
	}
}

func TestVerifyRefusesDamagedHash(t *testing.T) {
	for name, h := range map[string]string{
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuv",
		"huge memory":   "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"empty":         "",
		"argon2i":       "$argon2i$v=19$m=47104,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"wrong version": "$argon2id$v=16$m=47104,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
	} {
		t.Run(name, func(t *testing.T) {
			err := Verify("whatever password", h)
			if err == nil || errors.Is(err, ErrMismatch) {
				t.Errorf("got %v, want a damaged-hash error", err)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name, pw string
		inputs   []string
		wantEN   string // "" = accepted
	}{
		{"repeat", "aaaaaaaaaaaa", nil, "repeats"},
		{"sequence", "abcdefghijklmnop", nil, "sequence"},
		{"keyboard", "qwertyuiopasdf", nil, "common"},
		{"common", "password1234", nil, "common"},
		{"own name", "jansenvisser2", []string{"h.jansenvisser@example.nl", "Hanna Jansenvisser"}, "name"},
		{"too short", "kort", nil, "Choose a password of 12"},
		{"strong phrase", "correct horse battery staple", nil, ""},
		{"dutch phrase", "een-lang-demo-wachtwoord", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := Judge(tt.pw, tt.inputs...)
			switch {
			case tt.wantEN == "" && w != nil:
				t.Errorf("refused: %s", w.EN)
			case tt.wantEN != "" && w == nil:
				t.Errorf("accepted, want refused (%s)", tt.wantEN)
			case w != nil && (!strings.Contains(w.EN, tt.wantEN) || w.NL == ""):
				t.Errorf("got %q / %q, want the English reason to name %q", w.NL, w.EN, tt.wantEN)
			}
		})
	}
}
