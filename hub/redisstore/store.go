// Package redisstore is the shared store: the case logs of the hub (hub.Store) and the server's
// key-value data (kv.Store) in Redis, so that several Tafel instances serve the same cases.
//
// It runs on a single Redis, on a primary with replicas found through Redis Sentinel (an append
// is then acknowledged only once a replica has it), or on a Redis Cluster. Key layout, the
// append script and the exactly-once argument are described in docs/stores.md.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

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
// Exactly one of URL (with a host), Sentinel and Cluster says where Redis is.
type Options struct {
	// URL is the address of a single Redis, e.g. "redis://127.0.0.1:6379/0" or
	// "rediss://user:pw@host/0" (the syntax of redis.ParseURL). With Sentinel or Cluster it
	// is optional and has no host: it gives only the scheme (rediss for TLS), the user, the
	// password and the database of the data nodes, e.g. "rediss://tafel:pw@/0".
	URL string
	// Sentinel, when set, finds the primary through Redis Sentinel and follows it through
	// failovers (go-redis's failover client).
	Sentinel *Sentinel
	// Cluster, when set, are seed addresses (host:port) of a Redis Cluster. Every key of a case
	// shares the hash tag {<case id>}; case events go over sharded pub/sub (SSUBSCRIBE,
	// SPUBLISH) on the node that holds the case when the servers have it (Redis 7), else over
	// the classic cluster-wide bus.
	Cluster []string
	// Replicas is how many replicas must confirm an append (WAIT) before Append returns it;
	// when fewer confirm within ReplicaTimeout, Append fails with hub.ErrUnavailable and the
	// command, sent again with the same id, is applied once. Default: 1 with Sentinel, 0
	// (do not wait) otherwise; negative means 0. Not supported with Cluster.
	Replicas int
	// ReplicaTimeout bounds the wait for the replicas' confirmation. Default 1 s; at most
	// 2 s (below go-redis's read timeout).
	ReplicaTimeout time.Duration
	// Prefix starts every key and channel name; several deployments can share one Redis with
	// different prefixes. Default DefaultPrefix. It must not contain '{' or '}'.
	Prefix string
	// Logger receives connection trouble of the pub/sub connection. Default slog.Default().
	Logger *slog.Logger
}

// Sentinel says how to find the primary through Redis Sentinel.
type Sentinel struct {
	// MasterName is the name the sentinels monitor the primary under. Required.
	MasterName string
	// Addrs are the sentinels' host:port addresses. Required.
	Addrs []string
	// Password is the sentinels' own password (requirepass on the sentinels), if they have
	// one; the data nodes' credentials come from Options.URL.
	Password string
}

// DefaultReplicaTimeout is Options.ReplicaTimeout's default.
const DefaultReplicaTimeout = time.Second

// maxReplicaTimeout keeps WAIT below go-redis's default read timeout (3 s).
const maxReplicaTimeout = 2 * time.Second

// Store is a Tafel store on Redis. It implements hub.Store and kv.Store, is safe for
// concurrent use, and holds one connection pool plus ONE pub/sub connection shared by all its
// follows and subscriptions (with sharded pub/sub on a Cluster: one per primary). Create it
// with New; release it with Close.
type Store struct {
	rdb     redis.UniversalClient
	cluster *redis.ClusterClient // rdb, when it is a Cluster
	prefix  string
	log     *slog.Logger
	sharded bool // case events and KV messages over sharded pub/sub (SPUBLISH, SSUBSCRIBE)
	script  *redis.Script
	// replicas is how many replicas must confirm an append (0: no WAIT).
	replicas       int
	replicaTimeout time.Duration

	subs   *subscriptions            // the pub/sub connection (nil when sharded)
	shards map[string]*subscriptions // sharded: one pub/sub connection per primary, by address; guarded by mu

	ctx    context.Context // cancelled by Close; ends the pub/sub loop, follows, subscriptions
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	workers sync.WaitGroup // pub/sub loop, follow and subscription goroutines
}

