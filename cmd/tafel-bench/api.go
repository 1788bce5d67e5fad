package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// srcAddr is the k-th loopback source address the generator binds to (127.10.0.1,
// 127.10.0.2, …). Tafel rate-limits per client address, and one address has only ~28,000
// ephemeral ports: spreading clients over addresses keeps within both.
func srcAddr(k int) string {
	return fmt.Sprintf("127.10.%d.%d", (k/250)%250, k%250+1)
}

// apiRate is how many requests per second the generator sends from one source address:
// below Tafel's default limit of 20/s (burst 100) per client address.
const apiRate = 15

// pacer spaces requests from one source address at apiRate.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(time.Second / apiRate)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// api calls Tafel's REST API the way the browser app does (Origin and X-Tafel-CSRF on every
// state-changing call), spreading calls over source addresses.
type api struct {
	base   string // e.g. http://127.0.0.1:8080
	origin string
	srcs   []*apiSrc
	next   atomic.Uint64
	calls  atomic.Int64
}

type apiSrc struct {
	client *http.Client
	pace   pacer
}

// newAPI calls the instance at base as a browser on origin (the deployment's public URL)
// would, from nSrc source addresses starting at the firstSrc-th.
func newAPI(base, origin string, firstSrc, nSrc int) *api {
	a := &api{base: strings.TrimRight(base, "/"), origin: strings.TrimRight(origin, "/")}
	for i := 0; i < nSrc; i++ {
		local := &net.TCPAddr{IP: net.ParseIP(srcAddr(firstSrc + i))}
		d := &net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}
		tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
		a.srcs = append(a.srcs, &apiSrc{client: &http.Client{Transport: tr, Timeout: 60 * time.Second}})
	}
	return a
}

// apiError is a refused call with Tafel's error body.
type apiError struct {
	Status int
	Code   string
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Body) }

// call sends one request with the session cookie (may be empty) and decodes the JSON answer
// into out (may be nil). It returns the new session cookie when the answer sets one.
func (a *api) call(ctx context.Context, method, path, cookie string, in, out any) (string, error) {
	src := a.srcs[a.next.Add(1)%uint64(len(a.srcs))]
	if err := src.pace.wait(ctx); err != nil {
		return "", err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return "", err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return "", err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Origin", a.origin)
		req.Header.Set("X-Tafel-CSRF", "1")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	a.calls.Add(1)
	resp, err := src.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Code string }
		_ = json.Unmarshal(b, &e)
		return "", &apiError{Status: resp.StatusCode, Code: e.Code, Body: string(b)}
	}
	newCookie := ""
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "tafel_session") && c.Value != "" {
			newCookie = c.Name + "=" + c.Value
		}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return newCookie, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return newCookie, nil
}

// me is the answer of /api/setup, /api/login and /api/invitations/redeem.
type me struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// session is a signed-in principal: its id and its session cookie.
type session struct {
	ID     string
	Cookie string
}

// benchPassword is the password of every account the generator makes (only on throw-away
// benchmark instances).
const benchPassword = "tafel-bench-wachtwoord"

// setupAdmin spends the first-start link and signs the administrator in (and once more
// through /api/login, as a person would the next day).
func (a *api) setupAdmin(ctx context.Context, link string) (session, error) {
	_, tok, ok := strings.Cut(link, "#")
	if !ok {
		return session{}, fmt.Errorf("set-up link without a token: %q", link)
	}
	var m me
	if _, err := a.call(ctx, http.MethodPost, "/api/setup", "", map[string]string{
		"token": tok, "password": benchPassword, "email": "beheer@bench.test", "name": "Beheer", "organisation": "Bench"}, &m); err != nil {
		return session{}, fmt.Errorf("first administrator: %w", err)
	}
	cookie, err := a.call(ctx, http.MethodPost, "/api/login", "", map[string]string{"email": "beheer@bench.test", "password": benchPassword}, &m)
	if err != nil {
		return session{}, fmt.Errorf("administrator login: %w", err)
	}
	return session{ID: m.ID, Cookie: cookie}, nil
}

// createChair makes a chair account through the administrator and sets its password through
// its set-up link, which signs the chair in.
func (a *api) createChair(ctx context.Context, admin session, n int) (session, error) {
	var created struct {
		SetupURL string `json:"setupUrl"`
	}
	_, err := a.call(ctx, http.MethodPost, "/api/accounts", admin.Cookie, map[string]string{
		"email": fmt.Sprintf("voorzitter%d@bench.test", n), "name": fmt.Sprintf("Voorzitter %d", n),
		"organisation": "Veilig Thuis Bench", "role": "chair"}, &created)
	if err != nil {
		return session{}, fmt.Errorf("create chair %d: %w", n, err)
	}
	_, tok, _ := strings.Cut(created.SetupURL, "#")
	var m me
	cookie, err := a.call(ctx, http.MethodPost, "/api/setup", "", map[string]string{"token": tok, "password": benchPassword}, &m)
	if err != nil {
		return session{}, fmt.Errorf("chair %d set-up: %w", n, err)
	}
	return session{ID: m.ID, Cookie: cookie}, nil
}

// createCase makes a case with one subject and returns its id.
func (a *api) createCase(ctx context.Context, chair session, n int) (string, error) {
	var c struct {
		ID string `json:"id"`
	}
	_, err := a.call(ctx, http.MethodPost, "/api/cases", chair.Cookie, map[string]any{
		"title": fmt.Sprintf("Bench casus %d", n), "subjects": []map[string]string{{"id": "kind", "name": "Kind"}}}, &c)
	if err != nil {
		return "", fmt.Errorf("create case %d: %w", n, err)
	}
	return c.ID, nil
}

// invite creates an invitation to meeting of caseID and redeems it, returning the invitee's
// session.
func (a *api) invite(ctx context.Context, chair session, caseID, meeting, name, role string) (session, error) {
	var inv struct {
		Code string `json:"code"`
	}
	_, err := a.call(ctx, http.MethodPost, "/api/cases/"+caseID+"/invitations", chair.Cookie,
		map[string]string{"meeting": meeting, "name": name, "role": role}, &inv)
	if err != nil {
		return session{}, fmt.Errorf("invite to %s: %w", caseID, err)
	}
	var m me
	cookie, err := a.call(ctx, http.MethodPost, "/api/invitations/redeem", "", map[string]string{"code": inv.Code}, &m)
	if err != nil {
		return session{}, fmt.Errorf("redeem invitation to %s: %w", caseID, err)
	}
	return session{ID: m.ID, Cookie: cookie}, nil
}
