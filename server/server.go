// Package server is Tafel's HTTP side: configuration, accounts and sign-in, sessions,
// invitations, the case index and its membership, authorisation of every case access, the
// access log, security middleware, the REST API (docs/openapi.yaml), the WebSocket upgrade to
// the hub, health and metrics, and the embedded frontend.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/clientip"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/ratelimit"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Options are what New needs besides the configuration.
type Options struct {
	// Config is the configuration (defaults are applied by New).
	Config Config
	// KV is the shared store for accounts, invitations, sessions, the case index and the
	// access log. Required.
	KV kv.Store
	// SigningKey is the token secret (Config.SigningKey); SigningKeys, when set, replaces it
	// with several (Config.SigningKeys: the first signs, all verify). One is required.
	SigningKey  []byte
	SigningKeys [][]byte
	// Mail sends Tafel's mail; nil = SMTP when Config.SMTPURL is set, else the messages are
	// printed on Console.
	Mail mailer.Sender
	// Console is where links and mail are printed without a mail server; nil = os.Stdout.
	Console io.Writer
	// Hub configures the live hub the server builds and serves (the server is its Rights).
	// Hub.Store nil: no hub (the WebSocket endpoint and case content answer 503).
	Hub hub.Config
	// Audit is the access log; nil = NewAuditLog(KV). Pass the one the hub records to.
	Audit *audit.Log
	// Ping reports whether the backing store answers, for /readyz; nil = KV implements
	// Ping(ctx) error or is taken as ready.
	Ping func(ctx context.Context) error
	// Logger receives structured logs; nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil = time.Now.
	Now func() time.Time
}

// Server is a Tafel instance's HTTP server.
type Server struct {
	cfg     Config
	kv      kv.Store
	hub     *hub.Hub
	audit   *audit.Log
	tokens  *token.Issuer
	ip      *clientip.Extractor
	log     *slog.Logger
	now     func() time.Time
	ping    func(ctx context.Context) error
	echo    *echo.Echo
	http    *http.Server
	metrics *metrics
	reg     *prometheus.Registry

	apiLimit   *ratelimit.Limiter
	loginLimit *ratelimit.Limiter
	hashGate   hashGate
	refusals   refusalFolder
	sockets    *socketCaps

	mail        mailer.Sender
	oidc        *oidcProviders
	webauthn    *webauthn.WebAuthn
	metricsHTTP *http.Server

	origins  map[string]bool
	draining atomic.Bool
	revoked  sync.Map // session id → struct{}: revocations seen on the channel (fast path)
	cancel   context.CancelFunc
	done     chan struct{}
}

// RevocationChannel is the KV channel on which revoked session ids are published.
const RevocationChannel = "tafel:session-revoked"

// RightsChannel is the KV channel on which a changed right to a case is published
// ("<case id> <principal id>"), so that every instance re-checks that person's open sockets.
const RightsChannel = "tafel:rights-changed"

// maxRateKeys bounds each rate limiter's table of client addresses.
const maxRateKeys = 50_000

