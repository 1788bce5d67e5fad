// Package password hashes and verifies passwords with Argon2id (RFC 9106).
//
// Parameters: memory 46 MiB (47104 KiB), 1 pass, parallelism 1, 16-byte random salt, 32-byte
// key — the first of OWASP's recommended Argon2id configurations (Password Storage Cheat
// Sheet), chosen so that a login costs tens of milliseconds on a small server. The
// parameters are stored in each hash (PHC string format), so they can be raised later
// without invalidating existing hashes. At most MaxConcurrent hashes run at once, which bounds
// memory use to MaxConcurrent × 46 MiB whatever the request rate.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
)

// Params are Argon2id cost parameters.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// Default are the parameters new hashes use.
var Default = Params{Memory: 47104, Time: 1, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinLen and MaxLen bound a password's length in characters.
	MinLen = 12
	MaxLen = 256
	// MaxConcurrent is how many hashes may be computed at once.
	MaxConcurrent = 2
	// maxMemory refuses stored hashes that would cost more than 256 MiB to verify.
	maxMemory = 256 * 1024
)

// ErrMismatch is returned by Verify when the password does not match.
var ErrMismatch = errors.New("password: mismatch")

// ErrPolicy is returned by Hash when the password is too short or too long.
var ErrPolicy = errors.New("password: does not meet the length policy")

var slots = make(chan struct{}, MaxConcurrent)

// CheckPolicy reports whether pw may be used as a password: MinLen to MaxLen characters.
func CheckPolicy(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinLen || n > MaxLen || !utf8.ValidString(pw) {
		return ErrPolicy
	}
	return nil
}

// MinScore is the least zxcvbn score (0–4) a new password needs: 3, "safely unguessable",
// about 10^8 guesses or more.
const MinScore = 3

// Weakness says why a password is refused, in Dutch and English.
type Weakness struct {
	NL, EN string
}

// Judge reports why pw may not be used as a new password, or nil when it may: MinLen to
// MaxLen characters, and a zxcvbn estimate (github.com/trustelem/zxcvbn) of at least MinScore
// with userInputs (the person's e-mail address, name, organisation) counted as known words.
// The reason names the weakest pattern zxcvbn found.
func Judge(pw string, userInputs ...string) *Weakness {
	if CheckPolicy(pw) != nil {
		return &Weakness{fmt.Sprintf("Kies een wachtwoord van %d tot %d tekens.", MinLen, MaxLen),
			fmt.Sprintf("Choose a password of %d to %d characters.", MinLen, MaxLen)}
	}
	var inputs []string
	for _, in := range userInputs {
		inputs = append(inputs, strings.FieldsFunc(strings.ToLower(in), func(r rune) bool {
			return r == ' ' || r == '@' || r == '.' || r == '-' || r == '_'
		})...)
	}
	r := zxcvbn.PasswordStrength(pw, inputs)
	if rest := withoutWords(pw, inputs); len([]rune(rest)) < MinLen/2 {
		return &Weakness{"Dit wachtwoord is te makkelijk te raden: het bestaat vooral uit uw naam, e-mailadres of organisatie.",
			"This password is too easy to guess: it is mostly your name, e-mail address or organisation."}
	}
	if r.Score >= MinScore {
		return nil
	}
	const tail = " Een zin van een paar ongewone woorden is sterk en goed te onthouden."
	const tailEN = " A sentence of a few uncommon words is strong and easy to remember."
	reason := func(nl, en string) *Weakness {
		return &Weakness{"Dit wachtwoord is te makkelijk te raden: " + nl + tail, "This password is too easy to guess: " + en + tailEN}
	}
	for _, m := range r.Sequence {
		if len([]rune(m.Token)) < 3 {
			continue
		}
		switch m.Pattern {
		case "repeat":
			return reason("het herhaalt tekens of stukjes (zoals \"aaa\" of \"abcabc\").", "it repeats characters or pieces (like \"aaa\" or \"abcabc\").")
		case "sequence":
			return reason("het bevat een reeks (zoals \"abcd\" of \"1234\").", "it contains a sequence (like \"abcd\" or \"1234\").")
		case "spatial":
			return reason("het bevat een toetsenbordpatroon (zoals \"qwerty\").", "it contains a keyboard pattern (like \"qwerty\").")
		case "date":
			return reason("het bevat een datum of jaartal.", "it contains a date or year.")
		case "dictionary":
			if m.DictionaryName == "user_inputs" {
				return reason("het bevat uw naam, e-mailadres of organisatie.", "it contains your name, e-mail address or organisation.")
			}
			return reason("het bevat een veelgebruikt woord of wachtwoord.", "it contains a common word or password.")
		}
	}
	return reason("het lijkt te veel op veelgebruikte wachtwoorden.", "it looks too much like common passwords.")
}

// withoutWords is pw in lower case without the words (of 3 or more characters) and without
// anything but letters and digits: what is left once the person's own details are taken out.
func withoutWords(pw string, words []string) string {
	rest := strings.ToLower(pw)
	for _, w := range words {
		if len([]rune(w)) >= 3 {
			rest = strings.ReplaceAll(rest, w, "")
		}
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, rest)
}

// Hash returns the PHC-format Argon2id hash of pw with a fresh salt.
func Hash(pw string) (string, error) {
	if err := CheckPolicy(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	p := Default
	key := derive(pw, salt, p, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether pw matches encoded, comparing in constant time. It returns nil on a
// match, ErrMismatch on a mismatch, and another error for a damaged hash.
func Verify(pw, encoded string) error {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return err
	}
	if len(pw) > 4*MaxLen {
		pw = pw[:4*MaxLen] // still hash, so the time does not say the length was refused
	}
	got := derive(pw, salt, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// Dummy spends the time of one Verify without a stored hash, so that a login for an unknown
// email takes as long as one for a known email.
func Dummy(pw string) {
	_ = Verify(pw, dummyHash)
}

// dummyHash is a valid hash of a random password with the Default parameters.
var dummyHash = func() string {
	salt := make([]byte, saltLen)
	key := make([]byte, keyLen)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(key)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, Default.Memory, Default.Time, Default.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}()

func derive(pw string, salt []byte, p Params, n uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, n)
}

func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password: not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("password: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password: parameters: %w", err)
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return p, nil, nil, errors.New("password: parameters out of range")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("password: bad salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("password: bad key")
	}
	return p, salt, key, nil
}
