// Command tafel runs a Tafel instance: configuration and wiring only.
//
//	tafel [--addr 127.0.0.1:8080] [--data ./data] [--redis redis://…] [--demo] …
//	tafel --redis-sentinel tafel@host:26379,… | --redis-cluster host:6379,… [--redis rediss://user:pw@/0] …
//
// Every flag has a TAFEL_* environment variable; see server.Config. On the first start with no
// accounts it prints a one-time set-up link for the first administrator.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// shutdownTimeout bounds the graceful shutdown (draining the hub, finishing requests).
const shutdownTimeout = 30 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "tafel:", err)
		os.Exit(1)
	}
}

// store is what both backends are: the hub's event log and the server's KV.
type store interface {
	hub.Store
	kv.Store
}

// run starts Tafel and serves until ctx is done. started, when not nil, receives the public
// URL once the instance accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, started chan<- string) error {
	cfg, err := server.ParseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	logger.Info("starting", "config", cfg)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	cfg = withActualPort(cfg, ln.Addr().String())

	keys, generated, err := cfg.SigningKeys()
	if err != nil {
		return err
	}
	if generated {
		logger.Info("generated a token signing key", "file", filepath.Join(cfg.DataDir, "jwt.key"))
	}

	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()

	alog := server.NewAuditLog(st, nil)
	// The server builds the live hub on the same store and is its Rights: the hub re-checks
	// the caller's right to the case on hello and before every command, and records every
	// read and change in the access log.
	srv, err := server.New(ctx, server.Options{Config: cfg, KV: st, SigningKeys: keys, Audit: alog, Logger: logger, Ping: st.Ping,
		Console: stdout, Hub: hub.Config{Store: st, Logger: logger}})
	if err != nil {
		return err
	}

	if cfg.Demo {
		if err := srv.LoadDemo(ctx, stdout); err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
	}

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		defer mln.Close()
		go func() {
			if err := srv.ServeMetrics(mln); err != nil {
				errc <- fmt.Errorf("metrics: %w", err)
			}
		}()
		fmt.Fprintf(stdout, "Metrics op http://%s/metrics\n", mln.Addr())
	}

	fmt.Fprintf(stdout, "Tafel draait op %s (store: %s)\n", cfg.PublicURL, storeName(cfg))
	link, err := srv.FirstStartLink(ctx)
	if err != nil {
		logger.Error("first-start link", "err", err)
	} else if link != "" {
		// The link holds a one-time token: it goes to the console, never to the structured log.
		fmt.Fprintf(stdout, "\nNog geen beheerder. Maak de eerste beheerder aan (eenmalige link, 72 uur geldig):\n"+
			"No administrator yet. Create the first administrator (one-time link, valid 72 hours):\n\n  %s\n\n", link)
	}
	if started != nil {
		started <- cfg.PublicURL
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return <-errc
}

func openStore(ctx context.Context, cfg server.Config, logger *slog.Logger) (store, error) {
	if cfg.Embedded() {
		st, err := boltstore.Open(filepath.Join(cfg.DataDir, "tafel.db"))
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	opts := redisstore.Options{URL: cfg.RedisURL, Logger: logger}
	if cfg.RedisSentinel != "" {
		master, addrs, err := cfg.SentinelAddrs()
		if err != nil {
			return nil, err
		}
		opts.Sentinel = &redisstore.Sentinel{MasterName: master, Addrs: addrs, Password: cfg.RedisSentinelPassword}
	}
	if cfg.RedisCluster != "" {
		addrs, err := cfg.ClusterAddrs()
		if err != nil {
			return nil, err
		}
		opts.Cluster = addrs
	}
	st, err := redisstore.New(ctx, opts)
	if err != nil {
		msg := redactURL(err.Error(), cfg.RedisURL)
		if cfg.RedisSentinelPassword != "" {
			msg = strings.ReplaceAll(msg, cfg.RedisSentinelPassword, "…")
		}
		return nil, errors.New("connect to Redis: " + msg)
	}
	return st, nil
}

// withActualPort fixes a defaulted public URL and origins when listening on port 0.
func withActualPort(cfg server.Config, actual string) server.Config {
	if !strings.HasSuffix(cfg.PublicURL, ":0") {
		return cfg
	}
	old := cfg.PublicURL
	cfg.Addr, cfg.PublicURL = actual, ""
	if len(cfg.Origins) == 1 && cfg.Origins[0] == old {
		cfg.Origins = nil
	}
	return cfg.Defaults()
}

func storeName(cfg server.Config) string {
	if cfg.Embedded() {
		return "bbolt " + filepath.Join(cfg.DataDir, "tafel.db")
	}
	switch {
	case cfg.RedisSentinel != "":
		master, _, _ := cfg.SentinelAddrs()
		return "Redis Sentinel, master " + master
	case cfg.RedisCluster != "":
		return "Redis Cluster"
	}
	return "Redis"
}

// redactURL removes a Redis URL (which may hold a password) from an error text.
func redactURL(s, url string) string {
	if url == "" {
		return s
	}
	return strings.ReplaceAll(s, url, "redis://…")
}

func level(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
