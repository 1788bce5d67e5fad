package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tafel-ketenzorg/tafel/hub/meeting"
	"github.com/tafel-ketenzorg/tafel/server"
)

// runUntilStopped runs the real main loop on port 0 and returns its URL, what it printed, and
// a stop function that waits for run to end (so the data directory is free again).
func runUntilStopped(t *testing.T, args []string) (string, *lockedBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(string) string { return "" }, stdout, stderr, started) }()
	var url string
	select {
	case url = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("run ended before starting: %v\n%s", err, stderr)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(stop)
	return url, stdout, stop
}

var demoLink = regexp.MustCompile(`Demo-account (\S+) \((\w+)\): stel een wachtwoord in via\n  (http://\S+/setup#(\S+))`)

// demoLinks returns the set-up token printed for each demo account, by e-mail address.
func demoLinks(out string) map[string]string {
	links := map[string]string{}
	for _, m := range demoLink.FindAllStringSubmatch(out, -1) {
		links[m[1]] = m[4]
	}
	return links
}

// browser is a minimal API client: a cookie jar, the Origin and the CSRF header.
type browser struct {
	t    *testing.T
	url  string
	http *http.Client
}

func newBrowser(t *testing.T, url string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, url: url, http: &http.Client{Jar: jar}}
}

func (b *browser) do(method, path string, body any, want int, out any) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, b.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", b.url)
		req.Header.Set("X-Tafel-CSRF", "1")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.StatusCode, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			b.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestDemoTwice runs `tafel --demo` twice on one data directory: the second run adds nothing
// to the Janna case and prints the set-up links again (no account has a password yet), the
// first administrator's link included; the demo chair then sets a password and reads the
// Janna case. A third run prints only the link of the account still without a password.
func TestDemoTwice(t *testing.T) {
	data := t.TempDir()
	args := []string{"--addr", "127.0.0.1:0", "--data", data, "--demo"}

	_, out1, stop := runUntilStopped(t, args)
	stop()
	first := out1.String()
	if !strings.Contains(first, `Demo: casus "janna" met overleg m1 staat klaar`) {
		t.Errorf("first run: no word of the demo case; stdout:\n%s", first)
	}

	url, out2, stop := runUntilStopped(t, args)
	second := out2.String()
	if !strings.Contains(second, `Demo: casus "janna" bestaat al`) {
		t.Errorf("second run: got stdout\n%s\nwant the case reported as existing", second)
	}
	for run, out := range map[string]string{"first": first, "second": second} {
		links := demoLinks(out)
		if links[server.DemoChairEmail] == "" || links[server.DemoProfessionalEmail] == "" || links[server.DemoNurseEmail] == "" || len(links) != 3 {
			t.Errorf("%s run: got set-up links for %v, want the demo chair, GP and youth nurse", run, links)
		}
		if !regexp.MustCompile(`(?s)eerste beheerder.*http://\S+/setup#\S+`).MatchString(out) {
			t.Errorf("%s run: no set-up link for the first administrator; stdout:\n%s", run, out)
		}
	}

	chair := newBrowser(t, url)
	const pw = "een lang demo-wachtwoord"
	chair.do(http.MethodPost, "/api/setup", map[string]string{"token": demoLinks(second)[server.DemoChairEmail], "password": pw}, http.StatusOK, nil)
	chair.do(http.MethodPost, "/api/login", map[string]string{"email": server.DemoChairEmail, "password": pw}, http.StatusOK, nil)
	var v meeting.CaseView
	chair.do(http.MethodGet, "/api/cases/"+server.DemoCaseID+"/view", nil, http.StatusOK, &v)
	if v.Case.ID != server.DemoCaseID || len(v.Case.Subjects) != 2 || v.Case.Subjects[0].Name != "Janna" {
		t.Errorf("got case %+v, want Janna's case with two subjects", v.Case)
	}
	if len(v.Meetings) != 2 || v.Meetings[0].ID != "m0" || v.Meetings[0].Status != meeting.MeetingClosed ||
		v.Meetings[1].ID != "m1" || v.Meetings[1].Status != meeting.MeetingScheduled {
		t.Errorf("after two runs: got meetings %+v, want m0 closed and m1 scheduled, once", v.Meetings)
	}
	if v.Current == nil || v.Current.ID != "m1" {
		t.Errorf("the view centres on %+v, want the scheduled meeting m1", v.Current)
	}
	// The mother's own safety agreement, withheld from the father: the chair sees it marked.
	if len(v.Plans.Agreements) != 1 || v.Plans.Agreements[0].ID != server.DemoWithheldAgreement ||
		!slices.Equal(v.Plans.Agreements[0].HiddenFrom, []string{"vader"}) || v.Plans.Agreements[0].HiddenReason == "" {
		t.Errorf("got agreements %+v, want the mother's agreement hidden from vader, with a reason", v.Plans.Agreements)
	}
	var cases []struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	chair.do(http.MethodGet, "/api/cases", nil, http.StatusOK, &cases)
	if len(cases) != 1 || cases[0].ID != server.DemoCaseID || cases[0].Role != server.CaseRoleChair {
		t.Errorf("got cases %+v, want the Janna case once, as chair", cases)
	}
	stop()

	_, out3, stop := runUntilStopped(t, args)
	stop()
	if links := demoLinks(out3.String()); len(links) != 2 || links[server.DemoProfessionalEmail] == "" || links[server.DemoNurseEmail] == "" {
		t.Errorf("third run: got set-up links for %v, want only the GP and the nurse (the chair has a password)", links)
	}
}
