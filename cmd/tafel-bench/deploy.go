package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// deployment is a Tafel deployment the harness runs: one instance on the embedded store, or
// instances sharing one Redis (the deploy/local topology without the load balancer: the
// generator spreads clients over the instances itself, and a client whose instance is gone
// reconnects to another, as a load balancer with health checks would send it).
type deployment struct {
	r         *runner
	store     string // "bolt", "redis" or "sentinel"
	dir       string
	redis     *proc // the Redis (with sentinels: the primary)
	sentinels *sentinelSet
	insts     []*proc
	publicURL string
	jwtKey    string
	pop       *population
}

// newDeployment starts the store and the first instance and sets up the administrator and
// the chairs through the first-start link.
func (r *runner) newDeployment(ctx context.Context, store string) (*deployment, error) {
	d := &deployment{r: r, store: store, dir: filepath.Join(r.work, store)}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	d.jwtKey = hex.EncodeToString(key)
	switch store {
	case "redis":
		rp, err := startRedis(filepath.Join(d.dir, "redis"), r.appendfsync)
		if err != nil {
			return nil, err
		}
		d.redis = rp
	case "sentinel":
		set, err := startSentinelSet(filepath.Join(d.dir, "redis"), r.appendfsync)
		if err != nil {
			return nil, err
		}
		d.sentinels, d.redis = set, set.primary
	}
	port, err := freePort()
	if err != nil {
		d.close()
		return nil, err
	}
	d.publicURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	link, err := d.addInstance(port)
	if err != nil {
		d.close()
		return nil, err
	}
	if link == "" {
		d.close()
		return nil, fmt.Errorf("%s: the first instance printed no set-up link", store)
	}
	a := newAPI(d.insts[0].url, d.publicURL, 0, apiSrcs)
	t0 := time.Now()
	d.pop, err = newPopulation(ctx, a, link, r.sz.chairs)
	if err != nil {
		d.close()
		return nil, err
	}
	r.logf("%s: administrator and %d chairs set up in %s", store, r.sz.chairs, time.Since(t0).Round(time.Millisecond))
	return d, nil
}

// addInstance starts one more instance (port 0: a free one) and returns its set-up link, if
// it printed one.
func (d *deployment) addInstance(port int) (string, error) {
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return "", err
		}
	}
	name := fmt.Sprintf("tafel%d", len(d.insts)+1)
	dataDir := filepath.Join(d.dir, name)
	if d.store == "bolt" {
		dataDir = filepath.Join(d.dir, "data")
	}
	p, link, err := startTafel(name, tafelOpts{bin: d.r.bin, dir: dataDir, port: port, publicURL: d.publicURL,
		redisURL: d.redisURL(), sentinel: d.sentinelFlag(), jwtKey: d.jwtKey, logLevel: d.r.logLevel})
	if err != nil {
		return "", err
	}
	d.insts = append(d.insts, p)
	return link, nil
}

// restart stops instance i gracefully and starts it again on the same port and data.
func (d *deployment) restart(i int) error {
	old := d.insts[i]
	old.stop(30 * time.Second)
	name := old.name
	dataDir := filepath.Join(d.dir, name)
	if d.store == "bolt" {
		dataDir = filepath.Join(d.dir, "data")
	}
	p, _, err := startTafel(name, tafelOpts{bin: d.r.bin, dir: dataDir, port: old.port, publicURL: d.publicURL,
		redisURL: d.redisURL(), sentinel: d.sentinelFlag(), jwtKey: d.jwtKey, logLevel: d.r.logLevel, logSuffix: "-restarted"})
	if err != nil {
		return err
	}
	d.insts[i] = p
	return nil
}

// redisURL is the --redis value of the instances ("" for bolt and sentinel).
func (d *deployment) redisURL() string {
	if d.store != "redis" {
		return ""
	}
	return d.redis.url
}

// sentinelFlag is the --redis-sentinel value of the instances ("" unless sentinel).
func (d *deployment) sentinelFlag() string {
	if d.sentinels == nil {
		return ""
	}
	return d.sentinels.flag
}

// wsURLs are the WebSocket bases of the live instances, in order.
func (d *deployment) wsURLs() []string {
	var out []string
	for _, p := range d.insts {
		out = append(out, "ws"+strings.TrimPrefix(p.url, "http"))
	}
	return out
}

// liveWSURLs are the WebSocket bases of the instances still running.
func (d *deployment) liveWSURLs() []string {
	var out []string
	for _, p := range d.insts {
		select {
		case <-p.exited:
		default:
			out = append(out, "ws"+strings.TrimPrefix(p.url, "http"))
		}
	}
	return out
}

func (d *deployment) tafelPids() []int {
	var out []int
	for _, p := range d.insts {
		select {
		case <-p.exited:
		default:
			out = append(out, p.pid())
		}
	}
	return out
}

func (d *deployment) close() {
	for _, p := range d.insts {
		p.stop(20 * time.Second)
	}
	if d.sentinels != nil {
		d.sentinels.stop()
	} else if d.redis != nil {
		d.redis.stop(10 * time.Second)
	}
}
