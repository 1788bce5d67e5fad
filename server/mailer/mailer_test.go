package mailer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want Settings
		err  bool
	}{
		{"smtps://u:p@mail.example.nl", Settings{Host: "mail.example.nl", Port: 465, Username: "u", Password: "p", TLS: "implicit"}, false},
		{"smtp://mail.example.nl", Settings{Host: "mail.example.nl", Port: 587, TLS: "starttls"}, false},
		{"smtp://127.0.0.1:1025", Settings{Host: "127.0.0.1", Port: 1025, TLS: "opportunistic"}, false},
		{"http://mail.example.nl", Settings{}, true},
		{"smtp://mail.example.nl:99999", Settings{}, true},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestMessagesAreBilingualAndEscaped(t *testing.T) {
	exp := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	m := SetupLink("a@example.nl", "<b>Anna</b>", "https://tafel.example/setup#tok", exp, true)
	if !strings.Contains(m.Text, "nieuw wachtwoord") || !strings.Contains(m.Text, "new password") || !strings.Contains(m.Text, "03-12-2026 10:00") {
		t.Errorf("text lacks Dutch, English or the local expiry:\n%s", m.Text)
	}
	if strings.Contains(m.HTML, "<b>Anna</b>") || !strings.Contains(m.HTML, "&lt;b&gt;Anna") {
		t.Errorf("HTML does not escape the name:\n%s", m.HTML)
	}
	var buf bytes.Buffer
	if err := NewConsole(&buf).Send(context.Background(), m); err != nil || !strings.Contains(buf.String(), "https://tafel.example/setup#tok") {
		t.Errorf("console: %v\n%s", err, buf.String())
	}
}