// New builds a Server and subscribes it to session revocations (until Shutdown).
func New(ctx context.Context, o Options) (*Server, error) {
	if o.KV == nil {
		return nil, errors.New("server: no KV")
	}
	cfg := o.Config.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	keys := o.SigningKeys
	if len(keys) == 0 {
		keys = [][]byte{o.SigningKey}
	}
	tokens, err := token.NewIssuerKeys(keys, cfg.PublicURL, now)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	providers, err := loadOIDCProviders(cfg.OIDCProviders)
	if err != nil {
		return nil, err
	}
	wa, err := newWebAuthn(cfg)
	if err != nil {
		return nil, fmt.Errorf("server: passkeys: %w", err)
	}
	mail := o.Mail
	if mail == nil && cfg.SMTPURL != "" {
		if mail, err = mailer.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	}
	if mail == nil {
		console := o.Console
		if console == nil {
			console = os.Stdout
		}
		mail = mailer.NewConsole(console)
	}
	ip, err := clientip.New(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	alog := o.Audit
	if alog == nil {
		alog = NewAuditLog(o.KV, now)
	}
	ping := o.Ping
	if ping == nil {
		if p, ok := o.KV.(interface{ Ping(context.Context) error }); ok {
			ping = p.Ping
		} else {
			ping = func(context.Context) error { return nil }
		}
	}
	s := &Server{
		cfg: cfg, kv: o.KV, audit: alog, tokens: tokens, ip: ip, log: logger,
		now: now, ping: ping,
		apiLimit:   ratelimit.New(cfg.RateLimit, cfg.RateBurst, maxRateKeys, now),
		loginLimit: ratelimit.New(float64(cfg.LoginRate)/60, cfg.LoginRate, maxRateKeys, now),
		sockets:    newSocketCaps(cfg.WSPerSession, cfg.WSPerAddr),
		mail:       mail, oidc: providers, webauthn: wa,
		origins: map[string]bool{},
		done:    make(chan struct{}),
	}
	for _, o := range cfg.Origins {
		s.origins[o] = true
	}
	s.reg, s.metrics = newMetrics()
	s.metricsHTTP = s.newMetricsServer()
	if o.Hub.Store != nil {
		s.hub = s.newHub(o.Hub)
	}
	s.routes()
	// Made here, not in Serve, so that a Shutdown before Serve (or racing with it) still
	// stops it: Serve on a shut-down http.Server returns at once.
	s.http = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Large enough that an oversized token reaches the token parser and gets a clear JSON
		// refusal (token.MaxLen is far below it); bounded all the same.
		MaxHeaderBytes: 256 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	subCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	if err := o.KV.Subscribe(subCtx, RevocationChannel, s.onRevoked); err != nil {
		cancel()
		return nil, fmt.Errorf("server: subscribe to revocations: %w", err)
	}
	if err := o.KV.Subscribe(subCtx, RightsChannel, s.onRightsChanged); err != nil {
		cancel()
		return nil, fmt.Errorf("server: subscribe to changed rights: %w", err)
	}
	go s.foldRefusalsLoop(subCtx)
	return s, nil
}

// NewAuditLog returns the access log kept in store's append-only logs.
func NewAuditLog(store kv.Store, now func() time.Time) *audit.Log {
	return audit.New(store.AppendLogs, func(ctx context.Context, name string, after uint64, limit int) ([]uint64, [][]byte, error) {
		entries, err := store.ReadLog(ctx, name, after, limit)
		if err != nil {
			return nil, nil, err
		}
		seqs := make([]uint64, len(entries))
		data := make([][]byte, len(entries))
		for i, e := range entries {
			seqs[i], data[i] = e.Seq, e.Data
		}
		return seqs, data, nil
	}, now)
}

// Config returns the server's configuration with defaults applied.
func (s *Server) Config() Config { return s.cfg }

// Handler returns the HTTP handler (for tests and custom listeners).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve accepts connections on l until Shutdown. It returns nil after a graceful shutdown,
// also when Shutdown came first.
func (s *Server) Serve(l net.Listener) error {
	var err error
	if s.cfg.TLSCert != "" {
		err = s.http.ServeTLS(l, s.cfg.TLSCert, s.cfg.TLSKey)
	} else {
		err = s.http.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops taking requests, reports not-ready, drains the hub (Live.Shutdown closes the
// hijacked WebSockets, which http.Server.Shutdown does not) and waits for requests in flight,
// until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	var hubErr, httpErr error
	var wg sync.WaitGroup
	if s.hub != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.hub.Shutdown(ctx); err != nil {
				hubErr = fmt.Errorf("drain hub: %w", err)
			}
		}()
	}
	if err := s.http.Shutdown(ctx); err != nil {
		httpErr = fmt.Errorf("http shutdown: %w", err)
	}
	_ = s.metricsHTTP.Shutdown(ctx)
	wg.Wait()
	s.flushRefusals(context.WithoutCancel(ctx), true)
	s.cancel()
	return errors.Join(hubErr, httpErr)
}
