package server

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/mailer"
	"github.com/tafel-ketenzorg/tafel/server/token"
)

// Config is Tafel's configuration. The zero value of every field means its documented
// default; Defaults fills them in. ParseConfig reads flags and TAFEL_* environment variables
// (a flag wins over the environment).
type Config struct {
	// Addr is the listen address (--addr, TAFEL_ADDR). Default "127.0.0.1:8080".
	Addr string
	// PublicURL is the URL people reach Tafel at, used for links, QR codes, the token issuer
	// and the default origin (--public-url, TAFEL_PUBLIC_URL). Default "http://" + Addr
	// (with 127.0.0.1 for an unspecified host). An https URL makes cookies Secure and turns
	// on HSTS.
	PublicURL string
	// Origins are the allowed browser origins for the WebSocket upgrade and state-changing
	// HTTP calls (--origins, TAFEL_ORIGINS, comma-separated). Default: the origin of PublicURL.
	Origins []string
	// DataDir holds the embedded store and the generated signing key (--data, TAFEL_DATA).
	// Default "./data".
	DataDir string
	// RedisURL selects the shared Redis store, e.g. "redis://127.0.0.1:6379/0" (--redis,
	// TAFEL_REDIS). Empty (the default), with no RedisSentinel or RedisCluster, means the
	// embedded bbolt store in DataDir. With RedisSentinel or RedisCluster it is optional and has
	// no host: it gives the data nodes' scheme (rediss = TLS), user, password and database, e.g.
	// "rediss://tafel:pw@/0".
	RedisURL string
	// RedisSentinel selects a Redis primary with replicas found through Redis Sentinel:
	// the master name, "@", and the sentinels' addresses, comma-separated, e.g.
	// "tafel@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379" (--redis-sentinel,
	// TAFEL_REDIS_SENTINEL). Every command is acknowledged only once a replica has it.
	RedisSentinel string
	// RedisSentinelPassword is the sentinels' own password, if they have one
	// (TAFEL_REDIS_SENTINEL_PASSWORD only: never a flag).
	RedisSentinelPassword string
	// RedisCluster selects a Redis Cluster: seed addresses, comma-separated, e.g.
	// "10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379" (--redis-cluster, TAFEL_REDIS_CLUSTER).
	RedisCluster string
	// JWTKey holds the HS256 signing secrets, each at least 32 bytes, separated by newlines or
	// commas (TAFEL_JWT_KEY only: never a flag, which would show in the process list). The
	// first signs new tokens; every one is accepted (key rotation, README "Signing keys").
	// Default: read from JWTKeyFile; failing that, in embedded mode only, generated once and
	// kept in DataDir/jwt.key (mode 0600). In Redis mode it is required, since every instance
	// must share it.
	JWTKey []byte
	// JWTKeyFile is a file holding the signing secrets, one a line, the signing one first
	// (--jwt-key-file, TAFEL_JWT_KEY_FILE); empty lines and lines starting with # are ignored.
	JWTKeyFile string
	// TrustedProxies are the CIDR ranges of reverse proxies whose X-Forwarded-For and
	// X-Real-IP headers are believed (--trusted-proxies, TAFEL_TRUSTED_PROXIES,
	// comma-separated). Default: none.
	TrustedProxies []string
	// Quorum is Q, the minimum number of non-abstaining scores for consensus (--quorum,
	// TAFEL_QUORUM). Default 2.
	Quorum int
	// StableMeetings is K, the consecutive meetings stable safety needs (--stable-meetings,
	// TAFEL_STABLE_MEETINGS). Default 3.
	StableMeetings int
	// StableDays is D, the minimum days between those meetings (--stable-days,
	// TAFEL_STABLE_DAYS). Default 28.
	StableDays int
	// Holidays are the public holidays ("2006-01-02") that do not count as working days in
	// the deadlines of an intake (--holidays, TAFEL_HOLIDAYS, comma-separated). Default none.
	Holidays []string
	// Demo loads the Janna demo case on start (--demo, TAFEL_DEMO=1). Default off.
	Demo bool
	// SessionTTL is how long a session token is valid without use (--session-ttl,
	// TAFEL_SESSION_TTL). Default 1h. A token is renewed on use once less than half of it
	// remains, but never past SessionMax after sign-in.
	SessionTTL time.Duration
	// SessionMax is the absolute lifetime of a session from sign-in or redemption
	// (--session-max, TAFEL_SESSION_MAX). Default 10h: a working day, after which everyone
	// signs in again.
	SessionMax time.Duration
	// InviteReadAfterClose is how long someone invited to a meeting may still read it and the
	// plan after it closed (--invite-read-after-close, TAFEL_INVITE_READ_AFTER_CLOSE).
	// Default 24h; after that a new link from the case director is needed.
	InviteReadAfterClose time.Duration
	// RateLimit is the sustained requests per second allowed per client address on /api and
	// /ws (--rate-limit, TAFEL_RATE_LIMIT). Default 20.
	RateLimit float64
	// RateBurst is the burst allowed per client address (--rate-burst, TAFEL_RATE_BURST).
	// Default 100.
	RateBurst int
	// LoginRate is the sign-in attempts per minute allowed per client address (--login-rate,
	// TAFEL_LOGIN_RATE), with an equal burst. Default 10.
	LoginRate int
	// MaxBody is the largest request body accepted, in bytes (--max-body, TAFEL_MAX_BODY).
	// Default 65536.
	MaxBody int64
	// TLSCert and TLSKey make Tafel serve HTTPS itself (--tls-cert, --tls-key,
	// TAFEL_TLS_CERT, TAFEL_TLS_KEY). Default: plain HTTP (TLS ends at a proxy, or local use).
	TLSCert, TLSKey string
	// LogLevel is debug, info, warn or error (--log-level, TAFEL_LOG_LEVEL). Default info.
	LogLevel string
	// SMTPURL is the mail server set-up links, password resets, notices and (when the chair
	// gives an address) invitations are sent through (--smtp-url, TAFEL_SMTP_URL):
	// smtps://user:password@host:465 (TLS), smtp://user:password@host:587 (STARTTLS required;
	// to a loopback host it is used when offered). Empty (the default): nothing is mailed and
	// links are printed on the console.
	SMTPURL string
	// MailFrom is the sender of Tafel's mail (--mail-from, TAFEL_MAIL_FROM). Default
	// "Tafel <noreply@<host of the public URL>>".
	MailFrom string
	// OIDCProviders configures sign-in with organisations' identity providers (OpenID Connect):
	// a JSON file, or the JSON itself when it starts with "[" (--oidc-providers,
	// TAFEL_OIDC_PROVIDERS). Default: none. See OIDCProvider.
	OIDCProviders string
	// TwoFactor is the second-factor policy of organisations the administrator has not set one
	// for: "required" or "off" (--two-factor, TAFEL_TWO_FACTOR). Default "required".
	TwoFactor string
	// WSPerSession and WSPerAddr cap the WebSockets open on this instance per session and per
	// client address (--ws-per-session, --ws-per-addr, TAFEL_WS_PER_SESSION,
	// TAFEL_WS_PER_ADDR). Defaults 8 and 200. More are closed with 4429.
	WSPerSession, WSPerAddr int
	// MetricsAddr serves /metrics on a listener of its own, e.g. "127.0.0.1:9090"
	// (--metrics-addr, TAFEL_METRICS_ADDR). Default: off.
	MetricsAddr string
	// MetricsToken, when set, serves /metrics on the main listener too, to requests with
	// "Authorization: Bearer <token>" (TAFEL_METRICS_TOKEN only). Default: /metrics is not on
	// the main listener.
	MetricsToken string
	// Privacy is encryption at rest and retention (config_privacy.go).
	Privacy PrivacyConfig
}