// New connects to Redis as opts says, checks that it answers and starts the pub/sub loop.
func New(ctx context.Context, opts Options) (*Store, error) {
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
	rdb, replicas, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	timeout := opts.ReplicaTimeout
	if timeout <= 0 {
		timeout = DefaultReplicaTimeout
	}
	if timeout > maxReplicaTimeout {
		_ = rdb.Close()
		return nil, fmt.Errorf("redisstore: replica timeout %v is above %v", timeout, maxReplicaTimeout)
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &Store{rdb: rdb, prefix: prefix, log: logger.With("store", "redis"), ctx: sctx, cancel: cancel,
		replicas: replicas, replicaTimeout: timeout, script: appendScript}
	s.cluster, _ = rdb.(*redis.ClusterClient)
	fail := func(err error) (*Store, error) {
		cancel()
		_ = rdb.Close()
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		return fail(err)
	}
	if s.cluster != nil {
		if s.sharded, err = s.hasShardedPubSub(ctx); err != nil {
			return fail(err)
		}
	}
	if s.sharded {
		s.script = appendScriptSharded
		s.shards = map[string]*subscriptions{}
		return s, nil
	}
	s.subs = newSubscriptions(s, false)
	s.subs.looping = true
	if err := s.start(s.subs.loop); err != nil {
		return fail(err)
	}
	return s, nil
}

// AddHook adds h to the Store's go-redis client (not to its pub/sub connections): for
// instruments, such as the test that counts the round trips a command costs.
func (s *Store) AddHook(h redis.Hook) { s.rdb.AddHook(h) }

// newClient makes the go-redis client opts ask for, and returns the number of replicas
// appends wait for.
func newClient(opts Options) (redis.UniversalClient, int, error) {
	modes := 0
	if opts.Sentinel != nil {
		modes++
	}
	if len(opts.Cluster) > 0 {
		modes++
	}
	if modes == 0 {
		if opts.URL == "" {
			return nil, 0, errors.New("redisstore: Options.URL, Sentinel or Cluster is required")
		}
		ropts, err := redis.ParseURL(opts.URL)
		if err != nil {
			return nil, 0, fmt.Errorf("redisstore: parse URL: %w", err)
		}
		return redis.NewClient(ropts), max(opts.Replicas, 0), nil
	}
	if modes > 1 {
		return nil, 0, errors.New("redisstore: Sentinel and Cluster exclude each other")
	}
	creds := &redis.Options{}
	if opts.URL != "" {
		u, err := url.Parse(opts.URL)
		if err != nil {
			return nil, 0, fmt.Errorf("redisstore: parse URL: %w", err)
		}
		if u.Host != "" {
			return nil, 0, fmt.Errorf("redisstore: with Sentinel or Cluster the URL gives only credentials and TLS, without a host (like rediss://user:pw@/0), not %q", u.Redacted())
		}
		// ParseURL fills in localhost for the missing host; only the rest is used.
		if creds, err = redis.ParseURL(opts.URL); err != nil {
			return nil, 0, fmt.Errorf("redisstore: parse URL: %w", err)
		}
		if creds.TLSConfig != nil {
			creds.TLSConfig.ServerName = "" // the name of each node dialled
		}
	}
	if sn := opts.Sentinel; sn != nil {
		if sn.MasterName == "" || len(sn.Addrs) == 0 {
			return nil, 0, errors.New("redisstore: Sentinel needs a master name and at least one sentinel address")
		}
		if err := checkAddrs(sn.Addrs); err != nil {
			return nil, 0, err
		}
		replicas := opts.Replicas
		if replicas == 0 {
			replicas = 1
		}
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: sn.MasterName, SentinelAddrs: sn.Addrs, SentinelPassword: sn.Password,
			Username: creds.Username, Password: creds.Password, DB: creds.DB, TLSConfig: creds.TLSConfig,
		}), max(replicas, 0), nil
	}
	if err := checkAddrs(opts.Cluster); err != nil {
		return nil, 0, err
	}
	if creds.DB != 0 {
		return nil, 0, fmt.Errorf("redisstore: a Redis Cluster has only database 0, not %d", creds.DB)
	}
	if opts.Replicas > 0 {
		return nil, 0, errors.New("redisstore: waiting for replicas (Options.Replicas) is not supported with Cluster")
	}
	return redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: opts.Cluster, Username: creds.Username, Password: creds.Password, TLSConfig: creds.TLSConfig,
	}), 0, nil
}

// checkAddrs refuses an address that is not host:port.
func checkAddrs(addrs []string) error {
	for _, a := range addrs {
		if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
			return fmt.Errorf("redisstore: address %q is not host:port", a)
		}
	}
	return nil
}

// hasShardedPubSub reports whether every primary of the Cluster has sharded pub/sub
// (Redis 7 or later).
func (s *Store) hasShardedPubSub(ctx context.Context) (bool, error) {
	var mu sync.Mutex
	all := true
	err := s.cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		info, err := node.Info(ctx, "server").Result()
		if err != nil {
			return err
		}
		major := 0
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
				major, _ = strconv.Atoi(strings.SplitN(v, ".", 2)[0])
			}
		}
		mu.Lock()
		all = all && major >= 7
		mu.Unlock()
		return nil
	})
	if err != nil {
		return false, mapErr("server version", err)
	}
	return all, nil
}

// subsFor returns the pub/sub connection that carries channel: the Store's one, or with
// sharded pub/sub the one of the primary that holds channel's slot (made on first use).
func (s *Store) subsFor(ctx context.Context, channel string) (*subscriptions, error) {
	if !s.sharded {
		return s.subs, nil
	}
	node, err := s.cluster.MasterForKey(ctx, channel)
	if err != nil {
		return nil, mapErr("subscribe", err)
	}
	addr := node.Options().Addr
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	p := s.shards[addr]
	if p == nil {
		p = newSubscriptions(s, true) // its loop starts with its first channel
		s.shards[addr] = p
	}
	return p, nil
}

// Ping implements hub.Store: it reports whether Redis answers.
// With a Cluster, every primary must answer.
func (s *Store) Ping(ctx context.Context) error {
	if s.isClosed() {
		return errClosed
	}
	if s.cluster != nil {
		return mapErr("ping", s.cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return node.Ping(ctx).Err()
		}))
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
	all := make([]*subscriptions, 0, len(s.shards)+1)
	if s.subs != nil {
		all = append(all, s.subs)
	}
	for _, p := range s.shards {
		all = append(all, p)
	}
	s.mu.Unlock()
	for _, p := range all {
		p.close()
	}
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
var unavailablePrefixes = []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY", "NOREPLICAS", "MOVED", "ASK"}

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
