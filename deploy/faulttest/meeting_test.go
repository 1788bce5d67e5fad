package faulttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The meetings of a fault test: per case a chair and two professionals with accounts, and
// invitees who joined through an invitation link.
var inviteeRoles = []string{"family", "family", "network", "network", "family", "network", "family", "network", "observer"}

const (
	password  = "correct horse battery staple"
	meetingID = "m1"
)

// subjects are the persons whose safety is scored in every case.
var subjects = []map[string]string{{"id": "kind", "name": "Kind"}, {"id": "ouder", "name": "Ouder"}}

// meetingCase is one case with its meeting in progress and everyone admitted.
type meetingCase struct {
	n       int
	id      string
	chair   *participant
	pros    []*participant // the chair's colleagues with accounts
	people  []*participant // everyone, chair first
	scorers []*participant // everyone who scores (not observers)
	rounds  int            // rounds opened so far
}

// world is everything a fault test set up.
type world struct {
	top   *topology
	admin *participant
	cases []*meetingCase
}

func (w *world) everyone() []*participant {
	var all []*participant
	for _, mc := range w.cases {
		all = append(all, mc.people...)
	}
	return all
}

// setUp makes the administrator through the first-start link, then nCases cases, each with a
// chair and two professionals (accounts made by the administrator, passwords set through their
// set-up links), nine invitees (invitations redeemed), a meeting started, and everyone joined
// and admitted — all through the public API and WebSockets behind nginx.
func setUp(ctx context.Context, t *testing.T, top *topology, nCases int) *world {
	t.Helper()
	w := &world{top: top}
	w.admin = newParticipant(top.url(), "admin", "admin", "127.1.0.1")
	err := w.admin.call(ctx, "POST", "/api/setup", map[string]string{"token": top.firstStartToken(), "password": password,
		"email": "beheer@fault.test", "name": "Beheerder", "organisation": "Tafel"}, nil)
	if err != nil {
		t.Fatalf("first administrator: %v", err)
	}
	g, gctx := newGroup(ctx)
	w.cases = make([]*meetingCase, nCases)
	for i := range nCases {
		g.Go(func() error {
			mc, err := w.setUpCase(gctx, ctx, i+1)
			w.cases[i] = mc
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("set-up: %v", err)
	}
	return w
}

// account makes an account as the administrator and lets its owner set a password.
func (w *world) account(ctx context.Context, p *participant, email, role string) (accountID string, err error) {
	var created struct {
		Account  struct{ ID string }
		SetupURL string
	}
	if err := w.admin.call(ctx, "POST", "/api/accounts", map[string]string{"email": email, "name": p.name,
		"organisation": "Veilig Thuis", "discipline": role, "role": role}, &created); err != nil {
		return "", err
	}
	var me struct{ ID string }
	if err := p.call(ctx, "POST", "/api/setup", map[string]string{"token": fragment(created.SetupURL), "password": password}, &me); err != nil {
		return "", err
	}
	p.id = me.ID
	return created.Account.ID, nil
}

func fragment(link string) string {
	_, frag, _ := strings.Cut(link, "#")
	return frag
}

// setUpCase builds case n. Sockets live as long as live, not only the set-up.
func (w *world) setUpCase(ctx, live context.Context, n int) (*meetingCase, error) {
	base := w.top.url()
	ip := func(k int) string { return fmt.Sprintf("127.1.%d.%d", n, 10+k) }
	mc := &meetingCase{n: n, chair: newParticipant(base, fmt.Sprintf("c%dchair", n), "chair", ip(0))}
	if _, err := w.account(ctx, mc.chair, fmt.Sprintf("chair%d@fault.test", n), "chair"); err != nil {
		return nil, err
	}
	var created struct{ ID string }
	if err := mc.chair.call(ctx, "POST", "/api/cases", map[string]any{"title": fmt.Sprintf("Casus %d", n), "subjects": subjects}, &created); err != nil {
		return nil, err
	}
	mc.id = created.ID
	mc.people = []*participant{mc.chair}
	for k := 1; k <= 2; k++ {
		p := newParticipant(base, fmt.Sprintf("c%dpro%d", n, k), "professional", ip(k))
		aid, err := w.account(ctx, p, fmt.Sprintf("pro%d.%d@fault.test", n, k), "professional")
		if err != nil {
			return nil, err
		}
		if err := mc.chair.call(ctx, "PUT", "/api/cases/"+mc.id+"/members/"+aid, map[string]string{"role": "professional"}, nil); err != nil {
			return nil, err
		}
		mc.pros = append(mc.pros, p)
		mc.people = append(mc.people, p)
	}

	mc.chair.connect(live, mc.id)
	if _, err := mc.chair.must(ctx, "meeting.schedule", map[string]any{"id": meetingID, "title": "Veiligheidsoverleg", "at": time.Now().UTC()}); err != nil {
		return nil, err
	}
	if _, err := mc.chair.must(ctx, "meeting.start", map[string]any{"meeting": meetingID}); err != nil {
		return nil, err
	}
	// The rounds here reveal themselves once everyone has scored (the meeting setting that
	// keeps the old behaviour), as the load of these tests was written for.
	if _, err := mc.chair.must(ctx, "meeting.set_auto_reveal", map[string]any{"meeting": meetingID, "autoReveal": true}); err != nil {
		return nil, err
	}
	for k, role := range inviteeRoles {
		p := newParticipant(base, fmt.Sprintf("c%d%s%d", n, role[:3], k), role, ip(3+k))
		var inv struct{ Code string }
		if err := mc.chair.call(ctx, "POST", "/api/cases/"+mc.id+"/invitations",
			map[string]string{"meeting": meetingID, "name": p.name, "role": role}, &inv); err != nil {
			return nil, err
		}
		var me struct{ ID string }
		if err := p.call(ctx, "POST", "/api/invitations/redeem", map[string]string{"code": inv.Code}, &me); err != nil {
			return nil, err
		}
		p.id = me.ID
		mc.people = append(mc.people, p)
	}
	// People act on what their own screen shows, as with the real client: the chair admits
	// someone once the lobby in the chair's view holds them. The case's professionals are
	// admitted on joining (they skip the lobby), so the chair has no one to admit for them.
	var admitted uint64
	for _, p := range mc.people[1:] {
		p.connect(live, mc.id)
		joined, err := p.must(ctx, "participant.join", map[string]string{"meeting": meetingID})
		if err != nil {
			return nil, err
		}
		admitted = max(admitted, joined.ackSeq)
		if err := mc.chair.waitView(ctx, joined.ackSeq); err != nil {
			return nil, err
		}
		if p.role == "professional" && slices.Contains(mc.pros, p) {
			continue
		}
		admit, err := mc.chair.must(ctx, "participant.admit", map[string]string{"meeting": meetingID, "participant": p.id})
		if err != nil {
			return nil, err
		}
		admitted = admit.ackSeq
	}
	for _, p := range mc.people {
		if err := p.waitView(ctx, admitted); err != nil {
			return nil, err
		}
	}
	for _, p := range mc.people {
		if p.role != "observer" {
			mc.scorers = append(mc.scorers, p)
		}
	}
	return mc, nil
}

// roundHooks let a fault test act while a round is played.
type roundHooks struct {
	// scored is called after every acknowledged score.
	scored func()
	// pause is the longest random pause before each score (default 300 ms).
	pause time.Duration
}

// playRound plays one round in mc: the chair opens it, every scorer scores both subjects (the
// first professional changes a score before completing), which reveals the round, then the
// chair and a professional add facts (every other one for professionals only) and the chair
// records a decision.
func (mc *meetingCase) playRound(ctx context.Context, hooks roundHooks) error {
	opened, err := mc.chair.must(ctx, "round.open", map[string]string{"meeting": meetingID})
	if err != nil {
		return err
	}
	mc.rounds++
	round := fmt.Sprintf("%s-r%d", meetingID, mc.rounds)
	pause := hooks.pause
	if pause == 0 {
		pause = 300 * time.Millisecond
	}
	g, gctx := newGroup(ctx)
	for i, p := range mc.scorers {
		g.Go(func() error {
			// The score form shows once the participant's own view has the round open.
			if err := p.waitView(gctx, opened.ackSeq); err != nil {
				return err
			}
			score := func(subject string, value int) error {
				if err := sleep(gctx, rand.N(pause)); err != nil {
					return err
				}
				payload := map[string]any{"round": round, "subject": subject, "value": value,
					"meaning": fmt.Sprintf("%s geeft %d", p.name, value), "notHigher": "nog geen vaste afspraken"}
				if value < 0 {
					payload = map[string]any{"round": round, "subject": subject, "abstain": true, "notHigher": "ik ken het gezin te kort"}
				}
				if _, err := p.must(gctx, "score.submit", payload); err != nil {
					return err
				}
				if hooks.scored != nil {
					hooks.scored()
				}
				return nil
			}
			v := 3 + (i+mc.rounds)%6
			if p.role == "network" && (i+mc.rounds)%5 == 0 {
				v = -1 // abstains
			}
			if err := score("kind", v); err != nil {
				return err
			}
			if p == mc.pros[0] { // changes the score before the round is complete
				if err := score("kind", min(v+1, 10)); err != nil {
					return err
				}
			}
			return score("ouder", max(v-1, 0))
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	g, gctx = newGroup(ctx)
	g.Go(func() error {
		_, err := mc.chair.must(gctx, "fact.add", map[string]any{"text": fmt.Sprintf("Feit na ronde %d", mc.rounds), "professionalsOnly": mc.rounds%2 == 0})
		if err != nil {
			return err
		}
		_, err = mc.chair.must(gctx, "decision.record", map[string]any{"text": fmt.Sprintf("Besluit na ronde %d", mc.rounds)})
		return err
	})
	g.Go(func() error {
		_, err := mc.pros[1].must(gctx, "fact.add", map[string]any{"text": fmt.Sprintf("Waarneming %s", round)})
		return err
	})
	return g.Wait()
}

// playRounds plays one round in every case at once.
func (w *world) playRounds(ctx context.Context, hooks roundHooks) error {
	g, gctx := newGroup(ctx)
	for _, mc := range w.cases {
		g.Go(func() error {
			if err := mc.playRound(gctx, hooks); err != nil {
				return fmt.Errorf("case %d round %d: %w", mc.n, mc.rounds, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// scoresPerRound is the number of scores one round of every case takes.
func (w *world) scoresPerRound() int {
	n := 0
	for _, mc := range w.cases {
		n += 2*len(mc.scorers) + 1
	}
	return n
}

// busiestInstance returns the instance most participants are connected to now.
func (w *world) busiestInstance() (instance, clients int) {
	count := map[int]int{}
	for _, p := range w.everyone() {
		p.mu.Lock()
		up := p.upstream
		p.mu.Unlock()
		if i := w.top.instanceOf(up); i > 0 {
			count[i]++
		}
	}
	for i := 1; i <= len(w.top.ports); i++ {
		if count[i] > clients {
			instance, clients = i, count[i]
		}
	}
	return instance, clients
}

// onInstance returns the participants connected to instance i now.
func (w *world) onInstance(i int) map[*participant]bool {
	on := map[*participant]bool{}
	for _, p := range w.everyone() {
		p.mu.Lock()
		up := p.upstream
		p.mu.Unlock()
		if w.top.instanceOf(up) == i {
			on[p] = true
		}
	}
	return on
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// group runs functions concurrently; the first error cancels the others' context and is
// what Wait returns.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func newGroup(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
