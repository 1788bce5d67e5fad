// Package mailer sends Tafel's mail: set-up links, password resets, notices of changed
// passwords and second factors, and invitations — in Dutch and English, as plain text with an
// HTML alternative, and never with case content.
//
// SMTP sends through a mail server (github.com/wneessen/go-mail); Console, for a Tafel without
// a mail server (the demo), prints each message on the console instead, as the links were
// printed before mail existed.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to one person.
type Message struct {
	// To is the recipient's address.
	To string
	// Subject is the subject line (Dutch / English).
	Subject string
	// Text is the plain-text body; HTML the same as HTML.
	Text, HTML string
}

// Sender delivers messages.
type Sender interface {
	// Send delivers m or returns why it could not. It does not retry.
	Send(ctx context.Context, m Message) error
	// Delivers reports whether messages reach the recipient's mailbox (false for Console,
	// whose messages go to the operator's console).
	Delivers() bool
}

// Settings are the mail server's, parsed from an smtp:// or smtps:// URL.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "implicit" (smtps), "starttls" (required) or "opportunistic" (smtp to a
	// loopback host: a local relay or a test server).
	TLS string
}

// ParseURL reads smtps://user:password@host[:465] or smtp://user:password@host[:587]. Plain
// smtp requires STARTTLS, except to a loopback host, where STARTTLS is used when offered.
func ParseURL(s string) (Settings, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return Settings{}, errors.New("config: --smtp-url must be smtp://host[:port] or smtps://host[:port]")
	}
	st := Settings{Host: u.Hostname(), TLS: "starttls", Port: 587}
	if u.Scheme == "smtps" {
		st.TLS, st.Port = "implicit", 465
	} else if ip := net.ParseIP(st.Host); st.Host == "localhost" || (ip != nil && ip.IsLoopback()) {
		st.TLS = "opportunistic"
	}
	if p := u.Port(); p != "" {
		if st.Port, err = strconv.Atoi(p); err != nil || st.Port < 1 || st.Port > 65535 {
			return Settings{}, fmt.Errorf("config: --smtp-url port %q is not a port", p)
		}
	}
	if u.User != nil {
		st.Username = u.User.Username()
		st.Password, _ = u.User.Password()
	}
	return st, nil
}

// SMTP sends through a mail server. It is safe for concurrent use.
type SMTP struct {
	settings Settings
	from     string
	timeout  time.Duration
	mu       sync.Mutex // one delivery at a time: mail is rare, and the server's limits are kept
}

// NewSMTP returns a Sender for the mail server at smtpURL, sending as from.
func NewSMTP(smtpURL, from string) (*SMTP, error) {
	st, err := ParseURL(smtpURL)
	if err != nil {
		return nil, err
	}
	return &SMTP{settings: st, from: from, timeout: 20 * time.Second}, nil
}

// Delivers reports true.
func (s *SMTP) Delivers() bool { return true }

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail: sender: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts := []gomail.Option{gomail.WithPort(s.settings.Port), gomail.WithTimeout(s.timeout)}
	switch s.settings.TLS {
	case "implicit":
		opts = append(opts, gomail.WithSSL())
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.settings.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.settings.Username), gomail.WithPassword(s.settings.Password))
	}
	c, err := gomail.NewClient(s.settings.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// Console prints each message on w (the operator's console) instead of mailing it.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsole returns a Sender that prints to w.
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

// Delivers reports false: the recipient does not get the message.
func (c *Console) Delivers() bool { return false }

// Send prints m's recipient, subject and text.
func (c *Console) Send(_ context.Context, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.w, "\nGeen mailserver ingesteld; dit bericht is niet verstuurd / No mail server set; this message was not sent:\nAan / To: %s\nOnderwerp / Subject: %s\n\n%s\n", m.To, m.Subject, indent(m.Text))
	return err
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
