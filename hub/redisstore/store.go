// Package redisstore is the shared store: the case logs of the hub (hub.Store) and the server's
// key-value data (server.KV) in Redis, so that several Tafel instances serve the same cases.
//
// Key layout, the append script and the exactly-once argument are described in docs/stores.md.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server"
)

var (
	_ hub.Store = (*Store)(nil)
	_ server.KV = (*Store)(nil)
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "tafel:"

// Options configures New. The zero value of every field means its documented default.
type Options struct {
	// URL is the Redis address, e.g. "redis://127.0.0.1:6379/0" or "rediss://user:pw@host/0"
	// (the syntax of redis.ParseURL). Required.
	URL string
	// Prefix starts every key and channel name; several deployments can share one Redis with
	// different prefixes. Default DefaultPrefix. It must not contain '{' or '}'.
	Prefix string
	// Logger receives connection trouble of the pub/sub connection. Default slog.Default().
	Logger *slog.Logger
}

// Store is a Tafel store on Redis. It implements hub.Store and server.KV, is safe for
// concurrent use, and holds one connection pool plus one pub/sub connection. Create it with
// New; release it with Close.
type Store struct {
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
}

// New connects to Redis as opts says and checks that it answers.
func New(ctx context.Context, opts Options) (*Store, error) {
	if opts.URL == "" {
		return nil, errors.New("redisstore: Options.URL is required")
	}
	ropts, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: parse URL: %w", err)
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if strings.ContainsAny(prefix, "{}") {
		return nil, fmt.Errorf("redisstore: prefix %q must not contain '{' or '}'", prefix)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Store{rdb: redis.NewClient(ropts), prefix: prefix, log: logger}
	if err := s.Ping(ctx); err != nil {
		_ = s.rdb.Close()
		return nil, err
	}
	return s, nil
}
