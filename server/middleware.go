package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
)

// contentSecurityPolicy allows no inline script and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.cfg.Secure() || c.Request().TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// observe logs each request (method, route pattern, status, duration, client address — never
// the query string, bodies or cookies) and counts it in the metrics.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(c.Request().Context(), level, "http request",
			"method", c.Request().Method, "route", route, "status", status,
			"duration", d, "addr", c.RealIP())
		return nil
	}
}

// rateLimit refuses a client address over its budget on /api and /ws.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if (strings.HasPrefix(p, "/api/") || p == "/ws") && !s.apiLimit.Allow(c.RealIP()) {
			s.metrics.rateLimited.WithLabelValues("api").Inc()
			c.Response().Header().Set("Retry-After", "1")
			return errRateLimited
		}
		return next(c)
	}
}

// bodyLimit caps request bodies at MaxBody bytes.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > s.cfg.MaxBody {
			return errTooLarge
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody)
		return next(c)
	}
}

// csrf protects state-changing calls. Every POST, PUT, PATCH and DELETE must carry an Origin
// header on the allowlist (browsers always send it on such requests; a missing one is
// refused) and the custom header X-Tafel-CSRF: 1, which a cross-site form cannot set and a
// cross-site script cannot send without a CORS preflight that Tafel never grants. Together
// with SameSite=Strict cookies this needs no token state.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if !s.originAllowed(c.Request().Header.Get("Origin")) || c.Request().Header.Get("X-Tafel-CSRF") != "1" {
			return errCSRF
		}
		return next(c)
	}
}

// originAllowed reports whether origin is on the allowlist (an empty origin is not).
func (s *Server) originAllowed(origin string) bool {
	return origin != "" && s.origins[origin]
}

// errorHandler writes every error as {"code":…,"message":{"nl":…,"en":…}} with the status of
// its code, and logs internal errors with their cause (causes never hold tokens).
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	var e *meeting.Error
	switch {
	case errors.As(err, &e):
	case errors.As(err, &mbe):
		e = errTooLarge
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			e = errNotFound
		case http.StatusMethodNotAllowed:
			e = invalid("Deze methode is hier niet toegestaan.", "Method not allowed here.")
		case http.StatusRequestEntityTooLarge:
			e = errTooLarge
		default:
			e = asError(err)
		}
	default:
		e = asError(err)
	}
	status := HTTPStatus(e.Code)
	if status >= 500 && e.Code != meeting.CodeUnavailable {
		s.log.Error("request failed", "route", c.Path(), "err", err)
	} else if e.Err != nil {
		s.log.Debug("request refused", "route", c.Path(), "code", e.Code, "err", e.Err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, restError(e))
}

// bind decodes a JSON request body into v strictly: one object, no unknown fields.
func bind(c echo.Context, v any) error {
	ct := c.Request().Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") {
		return invalid("Verwacht een JSON-verzoek (Content-Type: application/json).", "Expected a JSON request (Content-Type: application/json).")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return errBadJSON.WithCause(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadJSON
	}
	return nil
}
