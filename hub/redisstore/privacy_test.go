package redisstore_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub/sealedstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

// TestPrivacy runs the privacy suite on Redis: "live" is SCAN + DUMP of every key of the
// test's prefix, "lingering" every file of the server's append-only directory; a copy is every
// key DUMPed and RESTOREd under another prefix. The keys live in another redis-server, as
// docs/stores.md advises. RDB compression is off, so that DUMP and the AOF show stored strings
// as they are.
func TestPrivacy(t *testing.T) {
	srv := redistest.Start(t, "--rdbcompression", "no")
	keySrv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	storetest.RunPrivacy(t, func(t *testing.T) storetest.Backing {
		prefix := freshPrefix()
		keys := opener(t, keySrv.URL(), freshPrefix())()
		openAt := func(p string) func() sealedstore.Backend {
			return func() sealedstore.Backend { return opener(t, srv.URL(), p)() }
		}
		return storetest.Backing{
			Open: openAt(prefix),
			Keys: sealedstore.KVKeys{KV: keys},
			Live: func() []byte {
				var out bytes.Buffer
				for _, k := range scan(t, rdb, prefix) {
					d, err := rdb.Dump(t.Context(), k).Result()
					if err != nil {
						t.Fatalf("DUMP %s: %v", k, err)
					}
					out.WriteString(k + "\n" + d + "\n")
				}
				return out.Bytes()
			},
			Lingering: func() []byte { return aof(t, srv.Dir()) },
			Copy: func() func() sealedstore.Backend {
				copyPrefix := freshPrefix()
				for _, k := range scan(t, rdb, prefix) {
					d, err := rdb.Dump(t.Context(), k).Result()
					if err != nil {
						t.Fatalf("DUMP %s: %v", k, err)
					}
					if err := rdb.Restore(t.Context(), copyPrefix+strings.TrimPrefix(k, prefix), 0, d).Err(); err != nil {
						t.Fatalf("RESTORE %s: %v", k, err)
					}
				}
				return openAt(copyPrefix)
			},
		}
	})
}

func scan(t *testing.T, rdb *redis.Client, prefix string) []string {
	t.Helper()
	var out []string
	iter := rdb.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	for iter.Next(t.Context()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	return out
}

// aof reads every file under dir (Redis 7 keeps a base and increments in appendonlydir).
func aof(t *testing.T, dir string) []byte {
	t.Helper()
	var out bytes.Buffer
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "appendonly") {
			return err
		}
		b, err := os.ReadFile(p)
		out.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
