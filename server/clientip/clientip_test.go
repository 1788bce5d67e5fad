package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestExtract(t *testing.T) {
	e, err := New([]string{"10.0.0.0/8", "192.168.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		xreal  string
		want   string
	}{
		{"untrusted peer, no headers", "203.0.113.5:1234", nil, "", "203.0.113.5"},
		{"untrusted peer spoofs XFF", "203.0.113.5:1234", []string{"1.2.3.4"}, "", "203.0.113.5"},
		{"untrusted peer spoofs X-Real-IP", "203.0.113.5:1234", nil, "1.2.3.4", "203.0.113.5"},
		{"trusted proxy, XFF", "10.1.2.3:80", []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"trusted proxy, client-prepended spoof ignored", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.7"}, "", "198.51.100.7"},
		{"trusted chain", "10.1.2.3:80", []string{"198.51.100.7, 10.9.9.9"}, "", "198.51.100.7"},
		{"two XFF headers", "192.168.1.1:80", []string{"6.6.6.6", "198.51.100.8, 10.0.0.2"}, "", "198.51.100.8"},
		{"all trusted", "10.1.2.3:80", []string{"10.2.2.2"}, "", "10.2.2.2"},
		{"garbled hop", "10.1.2.3:80", []string{"1.1.1.1, garbage"}, "", "10.1.2.3"},
		{"trusted proxy, X-Real-IP", "10.1.2.3:80", nil, "198.51.100.9", "198.51.100.9"},
		{"ipv4-mapped peer", "[::ffff:203.0.113.5]:1", []string{"1.2.3.4"}, "", "203.0.113.5"},
		{"ipv6 peer", "[2001:db8::1]:1", nil, "", "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.xreal != "" {
				r.Header.Set("X-Real-IP", tt.xreal)
			}
			if got := e.Extract(r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewRejectsBadRange(t *testing.T) {
	if _, err := New([]string{"10.0.0.0/33"}); err == nil {
		t.Error("got nil error for 10.0.0.0/33, want an error")
	}
	if _, err := New([]string{"proxy.example"}); err == nil {
		t.Error("got nil error for a host name, want an error")
	}
}