// Second-factor policies (Config.TwoFactor and per organisation).
const (
	TwoFactorRequired = "required"
	TwoFactorOff      = "off"
)

// Defaults returns c with every zero field set to its documented default.
func (c Config) Defaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.PublicURL == "" {
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.PublicURL = scheme + "://" + net.JoinHostPort(host, port)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if len(c.Origins) == 0 {
		if o, err := originOf(c.PublicURL); err == nil {
			c.Origins = []string{o}
		}
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.Quorum == 0 {
		c.Quorum = 2
	}
	if c.StableMeetings == 0 {
		c.StableMeetings = 3
	}
	if c.StableDays == 0 {
		c.StableDays = 28
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = time.Hour
	}
	if c.SessionMax == 0 {
		c.SessionMax = 10 * time.Hour
	}
	if c.InviteReadAfterClose == 0 {
		c.InviteReadAfterClose = meeting.DefaultAfterClose
	}
	if c.RateLimit == 0 {
		c.RateLimit = 20
	}
	if c.RateBurst == 0 {
		c.RateBurst = 100
	}
	if c.LoginRate == 0 {
		c.LoginRate = 10
	}
	if c.MaxBody == 0 {
		c.MaxBody = 64 << 10
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.MailFrom == "" {
		host := "localhost"
		if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		c.MailFrom = "Tafel <noreply@" + host + ">"
	}
	if c.TwoFactor == "" {
		c.TwoFactor = TwoFactorRequired
	}
	if c.WSPerSession == 0 {
		c.WSPerSession = 8
	}
	if c.WSPerAddr == 0 {
		c.WSPerAddr = 200
	}
	c.Privacy = c.Privacy.defaults()
	return c
}

// Validate reports the first problem with a defaulted configuration.
func (c Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config: public URL %q is not an http(s) URL", c.PublicURL)
	}
	for _, o := range c.Origins {
		if got, err := originOf(o); err != nil || got != o {
			return fmt.Errorf("config: origin %q is not scheme://host[:port]", o)
		}
	}
	for _, h := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return fmt.Errorf("holidays: %q is not a date 2006-01-02", h)
		}
	}
	if c.Quorum < 1 || c.StableMeetings < 1 || c.StableDays < 0 {
		return errors.New("config: quorum and stable meetings must be at least 1, stable days not negative")
	}
	if c.SessionTTL < time.Minute || c.SessionMax < c.SessionTTL {
		return errors.New("config: session TTL must be at least 1m and not above the session maximum")
	}
	if c.RateLimit < 0 || c.RateBurst < 1 || c.LoginRate < 1 || c.MaxBody < 1024 {
		return errors.New("config: rate limits must be positive and the body limit at least 1 KiB")
	}
	if err := c.validateRedis(); err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("config: --tls-cert and --tls-key go together")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log level %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.TwoFactor != TwoFactorRequired && c.TwoFactor != TwoFactorOff {
		return fmt.Errorf("config: --two-factor %q is not required or off", c.TwoFactor)
	}
	if c.WSPerSession < 1 || c.WSPerAddr < 1 {
		return errors.New("config: the WebSocket caps must be at least 1")
	}
	if c.SMTPURL != "" {
		if _, err := mailer.ParseURL(c.SMTPURL); err != nil {
			return err
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("config: --mail-from %q is not a mail address", c.MailFrom)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: --metrics-addr %q is not host:port", c.MetricsAddr)
		}
	}
	return c.Privacy.validate()
}

