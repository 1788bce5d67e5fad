package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics. Labels never carry case ids, names or tokens.
type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	logins      *prometheus.CounterVec
	tokens      *prometheus.CounterVec
	auditFails  prometheus.Counter
}

func newMetrics() (*prometheus.Registry, *metrics) {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tafel_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tafel_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tafel_rate_limited_total", Help: "Requests refused by a rate limit.",
		}, []string{"limiter"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tafel_logins_total", Help: "Sign-in attempts by result.",
		}, []string{"result"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tafel_tokens_refused_total", Help: "Tokens refused, by kind and reason.",
		}, []string{"kind", "reason"}),
		auditFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tafel_audit_failures_total", Help: "Accesses refused because the access log could not be written.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.rateLimited, m.logins, m.tokens, m.auditFails,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, m
}

// Registry returns the Prometheus registry, so that the hub can register its own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// handleMetrics serves /metrics on the main listener: only with Config.MetricsToken, to
// requests that carry it as a bearer token; otherwise /metrics is not found there.
func (s *Server) handleMetrics() echo.HandlerFunc {
	h := echo.WrapHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return func(c echo.Context) error {
		if s.cfg.MetricsToken == "" {
			return errNotFound
		}
		got := []byte(c.Request().Header.Get("Authorization"))
		want := []byte("Bearer " + s.cfg.MetricsToken)
		if subtle.ConstantTimeCompare(got, want) != 1 {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return errUnauthenticated
		}
		return h(c)
	}
}

// ServeMetrics serves /metrics (without a token) on l, a listener of its own
// (Config.MetricsAddr), until Shutdown.
func (s *Server) ServeMetrics(l net.Listener) error {
	if err := s.metricsHTTP.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newMetricsServer is the http.Server of the metrics listener (made in New, so that Shutdown
// stops it whenever ServeMetrics runs).
func (s *Server) newMetricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
}

// handleHealthz answers 200 while the process runs.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 only when the store and the hub answer and the instance is not
// draining.
func (s *Server) handleReadyz(c echo.Context) error {
	if s.draining.Load() {
		return errUnavailable.WithCause(errDraining)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.ping(ctx); err != nil {
		return errUnavailable.WithCause(err)
	}
	if s.hub != nil {
		if err := s.hub.Ready(ctx); err != nil {
			return errUnavailable.WithCause(err)
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
