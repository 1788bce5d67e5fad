package server

import (
	"context"
	"time"

	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Test hooks for the external test package (server_test), which needs the real stores; they
// import this package, so the tests cannot live inside it.

// Tokens returns the server's token issuer.
func (s *Server) Tokens() *token.Issuer { return s.tokens }

// CookieName returns the session cookie's name.
func (s *Server) CookieName() string { return s.cookieName() }

// AuditLog returns the access log.
func (s *Server) AuditLog() *audit.Log { return s.audit }

// AccountInput is the editable part of an account.
type AccountInput = accountInput

// CreateAccountWithHash stores an account with a ready password hash.
func (s *Server) CreateAccountWithHash(ctx context.Context, in AccountInput, hash string) (Account, error) {
	return s.createAccount(ctx, in, hash)
}

// LimiterLen returns the number of client addresses the API limiter tracks.
func (s *Server) LimiterLen() int { return s.apiLimit.Len() }

// RecordRevocation stores session sid as revoked without publishing it or closing its
// sockets: an instance that missed the revocation message.
func (s *Server) RecordRevocation(ctx context.Context, sid string) error {
	_, err := s.kv.PutIfAbsent(ctx, bucketRevoked, sid, []byte("test"), time.Hour)
	return err
}

// FlushRefusals writes every folded refusal now (as at the end of its minute).
func (s *Server) FlushRefusals() { s.flushRefusals(context.Background(), true) }

// NetworkOf is networkOf: the network an address counts toward for sign-in limits.
var NetworkOf = networkOf