// validateRedis checks the Redis settings: one of --redis (with a host), --redis-sentinel and
// --redis-cluster, in their syntax.
func (c Config) validateRedis() error {
	if c.RedisSentinel != "" && c.RedisCluster != "" {
		return errors.New("config: --redis-sentinel and --redis-cluster exclude each other")
	}
	if c.RedisURL != "" && (c.RedisSentinel != "" || c.RedisCluster != "") {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host != "" {
			return errors.New("config: with --redis-sentinel or --redis-cluster, --redis gives only credentials and TLS, without a host (rediss://user:password@/0)")
		}
	}
	if c.RedisSentinel != "" {
		if _, _, err := c.SentinelAddrs(); err != nil {
			return err
		}
	}
	if c.RedisCluster != "" {
		if _, err := hostPorts("--redis-cluster", c.RedisCluster); err != nil {
			return err
		}
	}
	return nil
}

// SentinelAddrs splits RedisSentinel into the master name and the sentinels' addresses.
func (c Config) SentinelAddrs() (master string, addrs []string, err error) {
	master, list, ok := strings.Cut(c.RedisSentinel, "@")
	if !ok || master == "" {
		return "", nil, fmt.Errorf("config: --redis-sentinel %q is not <master name>@<host:port>,<host:port>,…", c.RedisSentinel)
	}
	addrs, err = hostPorts("--redis-sentinel", list)
	return master, addrs, err
}

