package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tafel-ketenzorg/tafel/server"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/hub/boltstore"
	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server/audit"
	"github.com/tafel-ketenzorg/tafel/server/kv"
	"github.com/tafel-ketenzorg/tafel/server/password"
)

// testKey is the signing secret of test servers.
var testKey = []byte("test-signing-key-0123456789abcdef-0123456789")

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testClock is a settable clock.
type testClock struct{ ns atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// harness is one running server instance on a real listener.
type harness struct {
	t    testing.TB
	srv  *server.Server
	kv   kv.Store
	url  string
	logs *syncBuffer
	// console is what the server printed for the operator (mail without a mail server).
	console *syncBuffer
	clock   *testClock
	live    *hub.Hub
}

type harnessOpt func(*server.Options)

// openBolt opens a bbolt store in dir (closed at cleanup).
func openBolt(t testing.TB, dir string) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(dir, "tafel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newHarness starts a server on a fresh bbolt store.
func newHarness(t testing.TB, opts ...harnessOpt) *harness {
	t.Helper()
	return startServer(t, openBolt(t, t.TempDir()), newClock(), opts...)
}

// sameSite makes an instance one of a deployment behind a's public URL.
func sameSite(a *harness) harnessOpt {
	return func(o *server.Options) { o.Config.PublicURL = a.srv.Config().PublicURL }
}

// startServer starts a server instance on kv.
func startServer(t testing.TB, kv kv.Store, clock *testClock, opts ...harnessOpt) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs, console := &syncBuffer{}, &syncBuffer{}
	o := server.Options{
		Console: console,
		// The second factor is off unless a test turns it on (signin_test.go).
		Config:     server.Config{Addr: ln.Addr().String(), PublicURL: "http://" + ln.Addr().String(), DataDir: t.TempDir(), TwoFactor: server.TwoFactorOff},
		KV:         kv,
		SigningKey: testKey,
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        clock.Now,
	}
	// The real hub on the same store, built by the server as cmd/tafel has it built.
	st, ok := kv.(hub.Store)
	if !ok {
		t.Fatalf("%T is no hub.Store", kv)
	}
	o.Hub = hub.Config{Store: st}
	for _, f := range opts {
		f(&o)
	}
	srv, err := server.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	live := srv.Hub()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &harness{t: t, srv: srv, kv: kv, url: "http://" + ln.Addr().String(), logs: logs, console: console, clock: clock, live: live}
}

// client is a browser-like API client: a cookie jar, the right Origin and CSRF header.
type client struct {
	h      *harness
	http   *http.Client
	origin string
	header http.Header
}

func (h *harness) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, origin: h.srv.Config().PublicURL, header: http.Header{}}
}

// response is a decoded reply.
type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) err(t *testing.T) meeting.Error {
	t.Helper()
	var e meeting.Error
	r.decode(t, &e)
	return e
}

// do sends a request with an optional JSON body.
func (c *client) do(method, path string, body any) response {
	c.h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.h.url+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead {
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		req.Header.Set("X-Tafel-CSRF", "1")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: b, header: resp.Header}
}

// want fails unless r has status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d (%s), want %d", r.status, r.body, status)
	}
	return r
}

// setCookie replaces the client's session cookie value.
func (c *client) setCookie(value string) {
	u, _ := url.Parse(c.h.url)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: c.h.srv.CookieName(), Value: value, Path: "/"}})
}

// cookie returns the client's session cookie value.
func (c *client) cookie() string {
	u, _ := url.Parse(c.h.url)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == c.h.srv.CookieName() {
			return ck.Value
		}
	}
	return ""
}

const testPassword = "correct horse battery staple"

var (
	hashOnce sync.Once
	testHash string
)

// account creates an account directly in the store (its password is testPassword) and
// returns a client signed in as it.
func (h *harness) account(role, name string) (*client, server.Account) {
	h.t.Helper()
	hashOnce.Do(func() {
		var err error
		if testHash, err = password.Hash(testPassword); err != nil {
			panic(err)
		}
	})
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.nl"
	acc, err := h.srv.CreateAccountWithHash(context.Background(), server.AccountInput{Email: email, Name: name,
		Organisation: "Veilig Thuis", Discipline: "maatschappelijk werk", Role: role}, testHash)
	if err != nil {
		h.t.Fatal(err)
	}
	c := h.client()
	c.do(http.MethodPost, "/api/login", map[string]string{"email": email, "password": testPassword}).want(h.t, http.StatusOK)
	return c, acc
}

// auditEntries returns the global access log.
func (h *harness) auditEntries() []audit.Entry {
	h.t.Helper()
	entries, err := h.srv.AuditLog().Global(context.Background(), 0, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return entries
}
