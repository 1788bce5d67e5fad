package faulttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/redisstore"
	"github.com/tafel-ketenzorg/tafel/hub/storetest"
	"github.com/tafel-ketenzorg/tafel/internal/redistest"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// redisACLRules are the rules of the Redis ACL user Tafel needs, as README.md gives
// them for a managed Redis: its keys and channels only (the default prefix "tafel:"), the
// command families of its store, and nothing dangerous (no KEYS, FLUSHALL, CONFIG, …).
const redisACLRules = "resetkeys ~tafel:* resetchannels &tafel:* -@all +@read +@write +@pubsub +@scripting +@transaction +@connection +time -@dangerous"

var aclPrefixes atomic.Int64

// TestRedisACLUser runs the store conformance suites as a Redis user limited to
// redisACLRules: every command the store sends (scripts included, since Redis checks the
// commands a script calls against the caller's rules) must be allowed. It also checks that
// the README gives the same rules.
func TestRedisACLUser(t *testing.T) {
	const password = "acl-test-password-0123456789"
	srv := redistest.Start(t, append([]string{"--user", "tafel", "on", ">" + password}, strings.Fields(redisACLRules)...)...)
	url := fmt.Sprintf("redis://tafel:%s@%s/0", password, srv.Addr())
	t.Run("store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) func() hub.Store {
			prefix := fmt.Sprintf("tafel:acl%d:", aclPrefixes.Add(1))
			return func() hub.Store {
				s, err := redisstore.New(t.Context(), redisstore.Options{URL: url, Prefix: prefix})
				if err != nil {
					t.Fatalf("redisstore.New as the ACL user: %v", err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
		})
	})
	t.Run("kv", func(t *testing.T) {
		storetest.RunKV(t, func(t *testing.T) func() kv.Store {
			prefix := fmt.Sprintf("tafel:acl%d:", aclPrefixes.Add(1))
			return func() kv.Store {
				s, err := redisstore.New(t.Context(), redisstore.Options{URL: url, Prefix: prefix})
				if err != nil {
					t.Fatalf("redisstore.New as the ACL user: %v", err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
		})
	})
	t.Run("outside its keys", func(t *testing.T) {
		s, err := redisstore.New(t.Context(), redisstore.Options{URL: url, Prefix: "other:"})
		if err == nil {
			defer s.Close()
			if _, err := s.Head(t.Context(), "case"); err == nil {
				t.Fatalf("reading a key outside ~tafel:* as the ACL user: got no error, want NOPERM")
			}
		}
	})

	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), redisACLRules) {
		t.Errorf("README.md does not give the tested ACL rules %q", redisACLRules)
	}
}
