package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/internal/wstest"
	"github.com/tafel-ketenzorg/tafel/server"
)

func TestWebSocketOrigin(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	caseA := newCase(t, chair, "Casus A")
	cookie := h.srv.CookieName() + "=" + chair.cookie()
	tests := []struct {
		name   string
		origin string
		want   int
	}{
		{"foreign origin", "https://evil.example", http.StatusForbidden},
		{"no origin", "", http.StatusForbidden},
		{"look-alike origin", h.url + ".evil.example", http.StatusForbidden},
		{"null origin", "null", http.StatusForbidden},
		{"allowed origin", h.url, http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{"Cookie": {cookie}}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			conn, resp, err := websocket.DefaultDialer.Dial(wsURL(h, caseA), hdr)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("got status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want != http.StatusSwitchingProtocols {
				var e meeting.Error
				b, _ := io.ReadAll(resp.Body)
				if json.Unmarshal(b, &e) != nil || e.Code != meeting.CodeForbidden || e.Message.NL == "" || e.Message.EN == "" {
					t.Errorf("got body %s, want a forbidden error with messages", b)
				}
				return
			}
			defer conn.Close()
			if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","lastSeq":0}`)); err != nil {
				t.Fatal(err)
			}
			var welcome wstest.Frame
			if err := conn.ReadJSON(&welcome); err != nil || welcome.Type != "welcome" || welcome.Case != caseA {
				t.Errorf("got %+v, %v; want the welcome of %s", welcome, err, caseA)
			}
		})
	}
}

func TestForwardedForRateLimit(t *testing.T) {
	limited := func(o *server.Options) { o.Config.RateBurst = 5; o.Config.RateLimit = 0.001 }
	send := func(t *testing.T, h *harness, xff string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.url+"/api/me", nil)
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Real-IP", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("spoofed X-Forwarded-For from an untrusted address does not move the limit", func(t *testing.T) {
		h := newHarness(t, limited)
		for i := range 5 {
			if got := send(t, h, fmt.Sprintf("198.51.100.%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("request %d: got %d, want 401 (within burst)", i+1, got)
			}
		}
		for i := range 5 {
			if got := send(t, h, fmt.Sprintf("203.0.113.%d", i)); got != http.StatusTooManyRequests {
				t.Fatalf("spoofed request %d: got %d, want 429: the spoofed header bought a fresh bucket", i+1, got)
			}
		}
		if got := h.srv.LimiterLen(); got != 1 {
			t.Errorf("got %d rate-limit buckets, want 1 (only the real peer)", got)
		}
	})
	t.Run("from a trusted proxy the forwarded client counts", func(t *testing.T) {
		h := newHarness(t, limited, func(o *server.Options) { o.Config.TrustedProxies = []string{"127.0.0.1/32"} })
		for i := range 20 {
			if got := send(t, h, fmt.Sprintf("198.51.100.%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("client %d behind proxy: got %d, want 401 (own bucket)", i+1, got)
			}
		}
		for i := range 5 {
			send(t, h, "192.0.2.1")
			_ = i
		}
		if got := send(t, h, "192.0.2.1"); got != http.StatusTooManyRequests {
			t.Errorf("6th request of one forwarded client: got %d, want 429", got)
		}
	})
}

func TestCSRF(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	tests := []struct {
		name   string
		origin string
		header bool
		want   int
	}{
		{"no origin", "", true, http.StatusForbidden},
		{"foreign origin", "https://evil.example", true, http.StatusForbidden},
		{"no custom header", h.url, false, http.StatusForbidden},
		{"same origin with header", h.url, true, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.url+"/api/cases", strings.NewReader(`{"title":"x","subjects":[{"id":"janna","name":"Janna"}]}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.header {
				req.Header.Set("X-Tafel-CSRF", "1")
			}
			resp, err := chair.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("got %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSecurityHeadersAndFrontend(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	r := c.do(http.MethodGet, "/", nil).want(t, http.StatusOK)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	if r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain HTTP, want none")
	}
	if !strings.Contains(string(r.body), "<title>Tafel</title>") {
		t.Errorf("got page %q, want the Tafel page (built app or placeholder)", r.body)
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(string(r.body), -1) {
		if !strings.Contains(tag, "src=") {
			t.Errorf("inline script %q, want none (CSP)", tag)
		}
	}
	c.do(http.MethodGet, "/casus/abc/overleg", nil).want(t, http.StatusOK)
	if e := c.do(http.MethodGet, "/api/nothing-here", nil).want(t, http.StatusNotFound).err(t); e.Code != meeting.CodeNotFound {
		t.Errorf("unknown API path: got %+v, want not_found JSON", e)
	}

	hs := newHarness(t, func(o *server.Options) { o.Config.PublicURL = "https://tafel.example" })
	resp, err := http.Get(hs.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("HSTS under an https public URL: got %q, want max-age", got)
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t)
	chair, _ := h.account(server.RoleChair, "Carla Voorzitter")
	big := strings.Repeat("x", 70_000)
	e := chair.do(http.MethodPost, "/api/cases", map[string]string{"title": big}).want(t, http.StatusRequestEntityTooLarge).err(t)
	if e.Code != meeting.CodeTooLarge {
		t.Errorf("got %+v, want too_large", e)
	}
	e = chair.do(http.MethodPost, "/api/cases", map[string]any{"title": "x", "extra": 1}).want(t, http.StatusBadRequest).err(t)
	if e.Code != meeting.CodeInvalid || e.Message.NL == "" {
		t.Errorf("unknown field: got %+v, want invalid", e)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	h := newHarness(t)
	h.client().do(http.MethodGet, "/healthz", nil).want(t, http.StatusOK)
	h.client().do(http.MethodGet, "/readyz", nil).want(t, http.StatusOK)
	// Without a token /metrics is not on the main listener at all.
	h.client().do(http.MethodGet, "/metrics", nil).want(t, http.StatusNotFound)

	// With one, only a request bearing it gets the metrics.
	tok := newHarness(t, func(o *server.Options) { o.Config.MetricsToken = "metrics-secret-0123456789" })
	tok.client().do(http.MethodGet, "/metrics", nil).want(t, http.StatusUnauthorized)
	bad := tok.client()
	bad.header.Set("Authorization", "Bearer wrong")
	bad.do(http.MethodGet, "/metrics", nil).want(t, http.StatusUnauthorized)
	good := tok.client()
	good.header.Set("Authorization", "Bearer metrics-secret-0123456789")
	r := good.do(http.MethodGet, "/metrics", nil).want(t, http.StatusOK)
	if !strings.Contains(string(r.body), "tafel_http_requests_total") {
		t.Error("metrics lack tafel_http_requests_total")
	}

	// A listener of its own serves them without a token.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = h.srv.ServeMetrics(ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "tafel_http_requests_total") {
		t.Errorf("metrics listener: got %d, want 200 with the metrics", resp.StatusCode)
	}

	down := newHarness(t, func(o *server.Options) {
		o.Ping = func(context.Context) error { return fmt.Errorf("store down") }
	})
	if e := down.client().do(http.MethodGet, "/readyz", nil).want(t, http.StatusServiceUnavailable).err(t); e.Code != meeting.CodeUnavailable {
		t.Errorf("got %+v, want unavailable", e)
	}
}
