package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/internal/redistest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the real main loop on port 0 and returns its URL; it is stopped at cleanup.
func start(t *testing.T, args []string, env map[string]string) (url string, stdout, stderr *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, stdout, stderr, started)
	}()
	select {
	case url = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("run ended before starting: %v\n%s", err, stderr)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return url, stdout, stderr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEmbeddedFirstStart(t *testing.T) {
	data := t.TempDir()
	url, stdout, stderr := start(t, []string{"--addr", "127.0.0.1:0", "--data", data}, nil)
	if strings.HasSuffix(url, ":0") {
		t.Fatalf("got public URL %q, want the actual port", url)
	}
	for _, p := range []string{"/healthz", "/readyz", "/"} {
		if code, body := get(t, url+p); code != http.StatusOK {
			t.Errorf("GET %s: got %d %s, want 200", p, code, body)
		}
	}
	link := regexp.MustCompile(`http://\S+/setup#\S+`).FindString(stdout.String())
	if link == "" {
		t.Fatalf("no set-up link printed; stdout:\n%s", stdout)
	}
	if strings.Contains(stderr.String(), link[strings.Index(link, "#")+1:]) {
		t.Error("the set-up token reached the structured log")
	}
	st, err := os.Stat(filepath.Join(data, "jwt.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("jwt.key mode: got %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(data, "tafel.db")); err != nil {
		t.Errorf("no bbolt file in the data directory: %v", err)
	}
}

func TestRedisModeNeedsSharedKey(t *testing.T) {
	rs := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"--addr", "127.0.0.1:0", "--redis", rs.URL()}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "TAFEL_JWT_KEY") {
		t.Fatalf("got %v, want an error asking for TAFEL_JWT_KEY", err)
	}
	url, _, _ := start(t, []string{"--addr", "127.0.0.1:0", "--redis", rs.URL()},
		map[string]string{"TAFEL_JWT_KEY": "a-shared-secret-of-at-least-32-bytes!!"})
	if code, body := get(t, url+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz on Redis: got %d %s", code, body)
	}
}

// TestRedisSentinelAndCluster starts Tafel on a sentinel set and on a cluster, both real.
func TestRedisSentinelAndCluster(t *testing.T) {
	env := map[string]string{"TAFEL_JWT_KEY": "a-shared-secret-of-at-least-32-bytes!!"}
	set := redistest.StartSentinels(t, redistest.SentinelOptions{})
	url, out, _ := start(t, []string{"--addr", "127.0.0.1:0", "--redis-sentinel", set.MasterName + "@" + strings.Join(set.SentinelAddrs(), ",")}, env)
	if code, body := get(t, url+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz on Sentinel: got %d %s", code, body)
	}
	if !strings.Contains(out.String(), "Redis Sentinel, master tafel") {
		t.Errorf("start-up line does not name the store: %s", out.String())
	}
	c := redistest.StartCluster(t, 3)
	url, _, _ = start(t, []string{"--addr", "127.0.0.1:0", "--redis-cluster", strings.Join(c.Addrs(), ",")}, env)
	if code, body := get(t, url+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz on Cluster: got %d %s", code, body)
	}
}

func TestBadConfigRefused(t *testing.T) {
	for name, args := range map[string][]string{
		"bad origin":       {"--origins", "not a url"},
		"bad proxy":        {"--trusted-proxies", "10.0.0.0/99", "--data", t.TempDir()},
		"unknown flag":     {"--nope"},
		"short session":    {"--session-ttl", "1s"},
		"bad log level":    {"--log-level", "loud"},
		"stray argument":   {"serve"},
		"tls half-given":   {"--tls-cert", "x.pem"},
		"short key (file)": {"--jwt-key-file", writeFile(t, "short")},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			args := append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)
			if err := run(ctx, args, func(string) string { return "" }, io.Discard, io.Discard, nil); err == nil {
				t.Error("got nil error, want a configuration error")
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
