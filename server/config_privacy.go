package server

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
)

// PrivacyConfig is the part of the configuration about keeping and deleting case data:
// encryption at rest, retention and the access log's own retention.
type PrivacyConfig struct {
	// MasterKey is the text of a master key file (TAFEL_MASTER_KEY only, never a flag): one
	// or more keys of 64 hexadecimal characters, separated by commas or newlines, the current
	// one first.
	MasterKey string
	// MasterKeyFile holds the master keys (--master-key-file, TAFEL_MASTER_KEY_FILE).
	// Default: in embedded mode DataDir/master.key, generated on the first start; in Redis
	// mode it (or TAFEL_MASTER_KEY) is required, the same on every instance.
	MasterKeyFile string
	// KeyStoreRedis is a Redis URL for the case keys (--key-store-redis,
	// TAFEL_KEY_STORE_REDIS). Default: the data's Redis. A Redis of their own, with short-lived
	// backups, makes a deletion reach every backup of the data (docs/stores.md).
	KeyStoreRedis string
	// PlainStore keeps case content unencrypted (--plain-store-for-benchmarks): only to
	// measure what encryption costs. Never in production.
	PlainStore bool
	// Retention is the organisation's retention per route (--retention, TAFEL_RETENTION):
	// "route=years:age,…", e.g. "jeugdhulp=20:18,veilig-thuis=20:18". A case closed on a route
	// is kept the later of years after closing and until its youngest subject turns age.
	// Default "default=20:18" (meeting.DefaultRetention).
	Retention map[string]meeting.RetentionRule
	// AccessLogRetention is how long access-log entries are kept (--access-log-retention-days,
	// TAFEL_ACCESS_LOG_RETENTION_DAYS, in days). Default 1827 (5 years).
	AccessLogRetention time.Duration
	// RetentionInterval is how often the retention job runs (--retention-interval,
	// TAFEL_RETENTION_INTERVAL). Default 24h.
	RetentionInterval time.Duration
}

// defaultAccessLogDays is the access log's retention when none is set: five years, as the
// Dutch rules for logging access to health data ask at least.
const defaultAccessLogDays = 1827

func (p *PrivacyConfig) flags(fs *flag.FlagSet, env func(string) string, envInt func(string) int, envDur func(string) time.Duration, errs *[]error) func() {
	var retention string
	var days int
	fs.StringVar(&p.MasterKeyFile, "master-key-file", env("MASTER_KEY_FILE"), "file with the master key(s) that wrap the case keys; or set TAFEL_MASTER_KEY (default <data>/master.key, embedded only)")
	fs.StringVar(&p.KeyStoreRedis, "key-store-redis", env("KEY_STORE_REDIS"), "Redis URL for the case keys (default: the data's Redis)")
	fs.BoolVar(&p.PlainStore, "plain-store-for-benchmarks", false, "store case content unencrypted, only to measure the cost of encryption")
	fs.StringVar(&retention, "retention", env("RETENTION"), "retention per route: route=years:age,… (default default=20:18)")
	fs.IntVar(&days, "access-log-retention-days", envInt("ACCESS_LOG_RETENTION_DAYS"), "days an access-log entry is kept (default 1827)")
	fs.DurationVar(&p.RetentionInterval, "retention-interval", envDur("RETENTION_INTERVAL"), "how often the retention job runs (default 24h)")
	return func() {
		p.MasterKey = env("MASTER_KEY")
		p.AccessLogRetention = time.Duration(days) * 24 * time.Hour
		rules, err := parseRetention(retention)
		if err != nil {
			*errs = append(*errs, err)
		}
		p.Retention = rules
	}
}

// parseRetention reads "route=years:age,…".
func parseRetention(s string) (map[string]meeting.RetentionRule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]meeting.RetentionRule{}
	for _, part := range splitList(s) {
		route, spec, ok := strings.Cut(part, "=")
		ys, as, ok2 := strings.Cut(spec, ":")
		years, err1 := strconv.Atoi(strings.TrimSpace(ys))
		age, err2 := strconv.Atoi(strings.TrimSpace(as))
		if !ok || !ok2 || err1 != nil || err2 != nil || years < 0 || age < 0 || strings.TrimSpace(route) == "" {
			return nil, fmt.Errorf("config: retention %q is not route=years:age", part)
		}
		out[strings.TrimSpace(route)] = meeting.RetentionRule{YearsAfterClose: years, UntilAge: age}
	}
	return out, nil
}

func (p PrivacyConfig) defaults() PrivacyConfig {
	if p.AccessLogRetention == 0 {
		p.AccessLogRetention = defaultAccessLogDays * 24 * time.Hour
	}
	if p.RetentionInterval == 0 {
		p.RetentionInterval = 24 * time.Hour
	}
	return p
}

func (p PrivacyConfig) validate() error {
	if p.AccessLogRetention < 24*time.Hour || p.RetentionInterval < time.Minute {
		return errors.New("config: the access log is kept at least a day, and the retention job runs at most every minute")
	}
	return nil
}

func (p PrivacyConfig) logAttrs() slog.Attr {
	return slog.Group("privacy", slog.Bool("master_key_set", p.MasterKey != ""), slog.String("master_key_file", p.MasterKeyFile),
		slog.Bool("separate_key_store", p.KeyStoreRedis != ""), slog.Bool("plain_store", p.PlainStore),
		slog.Any("retention", p.Retention), slog.Duration("access_log_retention", p.AccessLogRetention))
}

// MasterKeys returns the master key: TAFEL_MASTER_KEY, else MasterKeyFile, else (embedded
// mode only) DataDir/master.key, generated when absent. In Redis mode a missing master key is
// an error, since every instance must share it. generated reports whether a file was made.
func (c Config) MasterKeys() (m *sealedstore.FileMaster, generated bool, err error) {
	p := c.Privacy
	switch {
	case p.MasterKey != "":
		m, err = sealedstore.ParseMasterKeys(p.MasterKey)
	case p.MasterKeyFile != "":
		m, err = sealedstore.LoadMasterKeyFile(p.MasterKeyFile)
	case !c.Embedded():
		return nil, false, errors.New("config: Redis mode needs a shared master key: set TAFEL_MASTER_KEY or --master-key-file")
	default:
		path := filepath.Join(c.DataDir, "master.key")
		if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
			if err = sealedstore.GenerateMasterKeyFile(path); err != nil && !errors.Is(err, os.ErrExist) {
				return nil, false, err
			}
			generated = err == nil
		}
		m, err = sealedstore.LoadMasterKeyFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("config: %w", err)
	}
	return m, generated, nil
}
