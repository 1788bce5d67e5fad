package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// clientSpec is one WebSocket client of a benchmark meeting.
type clientSpec struct {
	// ID is the principal id ("u:…" for the chair, "i:…" for invitees).
	ID string `json:"id"`
	// Role is the meeting role: chair, family, network or professional.
	Role string `json:"role"`
	// Cookie is the session cookie ("" against the baseline).
	Cookie string `json:"cookie,omitempty"`
	// Src is the loopback source address the client connects from.
	Src string `json:"src"`
	// Home is the index of the instance the client connects to first.
	Home int `json:"home"`
}

// meetingSpec is one case with one meeting and its people.
type meetingSpec struct {
	Case    string       `json:"case"`
	Meeting string       `json:"meeting"`
	Subject string       `json:"subject"`
	Chair   clientSpec   `json:"chair"`
	Others  []clientSpec `json:"others"`
}

// inviteeRoles are given in turn to the invitees of a meeting: everyone scores.
var inviteeRoles = []string{"family", "network", "professional"}

// wsSrcBase is the first source address index used by WebSocket clients (the REST set-up
// uses the ones below).
const (
	apiSrcs    = 200
	wsSrcBase  = apiSrcs
	perWSSrc   = 40 // clients per source address: a reconnect storm stays within the burst of 100
	setupConns = 16 // concurrent set-up calls
)

// population is the accounts, cases and invitations of a run on one Tafel deployment.
type population struct {
	api    *api
	admin  session
	chairs []session
	cases  atomic.Int64 // cases made so far (numbers them)
	people atomic.Int64 // WebSocket clients made so far (assigns source addresses)
}

// newPopulation sets up the first administrator through the first-start link and nChairs
// chair accounts.
func newPopulation(ctx context.Context, a *api, link string, nChairs int) (*population, error) {
	admin, err := a.setupAdmin(ctx, link)
	if err != nil {
		return nil, err
	}
	p := &population{api: a, admin: admin}
	for i := 0; i < nChairs; i++ {
		c, err := a.createChair(ctx, admin, i+1)
		if err != nil {
			return nil, err
		}
		p.chairs = append(p.chairs, c)
	}
	return p, nil
}

func (p *population) nextSrc() string {
	g := p.people.Add(1) - 1
	return srcAddr(wsSrcBase + int(g)/perWSSrc)
}

// meetings creates n cases, each with meeting "m1" to be scheduled over the WebSocket, and
// invites and redeems perMeeting−1 participants for each.
func (p *population) meetings(ctx context.Context, n, perMeeting int, progress func(done int)) ([]meetingSpec, error) {
	out := make([]meetingSpec, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		done  atomic.Int64
	)
	sem := make(chan struct{}, setupConns)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			ms, err := p.meeting(ctx, perMeeting)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
				}
				return
			}
			out[i] = ms
			if d := done.Add(1); progress != nil && d%100 == 0 {
				progress(int(d))
			}
		}(i)
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

func (p *population) meeting(ctx context.Context, perMeeting int) (meetingSpec, error) {
	n := int(p.cases.Add(1))
	chair := p.chairs[n%len(p.chairs)]
	caseID, err := p.api.createCase(ctx, chair, n)
	if err != nil {
		return meetingSpec{}, err
	}
	ms := meetingSpec{Case: caseID, Meeting: "m1", Subject: "kind",
		Chair: clientSpec{ID: chair.ID, Role: "chair", Cookie: chair.Cookie, Src: p.nextSrc()}}
	for j := 1; j < perMeeting; j++ {
		role := inviteeRoles[(j-1)%len(inviteeRoles)]
		s, err := p.api.invite(ctx, chair, caseID, "m1", fmt.Sprintf("Deelnemer %d", j), role)
		if err != nil {
			return meetingSpec{}, err
		}
		ms.Others = append(ms.Others, clientSpec{ID: s.ID, Role: role, Cookie: s.Cookie, Src: p.nextSrc()})
	}
	return ms, nil
}

// baselineMeetings makes the same shape of meetings for the baseline server, which has no
// accounts.
func baselineMeetings(n, perMeeting int, firstSrc int) []meetingSpec {
	out := make([]meetingSpec, n)
	g := 0
	src := func() string {
		s := srcAddr(firstSrc + g/perWSSrc)
		g++
		return s
	}
	for i := range out {
		ms := meetingSpec{Case: fmt.Sprintf("b%d", i+1), Meeting: "m1", Subject: "kind",
			Chair: clientSpec{ID: "chair", Role: "chair", Src: src()}}
		for j := 1; j < perMeeting; j++ {
			ms.Others = append(ms.Others, clientSpec{ID: fmt.Sprintf("p%d", j), Role: inviteeRoles[(j-1)%len(inviteeRoles)], Src: src()})
		}
		out[i] = ms
	}
	return out
}