// ClusterAddrs splits RedisCluster into seed addresses.
func (c Config) ClusterAddrs() ([]string, error) { return hostPorts("--redis-cluster", c.RedisCluster) }

// hostPorts splits a comma-separated list of host:port addresses.
func hostPorts(flag, list string) ([]string, error) {
	addrs := splitList(list)
	if len(addrs) == 0 {
		return nil, fmt.Errorf("config: %s needs at least one host:port", flag)
	}
	for _, a := range addrs {
		host, port, err := net.SplitHostPort(a)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("config: %s: %q is not host:port", flag, a)
		}
	}
	return addrs, nil
}

// LogValue logs the configuration without secrets: the signing key is never shown and a
// password in the Redis URL is masked.
func (c Config) LogValue() slog.Value {
	redis := redactURL(c.RedisURL)
	return slog.GroupValue(
		slog.String("addr", c.Addr), slog.String("public_url", c.PublicURL), slog.Any("origins", c.Origins),
		slog.String("data", c.DataDir), slog.String("redis", redis), slog.String("redis_sentinel", c.RedisSentinel),
		slog.String("redis_cluster", c.RedisCluster), slog.Bool("jwt_key_set", len(c.JWTKey) > 0),
		slog.String("jwt_key_file", c.JWTKeyFile), slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Int("quorum", c.Quorum), slog.Int("stable_meetings", c.StableMeetings), slog.Int("stable_days", c.StableDays),
		slog.Bool("demo", c.Demo), slog.Duration("session_ttl", c.SessionTTL), slog.Duration("session_max", c.SessionMax),
		slog.String("smtp", redactURL(c.SMTPURL)), slog.String("mail_from", c.MailFrom), slog.Bool("oidc", c.OIDCProviders != ""),
		slog.String("two_factor", c.TwoFactor), slog.Int("ws_per_session", c.WSPerSession), slog.Int("ws_per_addr", c.WSPerAddr),
		slog.String("metrics_addr", c.MetricsAddr), slog.Bool("metrics_token_set", c.MetricsToken != ""),
		c.Privacy.logAttrs(),
	)
}

// redactURL masks the user information (a password) of a URL.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User("***")
		return u.String()
	}
	return s
}

// Secure reports whether Tafel is reached over HTTPS (cookies Secure, HSTS on).
func (c Config) Secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// Embedded reports whether the embedded store is used (no Redis).
func (c Config) Embedded() bool {
	return c.RedisURL == "" && c.RedisSentinel == "" && c.RedisCluster == ""
}

