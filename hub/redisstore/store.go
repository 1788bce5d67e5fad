// Package redisstore is the shared store: the case logs of the hub (hub.Store) and the server's
// key-value data (kv.Store) in Redis, so that several Tafel instances serve the same cases.
//
// Key layout, the append script and the exactly-once argument are described in docs/stores.md.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

var (
	_ hub.Store = (*Store)(nil)
	_ kv.Store  = (*Store)(nil)
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

// Store is a Tafel store on Redis. It implements hub.Store and kv.Store, is safe for
// concurrent use, and holds one connection pool plus ONE pub/sub connection shared by all its
// follows and subscriptions. Create it with New; release it with Close.
type Store struct {
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
	subs   *subscriptions

	ctx    context.Context // cancelled by Close; ends the pub/sub loop, follows, subscriptions
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	workers sync.WaitGroup // pub/sub loop, follow and subscription goroutines
}

// New connects to Redis as opts says, checks that it answers and starts the pub/sub loop.
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
	rdb := redis.NewClient(ropts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, mapErr("ping", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &Store{rdb: rdb, prefix: prefix, log: logger.With("store", "redis"), ctx: sctx, cancel: cancel}
	s.subs = newSubscriptions(s)
	if err := s.start(s.subs.loop); err != nil {
		cancel()
		_ = rdb.Close()
		return nil, err
	}
	return s, nil
}

// Ping implements hub.Store: it reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.isClosed() {
		return errClosed
	}
	return mapErr("ping", s.rdb.Ping(ctx).Err())
}

// Close implements hub.Store: it ends every follow and subscription of this Store, waits for
// their goroutines, and closes the connections. Closing twice is harmless. Close must not be
// called from a deliver or subscription callback of the same Store.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cancel()
	s.mu.Unlock()
	s.subs.close()
	s.workers.Wait()
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// start runs fn in a goroutine that Close waits for. It fails when the Store is closed.
func (s *Store) start(fn func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		fn()
	}()
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// errClosed is returned (wrapping hub.ErrUnavailable) by calls on a closed Store.
var errClosed = fmt.Errorf("redisstore: store is closed: %w", hub.ErrUnavailable)

// unavailablePrefixes are the Redis error replies that mean "not now" rather than "wrong".
var unavailablePrefixes = []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY", "NOREPLICAS"}

// mapErr wraps err from op with context, and with hub.ErrUnavailable when it means Redis
// cannot be reached or cannot serve now (network errors, a closed client, LOADING, ...).
// Context errors stay context errors; other Redis error replies are returned as they are.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			return fmt.Errorf("redisstore: %s: %w", op, err)
		}
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !errors.Is(err, redis.ErrClosed) {
		for _, p := range unavailablePrefixes {
			if redis.HasErrorPrefix(err, p) {
				return fmt.Errorf("redisstore: %s: %w: %w", op, hub.ErrUnavailable, err)
			}
		}
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return fmt.Errorf("redisstore: %s: %w: %w", op, hub.ErrUnavailable, err)
}
