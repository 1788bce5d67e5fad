package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/server"
	"github.com/tafel-ketenzorg/tafel/server/audit"
)

// openSealed opens the store of cfg and seals case content on it (hub/sealedstore): the case
// keys in <data>/keys.json (embedded) or in Redis (the data's, or --key-store-redis), wrapped
// by the master key. It returns the store, what seals invitees' names in the access log, and
// a function that closes what openSealed opened besides the store.
func openSealed(ctx context.Context, cfg server.Config, logger *slog.Logger, stdout io.Writer) (store, audit.Names, func(), error) {
	backend, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.Privacy.PlainStore {
		logger.Warn("case content is stored UNENCRYPTED (--plain-store-for-benchmarks): only to measure the cost of encryption")
		return backend, nil, func() {}, nil
	}
	s, keysClose, err := seal(ctx, cfg, logger, backend, stdout)
	if err != nil {
		_ = backend.Close()
		return nil, nil, nil, err
	}
	return s, s, keysClose, nil
}

// seal wraps backend in a sealed store with cfg's master key and key store.
func seal(ctx context.Context, cfg server.Config, logger *slog.Logger, backend store, stdout io.Writer) (*sealedstore.Store, func(), error) {
	master, generated, err := cfg.MasterKeys()
	if err != nil {
		return nil, nil, err
	}
	if generated {
		fmt.Fprintf(stdout, "Nieuwe hoofdsleutel gemaakt in %s: bewaar een kopie op een veilige plek, los van de data.\n"+
			"New master key made in %s: keep a copy in a safe place, apart from the data.\n",
			filepath.Join(cfg.DataDir, "master.key"), filepath.Join(cfg.DataDir, "master.key"))
	}
	keys, closeKeys, err := openKeyStore(ctx, cfg, logger, backend)
	if err != nil {
		return nil, nil, err
	}
	s, err := sealedstore.New(ctx, backend, sealedstore.Options{Keys: keys, Master: master, CaseOf: server.CaseOfKV, Logger: logger})
	if err != nil {
		closeKeys()
		return nil, nil, err
	}
	return s, closeKeys, nil
}

// openKeyStore opens where the case keys are kept: keys.json next to the embedded store; in
// Redis mode the data's Redis or, with --key-store-redis, a Redis of their own.
func openKeyStore(ctx context.Context, cfg server.Config, logger *slog.Logger, backend store) (sealedstore.KeyStore, func(), error) {
	if cfg.Embedded() {
		k, err := sealedstore.OpenFileKeys(filepath.Join(cfg.DataDir, "keys.json"))
		return k, func() {}, err
	}
	if cfg.Privacy.KeyStoreRedis == "" {
		return sealedstore.KVKeys{KV: backend}, func() {}, nil
	}
	r, err := redisstore.New(ctx, redisstore.Options{URL: cfg.Privacy.KeyStoreRedis, Logger: logger})
	if err != nil {
		return nil, nil, errors.New("connect to the key store's Redis: " + redactURL(err.Error(), cfg.Privacy.KeyStoreRedis))
	}
	return sealedstore.KVKeys{KV: r}, func() { _ = r.Close() }, nil
}
