package mailer

import (
	"bytes"
	"html/template"
	"strings"
	"time"
)

// Each message says the same in Dutch, then English. None carries case content: no case
// title, no names of children or family, no scores — only the account holder's own name, a
// link and when it stops working.

// amsterdam is the time zone times in mail are given in.
var amsterdam = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return l
	}
	return time.UTC
}()

func when(t time.Time) string { return t.In(amsterdam).Format("02-01-2006 15:04") }

// part is one language's text: paragraphs, and an optional link with its label.
type part struct {
	Greeting  string
	Paras     []string
	LinkLabel string
	Link      string
	After     []string
}

var htmlPage = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5; color: #1b1b1b">
{{range $i, $p := .}}{{if $i}}<hr>{{end}}<div lang="{{if $i}}en{{else}}nl{{end}}">
<p>{{$p.Greeting}}</p>
{{range $p.Paras}}<p>{{.}}</p>
{{end}}{{if $p.Link}}<p><a href="{{$p.Link}}">{{$p.LinkLabel}}</a></p>
<p style="font-size: 0.9em">{{$p.Link}}</p>
{{end}}{{range $p.After}}<p>{{.}}</p>
{{end}}</div>
{{end}}</body></html>
`))

func compose(to, subject string, nl, en part) Message {
	var text strings.Builder
	for i, p := range []part{nl, en} {
		if i > 0 {
			text.WriteString("\n-- English --\n\n")
		}
		text.WriteString(p.Greeting + "\n\n")
		for _, para := range p.Paras {
			text.WriteString(para + "\n\n")
		}
		if p.Link != "" {
			text.WriteString(p.LinkLabel + ":\n" + p.Link + "\n\n")
		}
		for _, para := range p.After {
			text.WriteString(para + "\n\n")
		}
	}
	var html bytes.Buffer
	if err := htmlPage.Execute(&html, []part{nl, en}); err != nil {
		html.Reset() // the text part stands on its own
	}
	return Message{To: to, Subject: subject, Text: strings.TrimRight(text.String(), "\n") + "\n", HTML: html.String()}
}

const (
	ignoreNL = "Hebt u hier niet om gevraagd? Neem dan contact op met de beheerder van Tafel in uw organisatie."
	ignoreEN = "Did you not ask for this? Then contact the Tafel administrator of your organisation."
)

// SetupLink is the mail with a one-time link to set a password: for a new account (reset
// false) or to reset a forgotten one.
func SetupLink(to, name, link string, expires time.Time, reset bool) Message {
	subject := "Tafel: stel uw wachtwoord in / set your password"
	nl := part{Greeting: "Beste " + name + ",", Paras: []string{"Er is een account voor u gemaakt in Tafel. Kies via deze link een wachtwoord; daarna stelt u een tweede stap in (een passkey of een code-app)."},
		LinkLabel: "Wachtwoord instellen", Link: link,
		After: []string{"De link werkt één keer, tot " + when(expires) + ". Stuur hem niet door.", ignoreNL}}
	en := part{Greeting: "Dear " + name + ",", Paras: []string{"An account has been made for you in Tafel. Choose a password through this link; then you set up a second step (a passkey or an authenticator app)."},
		LinkLabel: "Set your password", Link: link,
		After: []string{"The link works once, until " + when(expires) + ". Do not forward it.", ignoreEN}}
	if reset {
		subject = "Tafel: nieuw wachtwoord instellen / reset your password"
		nl.Paras = []string{"Er is gevraagd om een nieuw wachtwoord voor uw Tafel-account. Kies via deze link een nieuw wachtwoord. Zodra u dat doet, worden al uw sessies beëindigd en vervallen eerdere links."}
		en.Paras = []string{"A new password was asked for your Tafel account. Choose a new password through this link. Once you do, all your sessions end and earlier links stop working."}
	}
	return compose(to, subject, nl, en)
}

// PasswordChanged tells an account holder that their password was set.
func PasswordChanged(to, name string, at time.Time) Message {
	return compose(to, "Tafel: uw wachtwoord is gewijzigd / your password was changed",
		part{Greeting: "Beste " + name + ",", Paras: []string{"Het wachtwoord van uw Tafel-account is op " + when(at) + " ingesteld. Al uw sessies zijn beëindigd; meld u opnieuw aan.", ignoreNL}},
		part{Greeting: "Dear " + name + ",", Paras: []string{"The password of your Tafel account was set on " + when(at) + ". All your sessions have been ended; sign in again.", ignoreEN}})
}

// FactorChanged tells an account holder that a second factor was added or removed; whatNL and
// whatEN say which ("een passkey toegevoegd" / "a passkey was added").
func FactorChanged(to, name, whatNL, whatEN string, at time.Time) Message {
	return compose(to, "Tafel: tweede stap gewijzigd / second step changed",
		part{Greeting: "Beste " + name + ",", Paras: []string{"Bij uw Tafel-account is op " + when(at) + " " + whatNL + ".", ignoreNL}},
		part{Greeting: "Dear " + name + ",", Paras: []string{"On " + when(at) + ", " + whatEN + " on your Tafel account.", ignoreEN}})
}

// Invitation is a chair's invitation to a meeting: who invites, the one-time link and its
// expiry — never the case.
func Invitation(to, name, chair, link string, expires time.Time) Message {
	return compose(to, "Tafel: uitnodiging voor een overleg / invitation to a meeting",
		part{Greeting: "Beste " + name + ",", Paras: []string{chair + " nodigt u uit voor een overleg in Tafel."},
			LinkLabel: "Meedoen", Link: link, After: []string{"De link werkt één keer, tot " + when(expires) + ". Stuur hem niet door.", ignoreNL}},
		part{Greeting: "Dear " + name + ",", Paras: []string{chair + " invites you to a meeting in Tafel."},
			LinkLabel: "Join", Link: link, After: []string{"The link works once, until " + when(expires) + ". Do not forward it.", ignoreEN}})
}
