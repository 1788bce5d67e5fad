package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// routes builds the Echo instance with Tafel's middleware and routes. Content routes of a
// case (meetings, minutes) are added with CaseRoute by the code that owns the domain.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Our own extractor: X-Forwarded-For / X-Real-IP only from trusted proxies.
	e.IPExtractor = s.ip.Extract
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.observe, s.securityHeaders, s.rateLimit, s.bodyLimit, s.csrf)

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics())
	e.GET("/ws", s.handleWS)

	api := e.Group("/api")
	api.POST("/setup", s.handleSetup)
	api.POST("/setup/about", s.handleSetupAbout)
	api.GET("/about", s.handleAbout)
	api.POST("/login", s.handleLogin)
	api.POST("/logout", s.handleLogout)
	api.POST("/password-reset", s.handleResetRequest)
	api.POST("/2fa/totp/begin", s.handleTOTPBegin)
	api.POST("/2fa/totp/confirm", s.handleTOTPConfirm)
	api.POST("/2fa/totp", s.handleTOTP)
	api.POST("/2fa/recovery", s.handleRecoveryCode)
	api.POST("/2fa/passkey/register/begin", s.handlePasskeyRegisterBegin)
	api.POST("/2fa/passkey/register/finish", s.handlePasskeyRegisterFinish)
	api.POST("/2fa/passkey/login/begin", s.handlePasskeyLoginBegin)
	api.POST("/2fa/passkey/login/finish", s.handlePasskeyLoginFinish)
	api.GET("/oidc/providers", s.handleOIDCProviders)
	api.GET("/oidc/:pid/start", s.handleOIDCStart)
	api.GET("/oidc/:pid/callback", s.handleOIDCCallback)
	api.POST("/invitations/redeem", s.handleRedeem)
	api.POST("/invitations/peek", s.handleInvitationPeek)
	api.GET("/me", s.handleMe, s.requireAuth)
	api.DELETE("/sessions/:sid", s.handleRevokeSession, s.requireAuth)
	api.GET("/directory", s.handleDirectory, s.requireProfessional)

	api.GET("/accounts", s.handleListAccounts, s.requireAdmin)
	api.POST("/accounts", s.handleCreateAccount, s.requireAdmin)
	api.PATCH("/accounts/:aid", s.handlePatchAccount, s.requireAdmin)
	api.POST("/accounts/:aid/setup-link", s.handleAccountSetupLink, s.requireAdmin)
	api.GET("/accounts/:aid/sessions", s.handleAccountSessions, s.requireAdmin)
	api.GET("/audit", s.handleAuditLog, s.requireAdmin)
	api.GET("/organisations", s.handleListOrganisations, s.requireAdmin)
	api.PUT("/organisations/:org/policy", s.handlePutOrganisationPolicy, s.requireAdmin)

	api.GET("/cases", s.handleListCases, s.requireProfessional)
	api.POST("/cases", s.handleCreateCase, s.requireProfessional)

	s.echo = e
	chair := []string{CaseRoleChair}
	s.CaseRoute(http.MethodGet, "/api/cases/:id", CaseRule{Action: audit.ActionRead, Object: "case", Invitees: true}, s.handleGetCase)
	s.CaseRoute(http.MethodPatch, "/api/cases/:id", CaseRule{Action: audit.ActionUpdate, Object: "case", Roles: chair}, s.handlePatchCase)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/members", CaseRule{Action: audit.ActionList, Object: "members"}, s.handleListMembers)
	s.CaseRoute(http.MethodPost, "/api/cases/:id/members", CaseRule{Action: audit.ActionCreate, Object: "member", Roles: chair}, s.handleInviteMember)
	s.CaseRoute(http.MethodPut, "/api/cases/:id/members/:aid", CaseRule{Action: audit.ActionUpdate, Object: "member/:aid", Roles: chair}, s.handlePutMember)
	s.CaseRoute(http.MethodDelete, "/api/cases/:id/members/:aid", CaseRule{Action: audit.ActionDelete, Object: "member/:aid", Roles: chair}, s.handleDeleteMember)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/access-log", CaseRule{Action: audit.ActionRead, Object: "access-log", Roles: chair}, s.handleCaseAccessLog)
	s.CaseRoute(http.MethodGet, "/api/cases/:id/invitations", CaseRule{Action: audit.ActionList, Object: "invitations", Roles: chair}, s.handleListInvitations)
	s.CaseRoute(http.MethodPost, "/api/cases/:id/invitations", CaseRule{Action: audit.ActionCreate, Object: "invitation", Roles: chair}, s.handleCreateInvitation)
	s.CaseRoute(http.MethodDelete, "/api/cases/:id/invitations/:iid", CaseRule{Action: audit.ActionRevoke, Object: "invitation/:iid", Roles: chair}, s.handleRevokeInvitation)
	s.CaseRoute(http.MethodPost, "/api/cases/:id/meetings/:mid/join-code", CaseRule{Action: audit.ActionCreate, Object: "meeting/:mid/join-code", Roles: chair, NoReadOrChange: true}, s.handleJoinCode)
	if s.hub != nil {
		s.contentRoutes()
	}
	s.intakeRoutes()

	e.GET("/*", s.frontendHandler())
	e.HEAD("/*", s.frontendHandler())
	return e
}
