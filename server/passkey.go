package server

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// Passkeys (WebAuthn, github.com/go-webauthn/webauthn) as a second factor. The relying party
// is the host of the public URL (browsers refuse an IP address there: use a host name, such as
// localhost on one machine); the allowed origins are Config.Origins. The ceremony state
// between begin and finish lives for MFAWindow in the shared KV, so begin and finish may reach
// different instances.
const bucketWebAuthn = "webauthn-ceremonies" // account id + "/register" or "/login" → SessionData

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct{ acc *Account }

func (u passkeyUser) WebAuthnID() []byte                         { return u.acc.WebAuthnHandle }
func (u passkeyUser) WebAuthnName() string                       { return u.acc.Email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.acc.Name }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.acc.Passkeys }

// newWebAuthn configures the relying party for cfg; nil (passkeys unavailable, TOTP only)
// when the public URL's host is an IP address, which browsers refuse as a relying party.
func newWebAuthn(cfg Config) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil, nil
	}
	return webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: "Tafel", RPOrigins: cfg.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred,
		},
	})
}

var errPasskeyOff = meeting.NewError(meeting.CodeUnavailable, "Passkeys zijn op deze server niet beschikbaar.", "Passkeys are not available on this server.")

func (s *Server) saveCeremony(c echo.Context, key string, sd *webauthn.SessionData) error {
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	if err := s.putTTL(c.Request().Context(), bucketWebAuthn, key, b, MFAWindow); err != nil {
		return errUnavailable.WithCause(err)
	}
	return nil
}

// takeCeremony returns and forgets the ceremony state under key (one use).
func (s *Server) takeCeremony(c echo.Context, key string) (webauthn.SessionData, error) {
	ctx := c.Request().Context()
	var sd webauthn.SessionData
	b, err := s.kv.Get(ctx, bucketWebAuthn, key)
	if err != nil {
		return sd, invalid("Begin opnieuw met de passkey.", "Start again with the passkey.")
	}
	_ = s.kv.Delete(ctx, bucketWebAuthn, key)
	return sd, json.Unmarshal(b, &sd)
}

// handlePasskeyRegisterBegin returns the options for navigator.credentials.create().
func (s *Server) handlePasskeyRegisterBegin(c echo.Context) error {
	if s.webauthn == nil {
		return errPasskeyOff
	}
	acc, _, err := s.enrolling(c)
	if err != nil {
		return err
	}
	if len(acc.WebAuthnHandle) == 0 {
		acc.WebAuthnHandle = make([]byte, 32)
		_, _ = rand.Read(acc.WebAuthnHandle)
		if err := s.putAccount(c.Request().Context(), acc); err != nil {
			return err
		}
	}
	var exclude []protocol.CredentialDescriptor
	for _, cr := range acc.Passkeys {
		exclude = append(exclude, cr.Descriptor())
	}
	opts, sd, err := s.webauthn.BeginRegistration(passkeyUser{&acc}, webauthn.WithExclusions(exclude))
	if err != nil {
		return fmt.Errorf("passkey: begin registration: %w", err)
	}
	if err := s.saveCeremony(c, acc.ID+"/register", sd); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, opts)
}

var errPasskey = meeting.NewError(meeting.CodeInvalid, "De passkey werd niet geaccepteerd. Probeer het opnieuw.", "The passkey was not accepted. Try again.")

// readCredential reads the browser's PublicKeyCredential (JSON) from the body.
func readCredential(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, errTooLarge
	}
	return b, nil
}

// handlePasskeyRegisterFinish verifies the new credential and makes it a factor.
func (s *Server) handlePasskeyRegisterFinish(c echo.Context) error {
	if s.webauthn == nil {
		return errPasskeyOff
	}
	acc, m, err := s.enrolling(c)
	if err != nil {
		return err
	}
	body, err := readCredential(c)
	if err != nil {
		return err
	}
	sd, err := s.takeCeremony(c, acc.ID+"/register")
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(body))
	if err != nil {
		return errPasskey.WithCause(err)
	}
	cred, err := s.webauthn.CreateCredential(passkeyUser{&acc}, sd, parsed)
	if err != nil {
		return errPasskey.WithCause(err)
	}
	acc.Passkeys = append(acc.Passkeys, *cred)
	return s.factorEnrolled(c, acc, m, "passkey", "een passkey toegevoegd", "a passkey was added")
}

// handlePasskeyLoginBegin returns the options for navigator.credentials.get() for the account
// signing in.
func (s *Server) handlePasskeyLoginBegin(c echo.Context) error {
	if s.webauthn == nil {
		return errPasskeyOff
	}
	_, acc, err := s.pendingMFA(c)
	if err != nil {
		return err
	}
	if len(acc.Passkeys) == 0 {
		return invalid("Voor dit account is geen passkey ingesteld.", "No passkey is set up for this account.")
	}
	opts, sd, err := s.webauthn.BeginLogin(passkeyUser{&acc})
	if err != nil {
		return fmt.Errorf("passkey: begin login: %w", err)
	}
	if err := s.saveCeremony(c, acc.ID+"/login", sd); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, opts)
}

// handlePasskeyLoginFinish verifies the assertion and completes the sign-in.
func (s *Server) handlePasskeyLoginFinish(c echo.Context) error {
	if s.webauthn == nil {
		return errPasskeyOff
	}
	m, acc, err := s.pendingMFA(c)
	if err != nil {
		return err
	}
	body, err := readCredential(c)
	if err != nil {
		return err
	}
	sd, err := s.takeCeremony(c, acc.ID+"/login")
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(body))
	if err != nil {
		return s.secondFactorFailed(c, m, acc, "passkey")
	}
	cred, err := s.webauthn.ValidateLogin(passkeyUser{&acc}, sd, parsed)
	if err != nil {
		return s.secondFactorFailed(c, m, acc, "passkey")
	}
	for i := range acc.Passkeys {
		if bytes.Equal(acc.Passkeys[i].ID, cred.ID) {
			acc.Passkeys[i].Authenticator = cred.Authenticator // the signature counter
		}
	}
	if err := s.putAccount(c.Request().Context(), acc); err != nil {
		return err
	}
	if err := s.completeSignIn(c, acc, append(m.AMR, "hwk"), m.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.me(c))
}
