package redistest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of primaries without replicas, each a Server with the
// persistence of Start (cluster-enabled, its own bus port, node timeout 2 s), on loopback
// ports. The 16384 slots are split evenly in order: node 0 holds the lowest.
//
//	c := redistest.StartCluster(t, 3)
//	store, err := redisstore.New(ctx, redisstore.Options{Cluster: c.Addrs()})
//
// Everything is stopped in tb.Cleanup.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts n primaries, assigns the slots, introduces the nodes to each other
// and returns once every node reports the cluster ok with all slots served.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	if n < 1 {
		tb.Fatalf("redistest: a cluster needs at least one node, not %d", n)
	}
	c := &Cluster{}
	for range n {
		c.Nodes = append(c.Nodes, startServer(tb, "", true, nil))
	}
	const slots = 16384
	for i, node := range c.Nodes {
		from, to := i*slots/n, (i+1)*slots/n-1
		if _, err := Do(node.Addr(), "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(from), strconv.Itoa(to)); err != nil {
			tb.Fatalf("redistest: assign slots %d-%d to %s: %v", from, to, node.Addr(), err)
		}
	}
	for _, node := range c.Nodes[1:] {
		if _, err := Do(c.Nodes[0].Addr(), "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(node.port), strconv.Itoa(node.busPort)); err != nil {
			tb.Fatalf("redistest: cluster meet %s: %v", node.Addr(), err)
		}
	}
	c.WaitOK()
	return c
}

// Addrs are the nodes' host:port addresses.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// WaitOK waits until every node reports cluster_state:ok, knows every node and sees all
// slots assigned. It fails the test after readyTimeout.
func (c *Cluster) WaitOK() {
	deadline := time.Now().Add(readyTimeout)
	for {
		err := c.ok()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.Nodes[0].tb.Fatalf("redistest: cluster not ok after %v: %v", readyTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) ok() error {
	for _, node := range c.Nodes {
		info, err := Do(node.Addr(), "CLUSTER", "INFO")
		if err != nil {
			return err
		}
		for _, want := range []string{"cluster_state:ok", "cluster_slots_assigned:16384", fmt.Sprintf("cluster_known_nodes:%d", len(c.Nodes))} {
			if !strings.Contains(info, want+"\r") {
				return fmt.Errorf("%s: no %s in\n%s", node.Addr(), want, info)
			}
		}
	}
	return nil
}

// NodeOf returns the node that serves key now (CLUSTER KEYSLOT, then the slot ranges).
func (c *Cluster) NodeOf(key string) (*Server, int, error) {
	slot, err := Do(c.Nodes[0].Addr(), "CLUSTER", "KEYSLOT", key)
	if err != nil {
		return nil, 0, err
	}
	n, err := strconv.Atoi(slot)
	if err != nil {
		return nil, 0, err
	}
	for i := range c.Nodes {
		if n <= (i+1)*16384/len(c.Nodes)-1 {
			return c.Nodes[i], n, nil
		}
	}
	return nil, n, fmt.Errorf("slot %d out of range", n)
}
