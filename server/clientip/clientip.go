// Package clientip finds a request's real client address behind trusted reverse proxies.
//
// The direct peer (RemoteAddr) is the client unless it lies in one of the configured trusted
// proxy ranges. Only then are X-Forwarded-For and X-Real-IP read: X-Forwarded-For is walked
// from the right (the hop nearest to us), skipping trusted proxies, and the first untrusted
// address is the client. Headers from an untrusted peer are ignored entirely, so a client
// cannot choose its own address (and with it its own rate-limit bucket or access-log entry).
//
// Tafel installs Extractor.Extract as Echo's IPExtractor; Echo's own extractors and its
// proxy and rate-limiter middleware are not used (see scripts/vulncheck.sh).
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Extractor extracts the client address. The zero value trusts no proxy.
type Extractor struct {
	trusted []netip.Prefix
}

// New returns an Extractor trusting the given CIDR ranges (single addresses are allowed and
// mean /32 or /128).
func New(cidrs []string) (*Extractor, error) {
	e := &Extractor{}
	for _, s := range cidrs {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("clientip: trusted proxy %q: %w", s, err)
			}
			e.trusted = append(e.trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("clientip: trusted proxy %q: %w", s, err)
		}
		e.trusted = append(e.trusted, p.Masked())
	}
	return e, nil
}

// Trusted reports whether a is a trusted proxy.
func (e *Extractor) Trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range e.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Extract returns the client address of r as a string (an IP address without port).
func (e *Extractor) Extract(r *http.Request) string {
	peer, ok := parseHostPort(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !e.Trusted(peer) {
		return peer.String()
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		var last netip.Addr
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				// A garbled hop: nothing left of it can be believed; the last good hop
				// (or the proxy itself) is the client as far as we can tell.
				break
			}
			a = a.Unmap()
			last = a
			if !e.Trusted(a) {
				return a.String()
			}
		}
		if last.IsValid() {
			return last.String()
		}
		return peer.String()
	}
	if xr := strings.TrimSpace(r.Header.Get("X-Real-IP")); xr != "" {
		if a, err := netip.ParseAddr(xr); err == nil {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

func parseHostPort(s string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
