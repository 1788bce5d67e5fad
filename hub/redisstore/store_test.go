package redisstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the fault tests provoke many.
	redis.SetLogger(discardLogger{})
	goleak.VerifyTestMain(m)
}

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

var prefixes atomic.Int64

// freshPrefix returns a key prefix no other test uses: fresh backing data on a shared server.
func freshPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

// quietLogger discards the store's connection warnings, which the fault tests provoke.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// benchStore opens a Store for a benchmark, closed at its end.
func benchStore(b *testing.B, url string) *redisstore.Store {
	b.Helper()
	s, err := redisstore.New(b.Context(), redisstore.Options{URL: url, Prefix: freshPrefix(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// opener returns a function that opens a Store on url with prefix, closed at the test's end.
func opener(t *testing.T, url, prefix string) func() *redisstore.Store {
	return func() *redisstore.Store {
		t.Helper()
		s, err := redisstore.New(t.Context(), redisstore.Options{URL: url, Prefix: prefix, Logger: quietLogger()})
		if err != nil {
			t.Fatalf("redisstore.New(%s): %v", url, err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) func() hub.Store {
		open := opener(t, srv.URL(), freshPrefix())
		return func() hub.Store { return open() }
	})
}

func TestConformanceKV(t *testing.T) {
	srv := redistest.Start(t)
	storetest.RunKV(t, func(t *testing.T) func() kv.Store {
		open := opener(t, srv.URL(), freshPrefix())
		return func() kv.Store { return open() }
	})
}
