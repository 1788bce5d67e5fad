package server

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// Short codes (issue 14): an invitation is shared as <public-url>/j/<CODE> and the shared
// screen shows the code itself to type at /join, like Mentimeter — eight characters of an
// alphabet without look-alikes (no 0/O, 1/I/L, 5/S, 8/B, 2/Z, 9/G), not the 400-character token. The
// code stands for the invitation's token in the key-value store until the invitation expires;
// redeeming by code is redeeming the token (single use, the same checks).

// ShortCodeAlphabet is the alphabet of short codes: upper-case letters and digits without
// characters that read alike.
const ShortCodeAlphabet = "ACDEFGHJKMNPQRTUVWXY23467"

// ShortCodeLen is the length of a short code: 25^8 ≈ 1.5·10^11 codes.
const ShortCodeLen = 8

const bucketShortCodes = "shortcodes"

var errCodeUnknown = meeting.NewError(meeting.CodeUnauthenticated,
	"Deze code klopt niet of is verlopen. Kijk nog eens goed op het scherm, of vraag de voorzitter om een nieuwe.",
	"This code is not right or has expired. Look at the screen again, or ask the chair for a new one.")

// newShortCode draws a random short code.
func newShortCode() string {
	b := make([]byte, ShortCodeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	out := make([]byte, ShortCodeLen)
	for i, x := range b {
		// 256 = 10·25 + 6: the slight bias (6 of 256) does not matter for a single-use,
		// expiring code behind the redeem rate limit.
		out[i] = ShortCodeAlphabet[int(x)%len(ShortCodeAlphabet)]
	}
	return string(out)
}

// NormalizeShortCode reads a code as a person types it: any case, with spaces or dashes. It
// reports false for anything that is not a short code.
func NormalizeShortCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case strings.ContainsRune(ShortCodeAlphabet, r):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != ShortCodeLen {
		return "", false
	}
	return b.String(), true
}

// putShortCode stores a new short code for the invitation token raw until exp and returns it.
func (s *Server) putShortCode(ctx context.Context, raw string, exp time.Time) (string, error) {
	ttl := time.Until(exp) + time.Minute
	if ttl < time.Minute {
		ttl = time.Minute
	}
	for range 5 {
		code := newShortCode()
		ok, err := s.kv.PutIfAbsent(ctx, bucketShortCodes, code, []byte(raw), ttl)
		if err != nil {
			return "", errUnavailable.WithCause(err)
		}
		if ok {
			return code, nil
		}
	}
	return "", errUnavailable.WithCause(errors.New("no free short code after 5 draws"))
}

// tokenOfShortCode is the invitation token a typed or scanned code stands for.
func (s *Server) tokenOfShortCode(ctx context.Context, typed string) (string, error) {
	code, ok := NormalizeShortCode(typed)
	if !ok {
		return "", errCodeUnknown
	}
	raw, err := s.kv.Get(ctx, bucketShortCodes, code)
	if errors.Is(err, kv.ErrNotFound) {
		return "", errCodeUnknown
	}
	if err != nil {
		return "", errUnavailable.WithCause(err)
	}
	return string(raw), nil
}

// shortURL is the link of a short code: <public-url>/j/<CODE>.
func (s *Server) shortURL(code string) string { return s.cfg.PublicURL + "/j/" + code }
