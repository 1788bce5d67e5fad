package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c server.Config)
	}{
		{"defaults", nil, nil, func(t *testing.T, c server.Config) {
			want := server.Config{Addr: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080", Origins: []string{"http://127.0.0.1:8080"},
				DataDir: "./data", Quorum: 2, StableMeetings: 3, StableDays: 28, SessionTTL: time.Hour, SessionMax: 10 * time.Hour, InviteReadAfterClose: 24 * time.Hour,
				RateLimit: 20, RateBurst: 100, LoginRate: 10, MaxBody: 65536, LogLevel: "info",
				MailFrom: "Tafel <noreply@127.0.0.1>", TwoFactor: "required", WSPerSession: 8, WSPerAddr: 200}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got %+v\nwant %+v", c, want)
			}
		}},
		{"environment", nil, map[string]string{"TAFEL_PUBLIC_URL": "https://tafel.example/", "TAFEL_QUORUM": "3",
			"TAFEL_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.0.1", "TAFEL_JWT_KEY": "k"}, func(t *testing.T, c server.Config) {
			if c.PublicURL != "https://tafel.example" || !reflect.DeepEqual(c.Origins, []string{"https://tafel.example"}) || !c.Secure() {
				t.Errorf("got public URL %q origins %v, want https://tafel.example", c.PublicURL, c.Origins)
			}
			if c.Quorum != 3 || len(c.TrustedProxies) != 2 || string(c.JWTKey) != "k" {
				t.Errorf("got %+v", c)
			}
		}},
		{"flag beats environment", []string{"--quorum", "4", "--redis", "redis://127.0.0.1:1/0"}, map[string]string{"TAFEL_QUORUM": "3"}, func(t *testing.T, c server.Config) {
			if c.Quorum != 4 || c.Embedded() {
				t.Errorf("got quorum %d embedded %v, want 4 and Redis mode", c.Quorum, c.Embedded())
			}
		}},
		{"sentinel", []string{"--redis-sentinel", "tafel@10.0.0.1:26379, 10.0.0.2:26379", "--redis", "rediss://tafel:pw@/0"},
			map[string]string{"TAFEL_REDIS_SENTINEL_PASSWORD": "spw"}, func(t *testing.T, c server.Config) {
				master, addrs, err := c.SentinelAddrs()
				if err != nil || master != "tafel" || !reflect.DeepEqual(addrs, []string{"10.0.0.1:26379", "10.0.0.2:26379"}) ||
					c.RedisSentinelPassword != "spw" || c.Embedded() {
					t.Errorf("got %q %v %v, password %q, embedded %v", master, addrs, err, c.RedisSentinelPassword, c.Embedded())
				}
			}},
		{"cluster", nil, map[string]string{"TAFEL_REDIS_CLUSTER": "10.0.0.1:6379,10.0.0.2:6379,[::1]:6379"}, func(t *testing.T, c server.Config) {
			addrs, err := c.ClusterAddrs()
			if err != nil || len(addrs) != 3 || c.Embedded() {
				t.Errorf("got %v, %v, embedded %v", addrs, err, c.Embedded())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := server.ParseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
	if _, err := server.ParseConfig(nil, func(k string) string { return map[string]string{"TAFEL_QUORUM": "two"}[k] }, io.Discard); err == nil {
		t.Error("TAFEL_QUORUM=two: got nil error, want one")
	}
	for name, args := range map[string][]string{
		"sentinel without master":   {"--redis-sentinel", "10.0.0.1:26379"},
		"sentinel without address":  {"--redis-sentinel", "tafel@"},
		"sentinel bad address":      {"--redis-sentinel", "tafel@10.0.0.1"},
		"cluster bad port":          {"--redis-cluster", "10.0.0.1:99999"},
		"sentinel and cluster":      {"--redis-sentinel", "t@h:1", "--redis-cluster", "h:2"},
		"URL with host and cluster": {"--redis-cluster", "h:2", "--redis", "redis://h:6379/0"},
	} {
		if _, err := server.ParseConfig(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%s: got nil error, want one", name)
		}
	}
}

func TestSigningKey(t *testing.T) {
	dir := t.TempDir()
	c := server.Config{DataDir: dir}.Defaults()
	k1, gen, err := c.SigningKey()
	if err != nil || !gen || len(k1) < 32 {
		t.Fatalf("first call: got %d bytes, generated %v, %v; want a new key", len(k1), gen, err)
	}
	k2, gen, err := c.SigningKey()
	if err != nil || gen || string(k1) != string(k2) {
		t.Fatalf("second call: got generated %v, %v, same key %v; want the stored key", gen, err, string(k1) == string(k2))
	}
	c.RedisURL = "redis://127.0.0.1:1/0"
	if _, _, err := c.SigningKey(); err == nil {
		t.Error("Redis mode without key: got nil error")
	}
}

func TestConfigLogValueHidesSecrets(t *testing.T) {
	c := server.Config{RedisURL: "redis://user:s3cret-pass@127.0.0.1:6379/0", JWTKey: []byte("the-signing-secret-of-32-bytes-or-more")}.Defaults()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", c)
	if out := buf.String(); strings.Contains(out, "s3cret-pass") || strings.Contains(out, "the-signing-secret") || !strings.Contains(out, "127.0.0.1:6379") {
		t.Errorf("got %s, want the Redis host without password and no key", out)
	}
}