func originOf(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("not an http(s) URL: %q", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// ParseConfig reads the configuration from command-line args (without the program name)
// and the environment (getenv, e.g. os.Getenv), applies defaults and validates it. Usage
// goes to out.
func ParseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("tafel", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name string) string { return getenv("TAFEL_" + name) }
	var errs []error
	envInt := func(name string) int {
		v := env(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: TAFEL_%s=%q is not a whole number", name, v))
		}
		return n
	}
	envDur := func(name string) time.Duration {
		v := env(name)
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: TAFEL_%s=%q is not a duration", name, v))
		}
		return d
	}
	envFloat := func(name string) float64 {
		v := env(name)
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: TAFEL_%s=%q is not a number", name, v))
		}
		return f
	}
	var origins, proxies string
	fs.StringVar(&c.Addr, "addr", env("ADDR"), "listen address (default 127.0.0.1:8080)")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL"), "public URL for links and QR codes (default http://<addr>)")
	fs.StringVar(&origins, "origins", env("ORIGINS"), "allowed browser origins, comma-separated (default: origin of the public URL)")
	fs.StringVar(&c.DataDir, "data", env("DATA"), "data directory (default ./data)")
	fs.StringVar(&c.RedisURL, "redis", env("REDIS"), "Redis URL; empty = embedded store in the data directory (with --redis-sentinel or --redis-cluster: credentials and TLS only, no host)")
	fs.StringVar(&c.RedisSentinel, "redis-sentinel", env("REDIS_SENTINEL"), "Redis Sentinel: <master name>@<host:port>,<host:port>,… (a command is acknowledged once a replica has it)")
	fs.StringVar(&c.RedisCluster, "redis-cluster", env("REDIS_CLUSTER"), "Redis Cluster seed addresses: <host:port>,<host:port>,…")
	fs.StringVar(&c.JWTKeyFile, "jwt-key-file", env("JWT_KEY_FILE"), "file with the HS256 signing secret (≥ 32 bytes); or set TAFEL_JWT_KEY")
	var holidays string
	fs.StringVar(&holidays, "holidays", env("HOLIDAYS"), "public holidays (2006-01-02), comma-separated: no working days for intake deadlines")
	fs.StringVar(&proxies, "trusted-proxies", env("TRUSTED_PROXIES"), "CIDR ranges of trusted reverse proxies, comma-separated")
	fs.IntVar(&c.Quorum, "quorum", envInt("QUORUM"), "Q: minimum non-abstaining scores for consensus (default 2)")
	fs.IntVar(&c.StableMeetings, "stable-meetings", envInt("STABLE_MEETINGS"), "K: consecutive meetings for stable safety (default 3)")
	fs.IntVar(&c.StableDays, "stable-days", envInt("STABLE_DAYS"), "D: minimum days between those meetings (default 28)")
	fs.BoolVar(&c.Demo, "demo", env("DEMO") == "1" || env("DEMO") == "true", "load the Janna demo case")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDur("SESSION_TTL"), "session token lifetime without use (default 1h)")
	fs.DurationVar(&c.SessionMax, "session-max", envDur("SESSION_MAX"), "absolute session lifetime (default 10h)")
	fs.DurationVar(&c.InviteReadAfterClose, "invite-read-after-close", envDur("INVITE_READ_AFTER_CLOSE"), "how long an invitee may read after their meeting closed (default 24h)")
	fs.Float64Var(&c.RateLimit, "rate-limit", envFloat("RATE_LIMIT"), "requests per second per client address (default 20)")
	fs.IntVar(&c.RateBurst, "rate-burst", envInt("RATE_BURST"), "request burst per client address (default 100)")
	fs.IntVar(&c.LoginRate, "login-rate", envInt("LOGIN_RATE"), "sign-in attempts per minute per client address (default 10)")
	fs.Int64Var(&c.MaxBody, "max-body", int64(envInt("MAX_BODY")), "largest request body in bytes (default 65536)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("TLS_CERT"), "TLS certificate file (serve HTTPS)")
	fs.StringVar(&c.TLSKey, "tls-key", env("TLS_KEY"), "TLS key file")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL"), "debug, info, warn or error (default info)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("SMTP_URL"), "mail server, smtps://user:pw@host:465 or smtp://…:587 (STARTTLS); empty = print links on the console")
	fs.StringVar(&c.MailFrom, "mail-from", env("MAIL_FROM"), "sender of Tafel's mail (default Tafel <noreply@<public host>>)")
	fs.StringVar(&c.OIDCProviders, "oidc-providers", env("OIDC_PROVIDERS"), "OpenID Connect providers: a JSON file, or JSON starting with [")
	fs.StringVar(&c.TwoFactor, "two-factor", env("TWO_FACTOR"), "second factor for organisations without their own policy: required or off (default required)")
	fs.IntVar(&c.WSPerSession, "ws-per-session", envInt("WS_PER_SESSION"), "WebSockets per session on this instance (default 8)")
	fs.IntVar(&c.WSPerAddr, "ws-per-addr", envInt("WS_PER_ADDR"), "WebSockets per client address on this instance (default 200)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("METRICS_ADDR"), "serve /metrics on this address (default off); or set TAFEL_METRICS_TOKEN")
	privacy := c.Privacy.flags(fs, env, envInt, envDur, &errs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	privacy()
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	c.Origins = splitList(origins)
	c.TrustedProxies = splitList(proxies)
	c.Holidays = splitList(holidays)
	if k := env("JWT_KEY"); k != "" {
		c.JWTKey = []byte(k)
	}
	c.RedisSentinelPassword = env("REDIS_SENTINEL_PASSWORD")
	c.MetricsToken = env("METRICS_TOKEN")
	c = c.Defaults()
	return c, c.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SigningKeys returns the token signing secrets, the signing one first: those in JWTKey, else
// in JWTKeyFile, else (embedded mode only) the one in DataDir/jwt.key, generated with 32 random
// bytes and mode 0600 when absent. In Redis mode a missing key is an error, since all instances
// must share them. generated reports whether a new key was written.
func (c Config) SigningKeys() (keys [][]byte, generated bool, err error) {
	switch {
	case len(c.JWTKey) > 0:
		keys = splitKeys(string(c.JWTKey))
	case c.JWTKeyFile != "":
		b, err := readKeyFile(c.JWTKeyFile)
		if err != nil {
			return nil, false, err
		}
		keys = splitKeys(string(b))
	case !c.Embedded():
		return nil, false, errors.New("config: Redis mode needs a shared signing key: set TAFEL_JWT_KEY or --jwt-key-file")
	default:
		path := filepath.Join(c.DataDir, "jwt.key")
		b, err := readKeyFile(path)
		if errors.Is(err, os.ErrNotExist) {
			b, err = generateKeyFile(path)
			generated = err == nil
		}
		if err != nil {
			return nil, false, err
		}
		keys = splitKeys(string(b))
	}
	if len(keys) == 0 {
		return nil, false, errors.New("config: no signing key")
	}
	for n, k := range keys {
		if len(k) < token.MinKeyLen {
			return nil, false, fmt.Errorf("config: signing key %d is %d bytes, need at least %d", n+1, len(k), token.MinKeyLen)
		}
	}
	return keys, generated, nil
}

// SigningKey returns the first of SigningKeys: the one new tokens are signed with.
func (c Config) SigningKey() (key []byte, generated bool, err error) {
	keys, generated, err := c.SigningKeys()
	if err != nil {
		return nil, false, err
	}
	return keys[0], generated, nil
}

// splitKeys splits a key list on newlines and commas, dropping blanks and # comments.
func splitKeys(s string) [][]byte {
	var out [][]byte
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, []byte(line))
	}
	return out
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read signing key: %w", err)
	}
	b = []byte(strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"))
	return b, nil
}

func generateKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("config: data directory: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("config: generate signing key: %w", err)
	}
	// Stored as hex so the file is printable and survives copy/paste; 64 bytes of secret text.
	key := []byte(fmt.Sprintf("%x", raw))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("config: write signing key: %w", err)
	}
	if _, err := f.Write(append(key, '\n')); err != nil {
		f.Close()
		return nil, fmt.Errorf("config: write signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("config: write signing key: %w", err)
	}
	return key, f.Close()
}
