package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// sentinelSet is the "sentinel" store: a Redis primary with one replica and three sentinels
// (the settings of deploy/local with TAFEL_LOCAL_SENTINEL=1), and the instances run with
// --redis-sentinel, so every command waits for the replica's confirmation (WAIT 1).
type sentinelSet struct {
	primary, replica *proc
	sentinels        []*proc
	flag             string // the --redis-sentinel value
}

// startSentinelSet starts the primary, the replica and the sentinels in dir and returns once
// the replica has synced and every sentinel names the primary.
func startSentinelSet(dir, appendfsync string) (*sentinelSet, error) {
	// min-replicas-to-write 1 and a diskless sync without delay, as deploy/local runs them.
	extra := []string{"--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1", "--min-replicas-max-lag", "5"}
	set := &sentinelSet{}
	var err error
	if set.primary, err = startRedis(filepath.Join(dir, "primary"), appendfsync, extra...); err != nil {
		return nil, err
	}
	if set.replica, err = startRedis(filepath.Join(dir, "replica"), appendfsync,
		append(extra, "--replicaof", "127.0.0.1", strconv.Itoa(set.primary.port))...); err != nil {
		set.stop()
		return nil, err
	}
	bin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		set.stop()
		return nil, errors.New("redis-sentinel not found: apt-get install redis-sentinel (or `make test-deps`)")
	}
	var addrs []string
	for i := 1; i <= 3; i++ {
		port, err := freePort()
		if err != nil {
			set.stop()
			return nil, err
		}
		d := filepath.Join(dir, fmt.Sprintf("sentinel%d", i))
		if err := os.MkdirAll(d, 0o700); err != nil {
			set.stop()
			return nil, err
		}
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\n"+
			"sentinel monitor tafel 127.0.0.1 %d 2\nsentinel down-after-milliseconds tafel 2000\n"+
			"sentinel failover-timeout tafel 2000\nsentinel parallel-syncs tafel 1\n", port, d, set.primary.port)
		if err := os.WriteFile(filepath.Join(d, "sentinel.conf"), []byte(conf), 0o600); err != nil {
			set.stop()
			return nil, err
		}
		p, err := start(fmt.Sprintf("sentinel%d", i), filepath.Join(d, "sentinel.log"), nil, bin, filepath.Join(d, "sentinel.conf"))
		if err != nil {
			set.stop()
			return nil, err
		}
		p.port = port
		set.sentinels = append(set.sentinels, p)
		addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(port))
	}
	set.flag = "tafel@" + strings.Join(addrs, ",")
	if err := set.waitReady(addrs); err != nil {
		set.stop()
		return nil, err
	}
	return set, nil
}

func (set *sentinelSet) waitReady(sentinels []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opt, _ := redis.ParseURL(set.replica.url)
	rc := redis.NewClient(opt)
	defer rc.Close()
	for ctx.Err() == nil {
		info, _ := rc.Info(ctx, "replication").Result()
		synced := strings.Contains(info, "master_link_status:up") && strings.Contains(info, "master_sync_in_progress:0")
		named := synced
		for _, a := range sentinels {
			sc := redis.NewSentinelClient(&redis.Options{Addr: a})
			addr, err := sc.GetMasterAddrByName(ctx, "tafel").Result()
			sc.Close()
			named = named && err == nil && len(addr) == 2 && addr[1] == strconv.Itoa(set.primary.port)
		}
		if named {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the sentinel set did not come up within 30 s (replica synced, sentinels naming the primary)")
}

func (set *sentinelSet) stop() {
	for _, p := range set.sentinels {
		p.stop(5 * time.Second)
	}
	for _, p := range []*proc{set.replica, set.primary} {
		if p != nil {
			p.stop(10 * time.Second)
		}
	}
}
