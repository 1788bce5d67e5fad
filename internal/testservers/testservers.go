// Package testservers starts the real servers Tafel's tests talk to, on loopback only:
// Mailpit (an SMTP server with an HTTP API to read what arrived) and an OpenID Provider
// (tools/testop, the example provider of zitadel/oidc). Their programs are built from the
// tools module once, into .cache/testbin of the repository (git-ignored), and reused.
package testservers

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Root returns the repository's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// programs are the tools module's programs by name.
var programs = map[string]string{
	"mailpit": "github.com/axllent/mailpit",
	"testop":  "./testop",
}

// Binary returns the path of a tools program ("mailpit" or "testop"), building it first when
// the tools module changed since the last build. Concurrent test processes wait for one build.
func Binary(tb testing.TB, name string) string {
	tb.Helper()
	path, err := Build(name)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// Build is Binary without a testing.TB (for TestMain and the Makefile's test-deps).
func Build(name string) (string, error) {
	pkg, ok := programs[name]
	if !ok {
		return "", fmt.Errorf("testservers: unknown program %q", name)
	}
	tools := filepath.Join(Root(), "tools")
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum", "testop/main.go"} {
		b, err := os.ReadFile(filepath.Join(tools, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	dir := filepath.Join(Root(), ".cache", "testbin")
	path := filepath.Join(dir, name+"-"+hex.EncodeToString(h.Sum(nil))[:12])
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	cmd := exec.Command("go", "build", "-o", path+".tmp", pkg)
	cmd.Dir = tools
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("testservers: build %s: %v\n%s", name, err, out)
	}
	return path, os.Rename(path+".tmp", path)
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs bin with args until the test ends; its output goes to the test log on failure.
func start(tb testing.TB, bin string, args ...string) (*exec.Cmd, *bytes.Buffer, io.Reader) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	var errs bytes.Buffer
	cmd.Stderr = &errs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if tb.Failed() && errs.Len() > 0 {
			tb.Logf("%s stderr:\n%s", filepath.Base(bin), errs.String())
		}
	})
	return cmd, &errs, stdout
}

// Mailpit is a running Mailpit.
type Mailpit struct {
	// SMTPURL is its SMTP server as Tafel's --smtp-url (no TLS, any login accepted).
	SMTPURL string
	// API is the base URL of its HTTP API.
	API string
}

// StartMailpit starts Mailpit on loopback ports, stopped when the test ends.
func StartMailpit(tb testing.TB) *Mailpit {
	tb.Helper()
	bin := Binary(tb, "mailpit")
	web, smtp := FreePort(tb), FreePort(tb)
	_, _, stdout := start(tb, bin, "--listen", fmt.Sprintf("127.0.0.1:%d", web), "--smtp", fmt.Sprintf("127.0.0.1:%d", smtp),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--database", filepath.Join(tb.TempDir(), "mailpit.db"),
		"--disable-version-check", "--quiet")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	m := &Mailpit{SMTPURL: fmt.Sprintf("smtp://127.0.0.1:%d", smtp), API: fmt.Sprintf("http://127.0.0.1:%d", web)}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(m.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Mail is a message as Mailpit received it.
type Mail struct {
	ID      string
	To      []string
	Subject string
	Text    string
	HTML    string
}

// Messages returns every message to address to (all when to is ""), newest first.
func (m *Mailpit) Messages(tb testing.TB, to string) []Mail {
	tb.Helper()
	var list struct {
		Messages []struct {
			ID      string
			To      []struct{ Address string }
			Subject string
		} `json:"messages"`
	}
	m.get(tb, "/api/v1/messages?limit=500", &list)
	var out []Mail
	for _, msg := range list.Messages {
		mail := Mail{ID: msg.ID, Subject: msg.Subject}
		match := to == ""
		for _, a := range msg.To {
			mail.To = append(mail.To, a.Address)
			match = match || strings.EqualFold(a.Address, to)
		}
		if !match {
			continue
		}
		var full struct{ Text, HTML string }
		m.get(tb, "/api/v1/message/"+url.PathEscape(msg.ID), &full)
		mail.Text, mail.HTML = full.Text, full.HTML
		out = append(out, mail)
	}
	return out
}

// WaitFor waits up to 10 seconds for a message to to whose subject contains subject, and
// returns the newest such.
func (m *Mailpit) WaitFor(tb testing.TB, to, subject string) Mail {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, mail := range m.Messages(tb, to) {
			if strings.Contains(mail.Subject, subject) {
				return mail
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no mail to %s with %q in the subject", to, subject)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// DeleteAll empties the mailbox.
func (m *Mailpit) DeleteAll(tb testing.TB) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodDelete, m.API+"/api/v1/messages", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
}

func (m *Mailpit) get(tb testing.TB, path string, v any) {
	tb.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatal(err)
	}
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// Link returns the first link in text that contains part ("" when none).
func Link(text, part string) string {
	for _, l := range linkRE.FindAllString(text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// OPUser is a person at the test OpenID Provider.
type OPUser struct {
	ID, Username, Password, FirstName, LastName, Email string
	EmailVerified                                      bool
}

// OP is a running OpenID Provider; its client is "tafel" with secret "tafel-secret".
type OP struct {
	// Issuer is its issuer URL, with the trailing slash the provider gives it.
	Issuer string
}

// OPClientID and OPClientSecret are Tafel's client at the test provider.
const (
	OPClientID     = "tafel"
	OPClientSecret = "tafel-secret"
)

// StartOP starts the OpenID Provider on addr ("127.0.0.1:0" or a port FreePort chose) with
// users, allowing redirects to redirectURIs.
func StartOP(tb testing.TB, addr string, users []OPUser, redirectURIs ...string) *OP {
	tb.Helper()
	bin := Binary(tb, "testop")
	byID := map[string]any{}
	for _, u := range users {
		byID[u.ID] = map[string]any{"ID": u.ID, "Username": u.Username, "Password": u.Password, "FirstName": u.FirstName,
			"LastName": u.LastName, "Email": u.Email, "EmailVerified": u.EmailVerified, "PreferredLanguage": "nl"}
	}
	b, _ := json.Marshal(byID)
	file := filepath.Join(tb.TempDir(), "users.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	_, _, stdout := start(tb, bin, "-addr", addr, "-users", file, "-redirect", strings.Join(redirectURIs, ","))
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "issuer "); ok {
				lines <- issuer
			}
		}
	}()
	select {
	case issuer := <-lines:
		return &OP{Issuer: issuer}
	case <-time.After(20 * time.Second):
		tb.Fatal("testop did not start")
	}
	return nil
}

// SignIn drives the provider's login page for client (a cookie jar, redirects followed, as a
// browser): it opens start (Tafel's /api/oidc/<id>/start), submits username and password,
// and returns the address Tafel finally sends the browser to (e.g. "/#/" or "/#/login?oidc=…").
func (op *OP) SignIn(ctx context.Context, client *http.Client, start, username, password string) (string, error) {
	var last string
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		last = req.URL.String()
		if len(via) > 10 {
			return fmt.Errorf("too many redirects")
		}
		return nil
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, start, nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.String(), op.Issuer) {
		return last, nil // Tafel answered without the provider (an error redirect)
	}
	id := regexp.MustCompile(`name="id" value="([^"]*)"`).FindSubmatch(page)
	if id == nil {
		return "", fmt.Errorf("no login form at %s", resp.Request.URL)
	}
	form := url.Values{"id": {string(id[1])}, "username": {username}, "password": {password}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(op.Issuer, "/")+"/login/username", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return last, nil
}
