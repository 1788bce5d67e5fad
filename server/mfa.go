package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Second factors: TOTP (RFC 6238: 30-second steps, 6 digits, SHA-1, as every authenticator app
// does; one step of clock skew either way; no code accepted twice), one-time recovery codes,
// and passkeys (passkey.go). They are enrolled right after the first password set-up (the
// mfa token then says Enrol) or later from a session, and asked at every sign-in.
const (
	bucketTOTPPending = "totp-pending" // account id → base32 secret being enrolled
	totpPeriod        = 30
	recoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// enrolling returns who is enrolling a factor: someone signing in whose account has none yet
// (the mfa cookie says Enrol; m is returned), or a signed-in professional adding one.
func (s *Server) enrolling(c echo.Context) (Account, *token.MFA, error) {
	if m, acc, err := s.pendingMFA(c); err == nil {
		if !m.Enrol {
			return Account{}, nil, meeting.NewError(meeting.CodeForbidden, "Geef eerst uw tweede stap; daarna kunt u er een toevoegen.",
				"Give your second factor first; then you can add another.")
		}
		return acc, &m, nil
	}
	a, err := s.authenticate(c)
	if err != nil {
		return Account{}, nil, err
	}
	accID, ok := strings.CutPrefix(a.Principal.ID, "u:")
	if !ok || !a.Principal.Professional {
		return Account{}, nil, errForbidden
	}
	acc, err := s.getAccount(c.Request().Context(), accID)
	return acc, nil, err
}

type totpBegun struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
	QR     string `json:"qr"`
}

// handleTOTPBegin makes a new TOTP secret for the caller to put in an authenticator app; it
// counts once confirmed with a code (handleTOTPConfirm).
func (s *Server) handleTOTPBegin(c echo.Context) error {
	acc, _, err := s.enrolling(c)
	if err != nil {
		return err
	}
	issuer := "Tafel"
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: acc.Email, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return err
	}
	if err := s.putTTL(c.Request().Context(), bucketTOTPPending, acc.ID, []byte(key.Secret()), MFAWindow); err != nil {
		return errUnavailable.WithCause(err)
	}
	png, err := qrcode.Encode(key.URL(), qrcode.Medium, 256)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, totpBegun{Secret: key.Secret(), URL: key.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
}

type codeInput struct {
	Code string `json:"code"`
}

// enrolled is the answer to an enrolment: the recovery codes when they were made now (shown
// once), and who is signed in when the enrolment completed a sign-in.
type enrolled struct {
	RecoveryCodes []string `json:"recoveryCodes,omitempty"`
	Me            *meView  `json:"me,omitempty"`
}

// handleTOTPConfirm checks a code of the secret being enrolled and makes TOTP a factor of the
// account.
func (s *Server) handleTOTPConfirm(c echo.Context) error {
	acc, m, err := s.enrolling(c)
	if err != nil {
		return err
	}
	var in codeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	secret, err := s.kv.Get(ctx, bucketTOTPPending, acc.ID)
	if err != nil {
		return invalid("Begin opnieuw met het instellen van de code-app.", "Start setting up the authenticator app again.")
	}
	step, ok := totpMatch(string(secret), in.Code, s.now(), 0)
	if !ok {
		return invalid("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer de volgende code.",
			"This code is not right. Check the time on your phone and try the next code.")
	}
	acc.TOTPSecret, acc.TOTPLastStep = string(secret), step
	_ = s.kv.Delete(ctx, bucketTOTPPending, acc.ID)
	return s.factorEnrolled(c, acc, m, "totp", "een code-app (TOTP) toegevoegd", "an authenticator app (TOTP) was added")
}

// factorEnrolled stores acc with its new factor, makes recovery codes when it has none, logs
// and notifies, and completes the sign-in when m (an enrolment during sign-in) is set.
func (s *Server) factorEnrolled(c echo.Context, acc Account, m *token.MFA, method, whatNL, whatEN string) error {
	ctx := c.Request().Context()
	var out enrolled
	if len(acc.RecoveryCodes) == 0 {
		out.RecoveryCodes, acc.RecoveryCodes = newRecoveryCodes()
	}
	if err := s.putAccount(ctx, acc); err != nil {
		return err
	}
	if err := s.recordSignIn(c, acc, ActionFactorAdd, audit.OutcomeGranted, method+" enrolled by the account holder"); err != nil {
		return err
	}
	s.notify(ctx, mailer.FactorChanged(acc.Email, acc.Name, whatNL, whatEN, s.now()))
	if m != nil {
		if err := s.completeSignIn(c, acc, append(m.AMR, method), m.ID); err != nil {
			return err
		}
		me := s.me(c)
		out.Me = &me
	}
	return c.JSON(http.StatusOK, out)
}

// handleTOTP completes a sign-in with a TOTP code.
func (s *Server) handleTOTP(c echo.Context) error {
	m, acc, err := s.pendingMFA(c)
	if err != nil {
		return err
	}
	var in codeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if acc.TOTPSecret == "" {
		return invalid("Voor dit account is geen code-app ingesteld.", "No authenticator app is set up for this account.")
	}
	step, ok := totpMatch(acc.TOTPSecret, in.Code, s.now(), acc.TOTPLastStep)
	if !ok {
		return s.secondFactorFailed(c, m, acc, "totp")
	}
	acc.TOTPLastStep = step
	if err := s.putAccount(c.Request().Context(), acc); err != nil {
		return err
	}
	if err := s.completeSignIn(c, acc, append(m.AMR, "otp"), m.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.me(c))
}

// handleRecoveryCode completes a sign-in with a one-time recovery code (and spends it).
func (s *Server) handleRecoveryCode(c echo.Context) error {
	m, acc, err := s.pendingMFA(c)
	if err != nil {
		return err
	}
	var in codeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	h := hashRecoveryCode(in.Code)
	idx := -1
	for i, stored := range acc.RecoveryCodes {
		if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) == 1 {
			idx = i
		}
	}
	if idx < 0 {
		return s.secondFactorFailed(c, m, acc, "recovery code")
	}
	acc.RecoveryCodes = append(acc.RecoveryCodes[:idx:idx], acc.RecoveryCodes[idx+1:]...)
	ctx := c.Request().Context()
	if err := s.putAccount(ctx, acc); err != nil {
		return err
	}
	if err := s.recordSignIn(c, acc, ActionRecoveryUse, audit.OutcomeGranted, "recovery code used; "+itoa(len(acc.RecoveryCodes))+" left"); err != nil {
		return err
	}
	s.notify(ctx, mailer.FactorChanged(acc.Email, acc.Name, "een herstelcode gebruikt om aan te melden", "a recovery code was used to sign in", s.now()))
	if err := s.completeSignIn(c, acc, append(m.AMR, "recovery"), m.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.me(c))
}

// totpMatch finds the time step (within one of now, and after last) whose code is code.
func totpMatch(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for _, st := range []int64{cur - 1, cur, cur + 1} {
		if st <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// recoveryAlphabet leaves out look-alike characters.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCodes returns recoveryCodeCount fresh codes ("xxxxx-xxxxx") and their hashes.
func newRecoveryCodes() (codes, hashes []string) {
	for range recoveryCodeCount {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		var sb strings.Builder
		for i, x := range b {
			if i == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, hashRecoveryCode(sb.String()))
	}
	return codes, hashes
}

// hashRecoveryCode hashes a recovery code as typed (case, spaces and dashes do not matter).
// The codes carry 49 bits of randomness, so a plain SHA-256 is enough.
func hashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("tafel-recovery:" + norm))
	return hex.EncodeToString(sum[:])
}
