package boltstore

import (
	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds how many writes share one commit.
const maxGroup = 256

// committer runs every read-write transaction of one file on one goroutine and lets the
// writes that queue up while a commit fsyncs share the next commit: one fsync for many
// appends (group commit). A lone write is committed at once: grouping adds no delay, it only
// uses the time the previous fsync takes anyway.
//
// Each write sees the effects of the writes before it in the group, in arrival order. When one
// of them fails, the whole group is rolled back and every write of it runs again in its own
// transaction, so a write's outcome never depends on a neighbour's failure. A write function
// may therefore run more than once (its earlier runs rolled back) and must set everything it
// reports on every run.
type committer struct {
	db   *bolt.DB
	reqs chan *commitReq
	quit chan struct{} // closed to stop run
	done chan struct{} // closed when run has returned
}

type commitReq struct {
	fn  func(*bolt.Tx) error
	err chan error // buffered: run never blocks on a caller
}

func newCommitter(db *bolt.DB) *committer {
	c := &committer{db: db, reqs: make(chan *commitReq, maxGroup), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// update queues fn and waits for its commit. Once queued, fn is committed or refused as a
// whole, also when the caller would rather stop waiting: update does not give up half-way.
func (c *committer) update(fn func(*bolt.Tx) error) error {
	r := &commitReq{fn: fn, err: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return errClosed
	}
	select {
	case err := <-r.err:
		return err
	case <-c.done: // answered before done was closed, or never run
		select {
		case err := <-r.err:
			return err
		default:
			return errClosed
		}
	}
}

// stop ends run after the writes already queued; later updates get errClosed.
func (c *committer) stop() {
	close(c.quit)
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	group := make([]*commitReq, 0, maxGroup)
	for {
		var first *commitReq
		select {
		case first = <-c.reqs:
		case <-c.quit:
			c.drain()
			return
		}
		group = append(group[:0], first)
	fill:
		for len(group) < maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			default:
				break fill
			}
		}
		c.commit(group)
	}
}

// drain answers the writes queued before stop.
func (c *committer) drain() {
	for {
		select {
		case r := <-c.reqs:
			r.err <- c.db.Update(r.fn)
		default:
			return
		}
	}
}

// commit runs a group in one transaction, or each write alone when the group fails.
func (c *committer) commit(group []*commitReq) {
	if len(group) > 1 {
		fnFailed := false
		err := c.db.Update(func(tx *bolt.Tx) error {
			for _, r := range group {
				if err := r.fn(tx); err != nil {
					fnFailed = true
					return err
				}
			}
			return nil
		})
		if err == nil || !fnFailed {
			for _, r := range group { // committed, or the commit itself failed for all
				r.err <- err
			}
			return
		}
	}
	for _, r := range group {
		r.err <- c.db.Update(r.fn)
	}
}
